/**
 * Where log lines go and come back from. Every line is written three times:
 * - SQLite (`LogLine`, reached as `BulkUploadTask.log` / `BulkUploadAccount.log`): the
 *   durable copy, written first, deduplicated by the writer's key so a retry adds nothing;
 * - Redis Streams under `task_logs_<taskId>` and, for account lines,
 *   `task_logs_<taskId>_account_<accountId>`: a stream keeps order, lets a reader resume
 *   after an id (XRANGE with an exclusive start) without a blocking connection, is capped
 *   with MAXLEN ~ and expires with the key's TTL. A list would need LRANGE by index, and
 *   indexes shift when the cap trims the head; pub/sub would lose lines nobody listened to;
 * - the console, in colour.
 *
 * One cursor for both copies: a line's cursor is its SQLite row id. The Redis entry is
 * added with the explicit stream id `<rowId>-0` and carries `prev`, the row id of the
 * previous line of the same key, so a reader can prove that what Redis returned is
 * contiguous with its cursor. When it cannot (Redis was down for some lines, the cap
 * trimmed past the cursor, the key expired, a late writer's XADD was rejected as out of
 * order) the page is read from SQLite instead, with the same cursor. A client switching
 * between the two mid-stream therefore gets every line exactly once.
 *
 * Redis being down never fails a write: the line is still in SQLite and on the console.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { LogLevel } from '../contracts/activities';
import { accountLogsKey, taskLogsKey } from '../contracts/names';
import { BulkUploadAccount, BulkUploadTask, LogLine } from '../database/entities';
import type { Orm } from '../database/orm';
import type { RedisClient } from '../redis/connection';
import { formatConsoleLine } from './console-format';

export interface LogEntry {
  /** Cursor of the line: its SQLite row id, the same whichever copy it was read from. */
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

export interface ReadOptions {
  accountId?: string;
  /** Cursor to resume after (exclusive): a line's `id`; `db-<n>` is accepted too. */
  after?: string;
  limit?: number;
}

export interface LogStore {
  /** Writes one line everywhere; `duplicate` when its sourceKey was already written. */
  append(line: AppendLine): Promise<{ duplicate: boolean; redis: boolean }>;
  /** Lines of a task (or of one account in it) after a cursor, oldest first. */
  read(taskId: string, opts?: ReadOptions): Promise<{ entries: LogEntry[]; source: 'redis' | 'database' }>;
}

/** The JSON stored in a stream entry's `line` field. */
interface StreamPayload {
  time: string;
  level: LogLevel;
  taskId: string;
  accountId?: string;
  message: string;
  /** Row id of the previous line of the same stream key, 0 for the first. */
  prev: number;
}

