/**
 * Where log lines go and come back from. Every line is written three times: to the database
 * (`log-database.ts`), the durable copy, written first; to Redis streams (`log-stream.ts`),
 * the fast copy for live readers; and to the console, in colour.
 *
 * One cursor for both copies: a line's cursor is its database row id. A read is answered
 * from Redis when the chain of `prev` links proves the page complete (`chain.ts`), else from
 * the database with the same cursor, so a client switching between the two mid-stream gets
 * every line exactly once. Redis being down never fails a write: the line is still in the
 * database and on the console.
 *
 * Live readers `follow` a stream (`log-tail.ts`): they are woken when a line is added to it
 * and then `read` from their cursor as any reader does.
 */
import type { Orm } from '../database/orm';
import type { RedisClient } from '../redis/connection';
import { formatConsoleLine } from './console-format';
import { accountLogsKey, taskLogsKey } from '../contracts/names';
import { createLogDatabase } from './log-database';
import type { AppendLine, LogEntry, PendingLine } from './log-line';
import { createLogStreams, type LogStreamOptions } from './log-stream';
import { createLogTail, type LogTail, type LogWatch } from './log-tail';

export type { AppendLine, LogEntry } from './log-line';
export type { LogWatch } from './log-tail';

/** What the log store writes to. */
export interface LogStoreOptions extends LogStreamOptions {
  orm: Orm;
  redis: RedisClient;
  /** Where coloured console lines go; `null` for none. */
  consoleWrite?: ((line: string) => void) | null;
}

/** Options of `LogStore.read`. */
export interface ReadOptions {
  accountId?: string;
  /** Cursor to resume after (exclusive): a line's `id`; `db-<n>` is accepted too. */
  after?: string;
  limit?: number;
}

/** Writes log lines to every copy and reads them back by cursor. */
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
  /**
   * Wakes a live reader when a line of a task (or of one account) is added after `after`;
   * the reader then `read`s. Absent on stores that cannot push (test doubles): their readers poll.
   */
  follow?(taskId: string, opts?: Omit<ReadOptions, 'limit'>): LogWatch;
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
  const database = createLogDatabase(opts.orm);
  const streams = createLogStreams(opts.redis, opts);
  const consoleWrite = opts.consoleWrite === undefined ? (line: string) => process.stdout.write(line + '\n') : opts.consoleWrite;
  // Opened with the first live reader: a worker, which only writes, never holds its connection.
  let tail: LogTail | undefined;

  /** Copies committed lines to Redis; false when they stay in the database only. */
  async function copyToStreams(lines: PendingLine[], ids: number[]): Promise<boolean> {
    // The lines are committed: from here on nothing may throw, or a retry would find them
    // written and skip Redis for good. Anything that goes wrong leaves them to the database.
    if (!streams.ready) return false;
    if (ids.length !== lines.length || ids.some((id) => !Number.isSafeInteger(id))) return false;
    try {
      const prevs = await database.previousRowIds(
        lines[0]!.taskId,
        ids,
        lines.map((l) => l.accountRow),
      );
      return await streams.append(lines.map((line, i) => ({ ...line, id: ids[i]!, prev: prevs[i]! })));
    } catch {
      return false;
    }
  }

  async function appendMany(lines: AppendLine[]): Promise<{ duplicate: boolean; redis: boolean }> {
    if (lines.length === 0) return { duplicate: false, redis: true };
    const taskId = lines[0]!.taskId;
    if (lines.some((l) => l.taskId !== taskId)) throw new Error('appendMany: every line of a batch must belong to the same task');
    const now = new Date();
    const pending: PendingLine[] = [];
    for (const line of lines) pending.push({ ...line, time: line.time ?? now, accountRow: line.accountId ? await database.accountRowId(taskId, line.accountId) : null });
    const ids = await database.insert(pending);
    if (ids === null) return { duplicate: true, redis: false };
    const inRedis = await copyToStreams(pending, ids);
    for (const line of pending) consoleWrite?.(formatConsoleLine(line));
    return { duplicate: false, redis: inRedis };
  }

  return {
    append: (line) => appendMany([line]),
    appendMany,

    async read(taskId, { accountId, after, limit = 1_000 } = {}) {
      const afterId = parseLogCursor(after);
      const fromRedis = await streams.read(taskId, accountId, afterId, limit);
      if (fromRedis) return { entries: fromRedis, source: 'redis' };
      return { entries: await database.read(taskId, accountId, afterId, limit), source: 'database' };
    },

    follow(taskId, { accountId, after } = {}) {
      tail ??= createLogTail(opts.redis);
      return tail.watch(accountId ? accountLogsKey(taskId, accountId) : taskLogsKey(taskId), parseLogCursor(after));
    },
  };
}
