import { EntitySchema } from '@mikro-orm/core';
import type { LogLevel } from '../../contracts/activities';
import type { BulkUploadAccount } from './bulk-upload-account';
import type { BulkUploadTask } from './bulk-upload-task';

/**
 * One durable log line. `BulkUploadTask.log` and `BulkUploadAccount.log` are collections of
 * these rather than growing text columns: appending stays O(1) however long a bulk runs,
 * and lines keep their order (by id) and their level.
 */
export class LogLine {
  id!: number;
  task!: BulkUploadTask;
  account?: BulkUploadAccount | null;
  /**
   * Who wrote it (workflow run and activity id for appendLog): a retried appendLog whose
   * first attempt got through finds its line and writes nothing twice.
   */
  sourceKey?: string | null;
  time!: Date;
  level!: LogLevel;
  message!: string;
}

export const LogLineSchema = new EntitySchema<LogLine>({
  class: LogLine,
  tableName: 'log_line',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    task: { kind: 'm:1', entity: 'BulkUploadTask', deleteRule: 'cascade', index: true },
    account: { kind: 'm:1', entity: 'BulkUploadAccount', nullable: true, deleteRule: 'cascade', index: true },
    sourceKey: { type: 'string', length: 255, nullable: true, unique: true },
    time: { type: 'datetime' },
    level: { type: 'string', length: 8 },
    message: { type: 'text' },
  },
});
