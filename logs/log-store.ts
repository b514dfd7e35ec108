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
import { BulkUploadAccount, LogLine } from '../database/entities';
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
  /**
   * Writes lines of one task in one database statement and one Redis round trip, in order;
   * `duplicate` when their sourceKeys were already written.
   */
  appendMany(lines: AppendLine[]): Promise<{ duplicate: boolean; redis: boolean }>;
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

  /**
   * Inserts the lines in one statement; their row ids in order (as the database returned
   * them), or null when their sourceKeys were already written (a batch's keys are written
   * together or not at all).
   */
  async function writeDatabase(lines: AppendLine[], times: Date[], accountRows: (number | null)[]): Promise<number[] | null> {
    // The query builder's insert returns every new id (RETURNING); `em.insertMany` on SQLite
    // returns only the last one.
    const qb = orm.em.fork().createQueryBuilder(LogLine).insert(
      lines.map((line, i) => ({
        task: line.taskId,
        account: accountRows[i] ?? null,
        sourceKey: line.sourceKey ?? null,
        time: times[i]!,
        level: line.level,
        message: line.message,
      })),
    );
    try {
      const res = await qb.execute('run');
      // Rows get ascending ids in the order given; RETURNING's own order is not promised.
      return (res.rows ?? []).map((r) => Number((r as { id: unknown }).id)).sort((a, b) => a - b);
    } catch (err) {
      // Query builders hand back the driver's raw error: convert it to tell a duplicate apart.
      const converted = err instanceof Error ? orm.em.getDriver().convertException(err) : err;
      if (converted instanceof UniqueConstraintViolationException) return null;
      throw converted;
    }
  }

  /**
   * For each new line, the row id of the previous line of each stream it goes to (its task,
   * and its account). One query finds the last line of every stream before the batch (plain
   * SQL on the migration's table and columns, which SQLite and PostgreSQL both run). When
   * the batch's ids are not consecutive another writer's lines sit between them, and those
   * are read back rather than assumed. This relies on ids being committed in order, which
   * SQLite's single writer guarantees; on PostgreSQL two writers of one task can commit out
   * of id order, and the Redis copy can then miss the later-committed line for good (the
   * database copy is complete). A per-task advisory lock would close that; not done yet.
   */
  async function previousRowIds(taskId: string, ids: number[], accountRows: (number | null)[]): Promise<{ task: number; account: number }[]> {
    const first = ids[0]!;
    const last = ids[ids.length - 1]!;
    const accounts = [...new Set(accountRows.filter((r): r is number => r !== null))];
    const conn = orm.em.getConnection();
    const before = await conn.execute<Record<string, number | string | null>>(
      [
        'select (select max(id) from log_line where task_id = ? and id < ?) as t',
        ...accounts.map((_, i) => `(select max(id) from log_line where account_id = ? and id < ?) as a${i}`),
      ].join(', '),
      [taskId, first, ...accounts.flatMap((a) => [a, first])],
      'get',
    );
    let taskPrev = Number(before.t ?? 0);
    const accountPrev = new Map(accounts.map((a, i) => [a, Number(before[`a${i}`] ?? 0)]));
    const mine = ids.map((id, i) => ({ id, account: accountRows[i] ?? null }));
    const others: { id: number; account: number | null }[] = [];
    if (last - first + 1 !== ids.length) {
      const between = await conn.execute<{ id: number; account_id: number | null }[]>('select id, account_id from log_line where task_id = ? and id > ? and id < ?', [taskId, first, last], 'all');
      for (const r of between) if (!ids.includes(Number(r.id))) others.push({ id: Number(r.id), account: r.account_id === null ? null : Number(r.account_id) });
    }
    const all = [...others, ...mine].sort((a, b) => a.id - b.id);
    const prevById = new Map<number, { task: number; account: number }>();
    for (const line of all) {
      prevById.set(line.id, { task: taskPrev, account: line.account === null ? 0 : (accountPrev.get(line.account) ?? 0) });
      taskPrev = line.id;
      if (line.account !== null && accountPrev.has(line.account)) accountPrev.set(line.account, line.id);
    }
    return ids.map((id) => prevById.get(id)!);
  }

  async function writeRedis(lines: AppendLine[], times: Date[], ids: number[], accountRows: (number | null)[]): Promise<boolean> {
    if (redis.status !== 'ready') return false;
    // The lines are committed: from here on nothing may throw, or a retry would find them
    // written and skip Redis for good. Anything that goes wrong leaves them to SQLite.
    if (ids.length !== lines.length || ids.some((id) => !Number.isSafeInteger(id))) return false;
    let prevs: { task: number; account: number }[];
    try {
      prevs = await previousRowIds(lines[0]!.taskId, ids, accountRows);
    } catch {
      return false;
    }
    const multi = redis.multi();
    const keys = new Set<string>();
    lines.forEach((line, i) => {
      const base = { time: times[i]!.toISOString(), level: line.level, taskId: line.taskId, accountId: line.accountId, message: line.message };
      const targets: [string, number][] = [[taskLogsKey(line.taskId), prevs[i]!.task]];
      if (line.accountId && accountRows[i] !== null) targets.push([accountLogsKey(line.taskId, line.accountId), prevs[i]!.account]);
      for (const [key, prev] of targets) {
        const payload: StreamPayload = { ...base, prev };
        multi.xadd(key, 'MAXLEN', '~', String(opts.maxLines), `${ids[i]}-0`, 'line', JSON.stringify(payload));
        keys.add(key);
      }
    });
    for (const key of keys) multi.expire(key, opts.ttlSeconds);
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

  async function appendMany(lines: AppendLine[]): Promise<{ duplicate: boolean; redis: boolean }> {
    if (lines.length === 0) return { duplicate: false, redis: true };
    const taskId = lines[0]!.taskId;
    if (lines.some((l) => l.taskId !== taskId)) throw new Error('appendMany: every line of a batch must belong to the same task');
    const now = new Date();
    const times = lines.map((l) => l.time ?? now);
    const accountRows: (number | null)[] = [];
    for (const line of lines) accountRows.push(line.accountId ? await accountRowId(taskId, line.accountId) : null);
    const ids = await writeDatabase(lines, times, accountRows);
    if (ids === null) return { duplicate: true, redis: false };
    const inRedis = await writeRedis(lines, times, ids, accountRows);
    lines.forEach((line, i) => consoleWrite?.(formatConsoleLine({ time: times[i]!, level: line.level, taskId, accountId: line.accountId, message: line.message })));
    return { duplicate: false, redis: inRedis };
  }

  return {
    append: (line) => appendMany([line]),
    appendMany,

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
