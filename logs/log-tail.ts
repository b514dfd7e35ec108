/**
 * Live readers of the log streams, woken the moment a line is added instead of polling.
 *
 * One blocking connection per process serves every open reader: a single
 * `XREAD BLOCK … STREAMS <every watched key>` waits on all of them at once, and when it
 * returns, the readers of the keys that grew are woken. A reader then reads its lines as
 * before (`LogStore.read`, with the chain check and the database fallback), so this module
 * only says *when* to read, never *what*: a missed wake-up costs latency, never a line.
 *
 * Why one shared connection rather than one per reader: a blocked XREAD costs the server a
 * client slot and the process a socket, each; 200 idle browser tabs would be 200 of both,
 * and a reconnect storm after a Redis restart 200 handshakes. One connection blocking on 200
 * keys costs one socket and nothing while idle (the process sleeps in the kernel until
 * Redis answers). The price is that the set of keys changes while the XREAD is blocked: a
 * new reader's key is added by writing to a small stream of this process's own (`wakeKey`),
 * which the XREAD also waits on, so it returns and is issued again with the new key. Unlike
 * `CLIENT UNBLOCK`, that cannot race: a wake written before the XREAD reaches Redis is
 * still in the stream, after the id the XREAD asks from, and ends it at once.
 *
 * A reader is live (the caller may stop polling) once its key is in an XREAD that Redis has
 * been sent: the first XREAD on a fresh connection goes with a PING ahead of it, whose
 * answer says so without waiting for a line. A key added later is live once the XREAD is
 * issued again with it; when the wake-up could not be written, that waits for the current
 * XREAD to end (at most `blockMs`), and meanwhile the reader is not live, so its caller
 * polls. An XREAD that Redis refuses while the connection is up (BUSY, NOPERM, WRONGTYPE)
 * is asked again after a pause that doubles up to RETRY_MAX_MS, not at once, and without
 * blocking until one is taken, so that the readers are live again as soon as Redis says so.
 *
 * The connection is opened with the first reader and closed a moment after the last one
 * leaves, or when the client it was duplicated from ends.
 */
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connection';

