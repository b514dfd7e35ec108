import { Collection, EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { AccountStatus } from '../../contracts/activities';
import type { BulkUploadTask } from './bulk-upload-task';
import type { LogLine } from './log-line';

/** One account's part in a bulk: its state, current step, error and log. */
export class BulkUploadAccount {
  [OptionalProps]?: 'status' | 'createdAt' | 'updatedAt';
  id!: number;
  task!: BulkUploadTask;
  accountId!: string;
  workflowId!: string;
  status: AccountStatus = 'pending';
  currentStep?: string | null;
  error?: string | null;
  /** This account's log lines within the task, in the order written. */
  log = new Collection<LogLine>(this);
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const BulkUploadAccountSchema = new EntitySchema<BulkUploadAccount>({
  class: BulkUploadAccount,
  tableName: 'bulk_upload_account',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    task: { kind: 'm:1', entity: 'BulkUploadTask', deleteRule: 'cascade' },
    accountId: { type: 'string', length: 64 },
    workflowId: { type: 'string', length: 255 },
    status: { type: 'string', length: 32 },
    currentStep: { type: 'string', length: 255, nullable: true },
    error: { type: 'text', nullable: true },
    log: { kind: '1:m', entity: 'LogLine', mappedBy: 'account', orderBy: { id: 'asc' } },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
  uniques: [{ properties: ['task', 'accountId'] }],
});
