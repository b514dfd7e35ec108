import { Collection, EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { BulkOptions } from '../../contracts/bulk-input';
import type { TaskStatus } from '../../contracts/statuses';
import type { BulkUploadAccount } from './bulk-upload-account';
import type { LogLine } from './log-line';

/** One bulk upload: what was asked, how far it got, and its log. */
export class BulkUploadTask {
  [OptionalProps]?: 'status' | 'accountCount' | 'completedAccounts' | 'failedAccounts' | 'createdAt' | 'updatedAt' | 'finishedAt' | 'inputFingerprint';
  id!: string;
  platform!: string;
  workflowId!: string;
  status: TaskStatus = 'pending';
  options!: BulkOptions;
  /** Fingerprint of the input the bulk was started with (bulks/fingerprint.ts); null for tasks older than it. */
  inputFingerprint?: string | null;
  accountCount = 0;
  completedAccounts = 0;
  failedAccounts = 0;
  accounts = new Collection<BulkUploadAccount>(this);
  /** Every log line of the task, account lines included, in the order written. */
  log = new Collection<LogLine>(this);
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
  finishedAt?: Date | null;
}

export const BulkUploadTaskSchema = new EntitySchema<BulkUploadTask>({
  class: BulkUploadTask,
  tableName: 'bulk_upload_task',
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    platform: { type: 'string', length: 32 },
    workflowId: { type: 'string', length: 255 },
    status: { type: 'string', length: 32, index: true },
    options: { type: 'json' },
    inputFingerprint: { type: 'string', length: 64, nullable: true },
    accountCount: { type: 'integer' },
    completedAccounts: { type: 'integer' },
    failedAccounts: { type: 'integer' },
    accounts: { kind: '1:m', entity: 'BulkUploadAccount', mappedBy: 'task' },
    log: { kind: '1:m', entity: 'LogLine', mappedBy: 'task', orderBy: { id: 'asc' } },
    createdAt: { type: 'datetime', onCreate: () => new Date(), index: true },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
    finishedAt: { type: 'datetime', nullable: true },
  },
});
