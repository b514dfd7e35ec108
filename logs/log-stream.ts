/**
 * The Redis copy of the log: streams `task_logs_<taskId>` and, for account lines,
 * `task_logs_<taskId>_account_<accountId>`. A stream keeps order, lets a reader resume after
 * an id (XRANGE with an exclusive start) without a blocking connection, is capped with
 * MAXLEN ~ and expires with the key's TTL. A list would need LRANGE by index, and indexes
 * shift when the cap trims the head; pub/sub would lose lines nobody listened to.
 *
 * An entry is added with the explicit stream id `<rowId>-0` and carries `prev`, the row id
 * of the previous line of the same key, so a read can prove it is complete (`chain.ts`).
 * Nothing here throws: when Redis fails, writes report false and reads null, and the
 * database copy answers instead.
 */
import type { LogLevel } from '../contracts/activities';
import { accountLogsKey, taskLogsKey } from '../contracts/names';
import type { RedisClient } from '../redis/connection';
import { emptyPageIsComplete, isContiguous } from './chain';
import type { LogEntry, PendingLine, PreviousRowIds } from './log-line';

/** A committed line as the streams take it: its row id and the row ids before it. */
export interface StreamLine extends PendingLine {
  id: number;
  prev: PreviousRowIds;
}

/** Settings of the streams. */
export interface LogStreamOptions {
  /** Approximate cap of each stream (MAXLEN ~). */
  maxLines: number;
  /** Each key expires this long after its last line. */
  ttlSeconds: number;
}

/** The log's Redis streams. */
export interface LogStreams {
  /** Whether Redis is connected; when not, neither a write nor a read is attempted. */
  readonly ready: boolean;
  /** Adds lines to their task's and account's streams in one MULTI; false when Redis did not take them all. */
  append(lines: StreamLine[]): Promise<boolean>;
  /** Lines of a task (or one account) after a row id; null when Redis cannot prove its answer complete. */
  read(taskId: string, accountId: string | undefined, after: number, limit: number): Promise<LogEntry[] | null>;
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

/** The log's streams over a Redis client owned by the caller. */
export function createLogStreams(redis: RedisClient, opts: LogStreamOptions): LogStreams {
  const streamId = (rowId: number) => `${rowId}-0`;
  const rowIdOf = (id: string) => Number(id.split('-')[0]);

  /** The stream's newest row id; null when the key does not exist. */
  async function newestRowId(key: string): Promise<number | null> {
    const last = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
    return last[0] ? rowIdOf(last[0][0]) : null;
  }

  return {
    get ready() {
      return redis.status === 'ready';
    },

    async append(lines) {
      if (redis.status !== 'ready') return false;
      const multi = redis.multi();
      const keys = new Set<string>();
      for (const line of lines) {
        const base = { time: line.time.toISOString(), level: line.level, taskId: line.taskId, accountId: line.accountId, message: line.message };
        const targets: [string, number][] = [[taskLogsKey(line.taskId), line.prev.task]];
        if (line.accountId && line.accountRow !== null) targets.push([accountLogsKey(line.taskId, line.accountId), line.prev.account]);
        for (const [key, prev] of targets) {
          const payload: StreamPayload = { ...base, prev };
          multi.xadd(key, 'MAXLEN', '~', String(opts.maxLines), streamId(line.id), 'line', JSON.stringify(payload));
          keys.add(key);
        }
      }
      for (const key of keys) multi.expire(key, opts.ttlSeconds);
      try {
        const results = (await multi.exec()) ?? [];
        // An XADD refused as out of order leaves a gap the readers detect; nothing to undo.
        return results.every(([err]) => !err);
      } catch {
        return false;
      }
    },

    async read(taskId, accountId, after, limit) {
      if (redis.status !== 'ready') return null;
      const key = accountId ? accountLogsKey(taskId, accountId) : taskLogsKey(taskId);
      try {
        const rows = await redis.xrange(key, after ? `(${streamId(after)}` : '-', '+', 'COUNT', limit);
        const page: (StreamPayload & { id: number })[] = [];
        for (const [id, fields] of rows) {
          const payload = parseFields(fields);
          if (!payload) return null;
          page.push({ ...payload, id: rowIdOf(id) });
        }
        if (!isContiguous(after, page)) return null;
        if (page.length === 0 && !emptyPageIsComplete(after, await newestRowId(key))) return null;
        return page.map(({ prev: _prev, id, ...rest }) => ({ id: String(id), ...rest }));
      } catch {
        return null;
      }
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
