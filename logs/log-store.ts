/**
 * Where log lines go and come back from. Every line is written three times:
 * - SQLite (`LogLine`, reached as `BulkUploadTask.log` / `BulkUploadAccount.log`): the
 *   durable copy, written first, deduplicated by the writer's key so a retry adds nothing;
 * - Redis Streams under `task_logs_<taskId>` and, for account lines,
 *   `task_logs_<taskId>_account_<accountId>`: a stream keeps order, gives every line an id
 *   a reader can resume after (XRANGE with an exclusive start), is capped with MAXLEN and
 *   expires with the key's TTL;
 * - the console, in colour.
 * Redis being down never fails a write: the line is still in SQLite and on the console,
 * and readers fall back to SQLite.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { LogLevel } from '../contracts/activities';
import { accountLogsKey, taskLogsKey } from '../contracts/names';
import { BulkUploadAccount, BulkUploadTask, LogLine } from '../database/entities';
import type { Orm } from '../database/orm';
import type { RedisClient } from '../redis/connection';
import { formatConsoleLine } from './console-format';

export interface LogEntry {
  /** Cursor of the line: a Redis stream id, or `db-<n>` when read from SQLite. */
  id: string;
  time: string;
  level: LogLevel;
  taskId: string;
  accountId?: string;
  message: string;
}

export interface AppendLine {
  taskId: string;
  accountId?: string;
  level: LogLevel;
  message: string;
  time?: Date;
  /** Unique per logical line (e.g. workflow run + activity id); makes retries harmless. */
  sourceKey?: string;
}

export interface LogStoreOptions {
  orm: Orm;
  redis: RedisClient;
  maxLines: number;
  ttlSeconds: number;
  /** Where coloured console lines go; `null` for none. */
  consoleWrite?: ((line: string) => void) | null;
}

export interface LogStore {
  /** Writes one line everywhere; `duplicate` when its sourceKey was already written. */
  append(line: AppendLine): Promise<{ duplicate: boolean; redis: boolean }>;
  /** Lines of a task (or of one account in it) after a cursor, oldest first. */
  read(taskId: string, opts?: { accountId?: string; after?: string; limit?: number }): Promise<{ entries: LogEntry[]; source: 'redis' | 'database' }>;
}

/** Creates the log store over an ORM and a Redis client owned by the caller. */
export function createLogStore(opts: LogStoreOptions): LogStore {
  const { orm, redis } = opts;
  const consoleWrite = opts.consoleWrite === undefined ? (line: string) => process.stdout.write(line + '\n') : opts.consoleWrite;
  const accountRowIds = new Map<string, number>();

  async function accountRowId(taskId: string, accountId: string): Promise<number> {
    const cacheKey = `${taskId}\u0000${accountId}`;
    const cached = accountRowIds.get(cacheKey);
    if (cached !== undefined) return cached;
    const row = await orm.em.fork().findOne(BulkUploadAccount, { task: taskId, accountId }, { fields: ['id'] });
    if (!row) throw new Error(`cannot log for account ${accountId}: it is not part of task ${taskId}`);
    accountRowIds.set(cacheKey, row.id);
    return row.id;
  }

  async function writeDatabase(line: AppendLine, time: Date): Promise<boolean> {
    const em = orm.em.fork();
    const account = line.accountId ? em.getReference(BulkUploadAccount, await accountRowId(line.taskId, line.accountId)) : null;
    try {
      await em.insert(LogLine, {
        task: em.getReference(BulkUploadTask, line.taskId),
        account,
        sourceKey: line.sourceKey ?? null,
        time,
        level: line.level,
        message: line.message,
      });
      return true;
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) return false;
      throw err;
    }
  }

  async function writeRedis(line: AppendLine, time: Date): Promise<boolean> {
    if (redis.status !== 'ready') return false;
    const payload = JSON.stringify({ time: time.toISOString(), level: line.level, taskId: line.taskId, accountId: line.accountId, message: line.message });
    const keys = [taskLogsKey(line.taskId)];
    if (line.accountId) keys.push(accountLogsKey(line.taskId, line.accountId));
    const multi = redis.multi();
    for (const key of keys) {
      multi.xadd(key, 'MAXLEN', '~', String(opts.maxLines), '*', 'line', payload);
      multi.expire(key, opts.ttlSeconds);
    }
    try {
      await multi.exec();
      return true;
    } catch {
      return false;
    }
  }

  return {
    async append(line) {
      const time = line.time ?? new Date();
      const written = await writeDatabase(line, time);
      if (!written) return { duplicate: true, redis: false };
      const inRedis = await writeRedis(line, time);
      consoleWrite?.(formatConsoleLine({ time, level: line.level, taskId: line.taskId, accountId: line.accountId, message: line.message }));
      return { duplicate: false, redis: inRedis };
    },

    async read(taskId, { accountId, after, limit = 1_000 } = {}) {
      const key = accountId ? accountLogsKey(taskId, accountId) : taskLogsKey(taskId);
      if (redis.status === 'ready' && (!after || !after.startsWith('db-'))) {
        try {
          if (await redis.exists(key)) {
            const rows = await redis.xrange(key, after ? `(${after}` : '-', '+', 'COUNT', limit);
            return { entries: rows.map(([id, fields]) => ({ id, ...parseFields(fields) })), source: 'redis' };
          }
        } catch {
          // Redis went away between the check and the read: SQLite has every line.
        }
      }
      const em = orm.em.fork();
      const afterId = after?.startsWith('db-') ? Number(after.slice(3)) : 0;
      const where = accountId ? { task: taskId, account: { accountId }, id: { $gt: afterId } } : { task: taskId, id: { $gt: afterId } };
      const rows = await em.find(LogLine, where, { orderBy: { id: 'asc' }, limit, populate: ['account'] });
      return {
        entries: rows.map((r) => ({
          id: `db-${r.id}`,
          time: r.time.toISOString(),
          level: r.level,
          taskId,
          accountId: r.account?.accountId,
          message: r.message,
        })),
        source: 'database',
      };
    },
  };
}

function parseFields(fields: string[]): Omit<LogEntry, 'id'> {
  const raw = fields[fields.indexOf('line') + 1] ?? '{}';
  return JSON.parse(raw) as Omit<LogEntry, 'id'>;
}
