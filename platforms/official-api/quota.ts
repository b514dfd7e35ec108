/**
 * The durable quota ledger of API platforms: what each provider project has spent per quota
 * period, kept in the database so restarts, retries and several workers share one count.
 * Every write is a conditional statement inside a transaction, portable between SQLite and
 * PostgreSQL, so two workers can never spend the same last units together.
 */
import { UniqueConstraintViolationException, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { QuotaSpend, QuotaUsage } from '../../database/entities';
import type { Orm } from '../../database/orm';

/** Google resets YouTube quota at midnight Pacific time, whatever the season. */
const QUOTA_TIME_ZONE = 'America/Los_Angeles';

/** A quota period: Google's day (midnight to midnight America/Los_Angeles, DST-aware) by default, or fixed windows of `periodSeconds` aligned to the Unix epoch. */
export interface QuotaPeriod {
  key: string;
  start: Date;
  end: Date;
}

export interface QuotaRequest {
  /** e.g. 'youtube' */
  platform: string;
  /** Whose budget: the provider's project (the OAuth client id). */
  project: string;
  /** What spends it, e.g. `<taskId>/<accountId>/<videoId>`: the idempotency key. */
  key: string;
  cost: number;
  budget: number;
  periodSeconds?: number;
  /** Defaults to the current time. */
  now?: Date;
}

export type QuotaDecision = { granted: true; period: string; used: number; alreadyReserved: boolean } | { granted: false; period: string; used: number; resetsAt: Date };

export interface QuotaLedger {
  /** Spends `cost` units of the current period for `key`, unless `key` already spent in ANY period (then granted, alreadyReserved: true, nothing spent again). Refused (granted: false, resetsAt = period end) when used + cost > budget. Atomic across processes and workers: a conditional UPDATE ... SET used = used + cost WHERE ... AND used + cost <= budget, plus the QuotaSpend row, in one transaction; works on SQLite and PostgreSQL (no SQLite-only SQL). */
  reserve(req: QuotaRequest): Promise<QuotaDecision>;
  /** The provider said the quota is spent (403 quotaExceeded) although we counted less: mark the current period used up (used = max(used, budget)) and drop `key`'s reservation if it was made in this period (its call was refused, so it must reserve again next period). Returns when the period ends. */
  exhaust(req: Omit<QuotaRequest, 'cost'>): Promise<{ resetsAt: Date }>;
  /** Gives back `key`'s reservation (the call was never made, e.g. the file was refused before the insert): units returned to its period, the spend row removed. No-op when none. */
  release(key: string): Promise<void>;
  /** What the current period has used so far (0 when nothing), and when it ends. */
  usage(q: { platform: string; project: string; periodSeconds?: number; now?: Date }): Promise<{ period: string; used: number; resetsAt: Date }>;
}

const pacificParts = new Intl.DateTimeFormat('en-US', {
  timeZone: QUOTA_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The Pacific wall clock at `instant`, as the UTC instant that shows the same wall clock. */
function pacificWallClock(instant: Date): { year: number; month: number; day: number; asUtc: number } {
  const parts = pacificParts.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const [year, month, day] = [part('year'), part('month'), part('day')];
  return { year, month, day, asUtc: Date.UTC(year, month - 1, day, part('hour'), part('minute'), part('second')) };
}

/** The instant Pacific midnight starts the given date (month 1-based; out-of-range days roll over as in Date.UTC). */
function pacificMidnight(year: number, month: number, day: number): Date {
  const wall = Date.UTC(year, month - 1, day);
  // The offset at the midnight itself can differ from the offset at the first guess (a DST
  // change between them), so correct once with the offset found at the first estimate.
  // Pacific DST changes at 02:00, so midnight always exists and is never ambiguous.
  const offsetAt = (instant: number) => pacificWallClock(new Date(instant)).asUtc - Math.floor(instant / 1000) * 1000;
  const guess = wall - offsetAt(wall);
  return new Date(wall - offsetAt(guess));
}

/** The quota period that `now` falls in: the Pacific day (key 'YYYY-MM-DD'), or with `periodSeconds` a fixed epoch-aligned window (key `w<startEpochSeconds>`). */
export function quotaPeriod(now: Date, periodSeconds?: number): QuotaPeriod {
  if (periodSeconds !== undefined) {
    if (!Number.isInteger(periodSeconds) || periodSeconds <= 0) throw new RangeError(`quota period must be a whole number of seconds above 0, got ${periodSeconds}`);
    const startSeconds = Math.floor(now.getTime() / 1000 / periodSeconds) * periodSeconds;
    return { key: `w${startSeconds}`, start: new Date(startSeconds * 1000), end: new Date((startSeconds + periodSeconds) * 1000) };
  }
  const { year, month, day } = pacificWallClock(now);
  const key = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return { key, start: pacificMidnight(year, month, day), end: pacificMidnight(year, month, day + 1) };
}

type Scope = { platform: string; project: string; period: string };

/** Creates the usage row of a period if missing. As a write it is also the first statement of each transaction, so SQLite takes its write lock (waiting its busy timeout) before anything is read. */
async function ensureUsageRow(em: EntityManager, scope: Scope): Promise<void> {
  await em
    .createQueryBuilder(QuotaUsage)
    .insert({ ...scope, used: 0, updatedAt: new Date() })
    .onConflict(['platform', 'project', 'period'])
    .ignore()
    .execute('run');
}

async function usedIn(em: EntityManager, scope: Scope): Promise<number> {
  const row = await em.findOne(QuotaUsage, scope, { fields: ['used'], disableIdentityMap: true });
  return row?.used ?? 0;
}

/** Creates the quota ledger over the database. */
export function createQuotaLedger(orm: Orm): QuotaLedger {
  async function reserveOnce(req: QuotaRequest, period: QuotaPeriod): Promise<QuotaDecision> {
    const scope: Scope = { platform: req.platform, project: req.project, period: period.key };
    return orm.em.fork().transactional(async (em) => {
      await ensureUsageRow(em, scope);
      if (await em.findOne(QuotaSpend, { key: req.key }, { disableIdentityMap: true })) {
        // Reported against the current period, whichever period the key paid in: that is what the caller waits on.
        return { granted: true, period: period.key, used: await usedIn(em, scope), alreadyReserved: true };
      }
      const spent = await em.nativeUpdate(
        QuotaUsage,
        { ...scope, used: { $lte: req.budget - req.cost } },
        { used: raw<QuotaUsage, number>('used + ?', [req.cost]), updatedAt: new Date() },
      );
      if (spent === 0) return { granted: false, period: period.key, used: await usedIn(em, scope), resetsAt: period.end };
      await em.insert(QuotaSpend, { key: req.key, ...scope, units: req.cost, createdAt: new Date() });
      return { granted: true, period: period.key, used: await usedIn(em, scope), alreadyReserved: false };
    });
  }

  return {
    async reserve(req) {
      if (!Number.isInteger(req.cost) || req.cost <= 0) throw new RangeError(`quota cost must be a whole number above 0, got ${req.cost}`);
      // Refusing would make the caller wait for a reset that can never help.
      if (req.cost > req.budget)
        throw new RangeError(`one ${req.platform} call costs ${req.cost} quota units but project ${req.project} has ${req.budget} per period: raise the budget or lower the cost`);
      const period = quotaPeriod(req.now ?? new Date(), req.periodSeconds);
      try {
        return await reserveOnce(req, period);
      } catch (err) {
        // Two attempts with the same key raced (PostgreSQL lets both reach the insert): the
        // loser's spending was rolled back, and trying again finds the winner's reservation.
        if (err instanceof UniqueConstraintViolationException) return reserveOnce(req, period);
        throw err;
      }
    },

    async exhaust(req) {
      const period = quotaPeriod(req.now ?? new Date(), req.periodSeconds);
      const scope: Scope = { platform: req.platform, project: req.project, period: period.key };
      await orm.em.fork().transactional(async (em) => {
        await ensureUsageRow(em, scope);
        await em.nativeUpdate(QuotaUsage, { ...scope, used: { $lt: req.budget } }, { used: req.budget, updatedAt: new Date() });
        // The units stay counted: the provider says they are gone either way.
        await em.nativeDelete(QuotaSpend, { key: req.key, ...scope });
      });
      return { resetsAt: period.end };
    },

    async release(key) {
      const spend = await orm.em.fork().findOne(QuotaSpend, { key });
      if (!spend) return;
      await orm.em.fork().transactional(async (em) => {
        // Deleting exactly the row read above (write first, for SQLite's lock) makes a
        // concurrent release of the same key give the units back only once.
        const deleted = await em.nativeDelete(QuotaSpend, { key, period: spend.period, units: spend.units });
        if (deleted === 0) return;
        await em.nativeUpdate(
          QuotaUsage,
          { platform: spend.platform, project: spend.project, period: spend.period, used: { $gte: spend.units } },
          { used: raw<QuotaUsage, number>('used - ?', [spend.units]), updatedAt: new Date() },
        );
      });
    },

    async usage(q) {
      const period = quotaPeriod(q.now ?? new Date(), q.periodSeconds);
      const used = await usedIn(orm.em.fork(), { platform: q.platform, project: q.project, period: period.key });
      return { period: period.key, used, resetsAt: period.end };
    },
  };
}
