import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/**
 * Quota units a platform project has spent in one quota period (a Pacific-time day for
 * YouTube): one row per (platform, project, period), raised by a conditional update so two
 * workers never overspend it together.
 */
export class QuotaUsage {
  [OptionalProps]?: 'used' | 'updatedAt';
  id!: number;
  platform!: string;
  /** Whose budget: the provider's project or app (e.g. the OAuth client id). */
  project!: string;
  /** The period's key, e.g. `2026-11-24` (Pacific day) or `w1764000000` (a configured window). */
  period!: string;
  used = 0;
  updatedAt: Date = new Date();
}

export const QuotaUsageSchema = new EntitySchema<QuotaUsage>({
  class: QuotaUsage,
  tableName: 'quota_usage',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    platform: { type: 'string', length: 32 },
    project: { type: 'string', length: 255 },
    period: { type: 'string', length: 32 },
    used: { type: 'integer' },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
  uniques: [{ properties: ['platform', 'project', 'period'] }],
});

/**
 * One spending of quota, by the key of what spent it (a task, account and video): a retried
 * attempt finds its reservation instead of paying twice.
 */
export class QuotaSpend {
  [OptionalProps]?: 'createdAt';
  key!: string;
  platform!: string;
  project!: string;
  period!: string;
  units!: number;
  createdAt: Date = new Date();
}

export const QuotaSpendSchema = new EntitySchema<QuotaSpend>({
  class: QuotaSpend,
  tableName: 'quota_spend',
  properties: {
    key: { type: 'string', length: 255, primary: true },
    platform: { type: 'string', length: 32 },
    project: { type: 'string', length: 255 },
    period: { type: 'string', length: 32 },
    units: { type: 'integer' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});