/** One reader's subscription to one stream key. */
export interface LogWatch {
  /**
   * True while lines are pushed: `next` ends the moment one is added. False while Redis is
   * unreachable, and until the shared XREAD waits on this key; the caller polls instead.
   */
  readonly live: boolean;
  /**
   * Resolves `true` as soon as a line may have been added since the previous call (or since
   * the watch began), `false` after `timeoutMs` or when `signal` aborts.
   */
  next(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Ends the subscription. */
  close(): void;
}

/** The process's shared reader. */
export interface LogTail {
  /** Watches a stream key for lines after row id `afterRowId` (the log cursor). */
  watch(key: string, afterRowId: number): LogWatch;
  /** How many watches are open (for tests and benchmarks). */
  readonly watching: number;
}

/** Settings of the shared reader. */
export interface LogTailOptions {
  /** How long one XREAD blocks before it is issued again (a bound, not a poll: nothing is read). */
  blockMs?: number;
  /** How long the connection stays open after the last reader left, for a page being reloaded. */
  lingerMs?: number;
}

/** Entries one XREAD returns per key: only their ids matter here. */
const XREAD_COUNT = 64;
/** The first and the longest pause before an XREAD that Redis refused is asked again. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/** One watched stream key and the XREAD's place in it. */
interface Watched {
  lastId: string;
  watchers: Set<Watcher>;
  /** True once an XREAD with this key was sent: until then its watchers are not live. */
  listening: boolean;
}

interface Watcher {
  dirty: boolean;
  /** Ends a pending `next`: `true` when a line came, `false` when the watch closed. */
  wake: ((woken: boolean) => void) | undefined;
}

/** The shared reader over a connection duplicated from `redis` (which stays the caller's). */
export function createLogTail(redis: RedisClient, opts: LogTailOptions = {}): LogTail {
  const blockMs = opts.blockMs ?? 30_000;
  const lingerMs = opts.lingerMs ?? 2_000;
  // This process's own wake-up stream: spelled only here, never read by anything else.
  const wakeKey = `log_tail_wake_${randomBytes(8).toString('hex')}`;
  const watched = new Map<string, Watched>();
  let conn: RedisClient | undefined;
  let loop: Promise<void> | undefined;
  let healthy = false;
  let lingerTimer: NodeJS.Timeout | undefined;
  let count = 0;

  const wakeAll = () => {
    for (const { watchers } of watched.values()) for (const w of watchers) notify(w);
  };
  function notify(w: Watcher): void {
    w.dirty = true;
    w.wake?.(true);
  }

  /** Ends the blocked XREAD so that it is issued again with the current keys. */
  function poke(): void {
    if (redis.status !== 'ready') return;
    redis
      .multi()
      .xadd(wakeKey, 'MAXLEN', '1', '*', 'k', '1')
      .pexpire(wakeKey, blockMs * 2)
      .exec()
      .catch(() => undefined);
  }

  function shutDown(): void {
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
    healthy = false;
    const closing = conn;
    conn = undefined;
    closing?.disconnect();
    if (redis.status === 'ready') redis.unlink(wakeKey).catch(() => undefined);
  }
  redis.once('end', () => {
    shutDown();
    wakeAll();
  });

  /** Resolves after `ms`, or sooner on one of `events` of `c`. */
  function pause(c: RedisClient, ms: number, events: ('ready' | 'end')[]): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const e of events) c.off(e, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const e of events) c.once(e, done);
    });
  }

  /** Marks the reader live (once per outage): lines may have been added while nobody listened. */
  function becomeHealthy(c: RedisClient): void {
    if (conn !== c || healthy) return;
    healthy = true;
    wakeAll();
  }

  async function run(c: RedisClient): Promise<void> {
    let wakeId = '0-0';
    let retryMs = 0;
    while (conn === c && count > 0) {
      // A command on a connection that is not ready is refused at once (no offline queue).
      if (c.status !== 'ready') {
        healthy = false;
        await pause(c, 1_000, ['ready', 'end']);
        continue;
      }
      const entries = [...watched.entries()];
      const streams = [wakeKey, ...entries.map(([k]) => k), wakeId, ...entries.map(([, e]) => e.lastId)];
      // After a refusal only an XREAD that Redis takes proves it takes them again: one that
      // does not block, so that the answer comes at once.
      const probing = retryMs > 0;
      // Sent ahead of the XREAD on the same connection: its answer means Redis is taking
      // commands and the XREAD is next, so the readers are live without waiting for a line.
      if (!healthy && !probing) {
        c.ping().then(
          () => becomeHealthy(c),
          () => undefined,
        );
      }
      const reading = probing ? c.xread('COUNT', XREAD_COUNT, 'STREAMS', ...streams) : c.xread('COUNT', XREAD_COUNT, 'BLOCK', blockMs, 'STREAMS', ...streams);
      for (const [, entry] of entries) entry.listening = true;
      let answer: [string, [string, string[]][]][] | null;
      try {
        answer = (await reading) as [string, [string, string[]][]][] | null;
      } catch {
        if (conn !== c) continue;
        // Redis went away, or refused the XREAD: readers poll until it is back, and the
        // first XREAD after that catches up from the ids kept here.
        if (healthy) wakeAll();
        healthy = false;
        // Refused on a connection that is still up (BUSY, NOPERM, WRONGTYPE): asking again
        // at once would spin.
        if (c.status === 'ready') {
          retryMs = Math.min(RETRY_MAX_MS, retryMs ? retryMs * 2 : RETRY_MIN_MS);
          await pause(c, retryMs, ['end']);
        }
        continue;
      }
      retryMs = 0;
      becomeHealthy(c);
      for (const [key, found] of answer ?? []) {
        const last = found.at(-1)?.[0];
        if (!last) continue;
        if (key === wakeKey) {
          wakeId = last;
          continue;
        }
        const entry = watched.get(key);
        if (!entry) continue;
        entry.lastId = last;
        for (const w of entry.watchers) notify(w);
      }
    }
  }

  function start(): void {
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
    if (conn) return;
    if (redis.status === 'end') return;
    const c = redis.duplicate({ connectionName: 'clipfleet-log-tail' });
    c.on('error', () => undefined);
    conn = c;
    healthy = false;
    for (const entry of watched.values()) entry.listening = false;
    const running: Promise<void> = run(c).finally(() => {
      if (conn === c) shutDown();
      if (loop === running) loop = undefined;
    });
    loop = running;
  }

  return {
    get watching() {
      return count;
    },

    watch(key, afterRowId) {
      const w: Watcher = { dirty: false, wake: undefined };
      let entry = watched.get(key);
      const added = !entry;
      if (!entry) {
        entry = { lastId: `${afterRowId}-0`, watchers: new Set(), listening: false };
        watched.set(key, entry);
      }
      const mine = entry;
      entry.watchers.add(w);
      count += 1;
      const running = Boolean(loop);
      start();
      if (added && running) poke();
      let closed = false;
      return {
        get live() {
          return healthy && mine.listening && !closed;
        },
        next(timeoutMs, signal) {
          if (w.dirty || closed) {
            w.dirty = false;
            return Promise.resolve(!closed);
          }
          return new Promise<boolean>((resolve) => {
            const finish = (woken: boolean) => {
              clearTimeout(timer);
              signal?.removeEventListener('abort', aborted);
              w.wake = undefined;
              if (woken) w.dirty = false;
              resolve(woken);
            };
            const aborted = () => finish(false);
            const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
            if (signal?.aborted) return finish(false);
            signal?.addEventListener('abort', aborted, { once: true });
            w.wake = finish;
          });
        },
        close() {
          if (closed) return;
          closed = true;
          w.wake?.(false);
          const current = watched.get(key);
          current?.watchers.delete(w);
          if (current && current.watchers.size === 0) watched.delete(key);
          count -= 1;
          if (count === 0) {
            lingerTimer = setTimeout(() => {
              if (count === 0) shutDown();
            }, lingerMs);
            lingerTimer.unref();
          }
        },
      };
    },
  };
}