/** Parses a cursor (`42` or `db-42`) into a row id; 0 for none. Throws on anything else. */
export function parseLogCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^(?:db-)?(\d{1,15})$/.exec(cursor);
  if (!m) throw new RangeError(`invalid log cursor "${cursor}": expected the id of a log line`);
  return Number(m[1]);
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

  /** Inserts the line; its row id, or null when the sourceKey was already written. */
  async function writeDatabase(line: AppendLine, time: Date, accountRow: number | null): Promise<number | null> {
    const em = orm.em.fork();
    try {
      const id = await em.insert(LogLine, {
        task: em.getReference(BulkUploadTask, line.taskId),
        account: accountRow === null ? null : em.getReference(BulkUploadAccount, accountRow),
        sourceKey: line.sourceKey ?? null,
        time,
        level: line.level,
        message: line.message,
      });
      return Number(id);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) return null;
      throw err;
    }
  }

  /** Row id of the line before `id` in the same key (task, or task + account); 0 if none. */
  async function previousRowId(taskId: string, accountRow: number | null, id: number): Promise<number> {
    const where = accountRow === null ? { task: taskId, id: { $lt: id } } : { task: taskId, account: accountRow, id: { $lt: id } };
    const prev = await orm.em.fork().findOne(LogLine, where, { orderBy: { id: 'desc' }, fields: ['id'] });
    return prev?.id ?? 0;
  }

  async function writeRedis(line: AppendLine, time: Date, id: number, accountRow: number | null): Promise<boolean> {
    if (redis.status !== 'ready') return false;
    const keys: [string, number][] = [[taskLogsKey(line.taskId), await previousRowId(line.taskId, null, id)]];
    if (line.accountId && accountRow !== null) keys.push([accountLogsKey(line.taskId, line.accountId), await previousRowId(line.taskId, accountRow, id)]);
    const base = { time: time.toISOString(), level: line.level, taskId: line.taskId, accountId: line.accountId, message: line.message };
    const multi = redis.multi();
    for (const [key, prev] of keys) {
      const payload: StreamPayload = { ...base, prev };
      multi.xadd(key, 'MAXLEN', '~', String(opts.maxLines), `${id}-0`, 'line', JSON.stringify(payload));
      multi.expire(key, opts.ttlSeconds);
    }
    try {
      const results = (await multi.exec()) ?? [];
      // An XADD refused as out of order leaves a gap the readers detect; nothing to undo.
      return results.every(([err]) => !err);
    } catch {
      return false;
    }
  }

  /** Reads from Redis; null when Redis cannot prove its answer is complete after the cursor. */
  async function readRedis(key: string, after: number, limit: number): Promise<LogEntry[] | null> {
    if (redis.status !== 'ready') return null;
    let rows: [string, string[]][];
    try {
      rows = await redis.xrange(key, after ? `(${after}-0` : '-', '+', 'COUNT', limit);
    } catch {
      return null;
    }
    let expectedPrev = after;
    const entries: LogEntry[] = [];
    for (const [streamId, fields] of rows) {
      const payload = parseFields(fields);
      const id = Number(streamId.split('-')[0]);
      // A break in the chain means lines are missing from Redis: SQLite has them all.
      if (!payload || payload.prev !== expectedPrev) return null;
      const { prev: _prev, ...rest } = payload;
      entries.push({ id: String(id), ...rest });
      expectedPrev = id;
    }
    // An empty answer is only trusted when the stream exists and ends at or after the cursor;
    // otherwise the key may have expired or never been written while Redis was down.
    if (entries.length === 0) {
      try {
        const last = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
        const lastId = last[0] ? Number(last[0][0].split('-')[0]) : -1;
        if (lastId !== after) return null;
      } catch {
        return null;
      }
    }
    return entries;
  }

  async function readDatabase(taskId: string, accountId: string | undefined, after: number, limit: number): Promise<LogEntry[]> {
    const em = orm.em.fork();
    const where = accountId ? { task: taskId, account: { accountId }, id: { $gt: after } } : { task: taskId, id: { $gt: after } };
    const rows = await em.find(LogLine, where, { orderBy: { id: 'asc' }, limit, populate: ['account'] });
    return rows.map((r) => ({
      id: String(r.id),
      time: r.time.toISOString(),
      level: r.level,
      taskId,
      accountId: r.account?.accountId,
      message: r.message,
    }));
  }

  return {
    async append(line) {
      const time = line.time ?? new Date();
      const accountRow = line.accountId ? await accountRowId(line.taskId, line.accountId) : null;
      const id = await writeDatabase(line, time, accountRow);
      if (id === null) return { duplicate: true, redis: false };
      const inRedis = await writeRedis(line, time, id, accountRow);
      consoleWrite?.(formatConsoleLine({ time, level: line.level, taskId: line.taskId, accountId: line.accountId, message: line.message }));
      return { duplicate: false, redis: inRedis };
    },

    async read(taskId, { accountId, after, limit = 1_000 } = {}) {
      const afterId = parseLogCursor(after);
      const key = accountId ? accountLogsKey(taskId, accountId) : taskLogsKey(taskId);
      const fromRedis = await readRedis(key, afterId, limit);
      if (fromRedis) return { entries: fromRedis, source: 'redis' };
      return { entries: await readDatabase(taskId, accountId, afterId, limit), source: 'database' };
    },
  };
}

function parseFields(fields: string[]): StreamPayload | null {
  const raw = fields[fields.indexOf('line') + 1];
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<StreamPayload>;
    return typeof parsed.prev === 'number' ? (parsed as StreamPayload) : null;
  } catch {
    return null;
  }
}
