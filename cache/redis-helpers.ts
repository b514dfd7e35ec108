/** Redis calls the cache makes over many keys, in bounded batches, and a deadline for any call. */
import type { RedisClient } from '../redis/connection';

/** Keys per SCAN round, UNLINK call and pipeline: big enough to be quick, small enough not to block Redis. */
const BATCH = 500;

/** Runs `op`, rejecting when Redis has not answered within `ms`. */
export async function withTimeout<T>(op: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      op(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every key matching a glob pattern, each once. */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', BATCH);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  // SCAN may return a key twice while Redis rehashes.
  return [...new Set(keys)];
}

/** Removes every key matching a glob pattern; how many went. */
export async function unlinkMatching(redis: RedisClient, pattern: string): Promise<number> {
  const keys = await scanKeys(redis, pattern);
  let deleted = 0;
  for (let i = 0; i < keys.length; i += BATCH) deleted += await redis.unlink(...keys.slice(i, i + BATCH));
  return deleted;
}

/** One command per key, pipelined; each key's result in order, null where its command failed. */
export async function pipelined(redis: RedisClient, keys: string[], add: (p: ReturnType<RedisClient['pipeline']>, key: string) => unknown): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < keys.length; i += BATCH) {
    const p = redis.pipeline();
    for (const k of keys.slice(i, i + BATCH)) add(p, k);
    const results = (await p.exec()) ?? [];
    for (const [err, value] of results) out.push(err ? null : value);
  }
  return out;
}

/** The named hash fields of each key, in order: null for a missing field, none where the command failed. */
export async function hmgetEach(redis: RedisClient, keys: string[], ...fields: string[]): Promise<(string | null)[][]> {
  const results = await pipelined(redis, keys, (p, k) => p.hmget(k, ...fields));
  return results.map((r) => (Array.isArray(r) ? r.map((v) => (typeof v === 'string' ? v : null)) : []));
}
