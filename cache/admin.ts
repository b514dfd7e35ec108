/**
 * The administrative side of the cache: stats, listing keys, invalidation and clearing.
 * These calls fail, with `CacheUnavailableError`, when Redis does not answer: pretending to
 * have cleared a cache would be worse than saying it could not. Counters live in Redis so
 * every process sees the same numbers.
 */
import type { RedisClient } from '../redis/connection';
import { ENTRY_FIELD } from './entry';
import { cacheEntryPattern, cacheStatsField, cacheStatsKey, parseCacheEntryKey } from './keys';
import { hmgetEach, pipelined, scanKeys, unlinkMatching, withTimeout } from './redis-helpers';
import { CACHE_SERVICES, type CacheServiceName } from './services';

/** Numbers of one service in `CacheService.stats()`. */
export interface ServiceStats {
  keys: number;
  hits: number;
  misses: number;
  ttlSeconds: number;
}

/** What `cache:stats` and `GET /cache/stats` show. */
export interface CacheStats {
  totalKeys: number;
  services: Record<CacheServiceName, ServiceStats>;
  oldest: { key: string; storedAt: string } | null;
  newest: { key: string; storedAt: string } | null;
}

/** One entry as listed by `CacheService.keys()`. */
export interface CacheKeyInfo {
  key: string;
  service: string;
  userId: string;
  storedAt: string | null;
  expiresAt: string | null;
  /** Past its TTL, kept only for grace. */
  stale: boolean;
  /** Seconds until Redis drops the key (TTL plus grace). */
  redisTtlSeconds: number;
}

/** Redis did not answer an administrative call (invalidate, stats, keys). */
export class CacheUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the cache's Redis is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CacheUnavailableError';
  }
}

/** Settings of the administrative calls. */
export interface CacheAdminOptions {
  redis: RedisClient;
  keyPrefix: string;
  /** Shown in the stats. */
  ttlSeconds: Record<CacheServiceName, number>;
  /** How long one administrative call may take before Redis counts as unavailable. */
  timeoutMs: number;
}

/** Stats, keys and invalidation of the cache's entries. */
export class CacheAdmin {
  constructor(private readonly opts: CacheAdminOptions) {}

  /** Whether `key` is shaped like one of this cache's entry keys. */
  isCacheKey(key: string): boolean {
    return parseCacheEntryKey(this.opts.keyPrefix, key) !== undefined;
  }

  /** Removes one entry by its Redis key (as listed by `keys()`); keys outside the cache are refused. */
  async invalidateKey(key: string): Promise<number> {
    if (!this.isCacheKey(key)) throw new RangeError(`not a cache key: ${key} (expected ${this.opts.keyPrefix}:<service>:<user>:<hash>)`);
    return this.run((redis) => redis.unlink(key));
  }

  /** Removes every entry of a service, or of one user within it. */
  async invalidateService(service: CacheServiceName, userId?: string): Promise<number> {
    return this.run((redis) => unlinkMatching(redis, cacheEntryPattern(this.opts.keyPrefix, service, userId)));
  }

  /** Removes every entry and resets the hit/miss counters. */
  async clear(): Promise<number> {
    return this.run(async (redis) => {
      const deleted = await unlinkMatching(redis, cacheEntryPattern(this.opts.keyPrefix));
      await redis.unlink(cacheStatsKey(this.opts.keyPrefix));
      return deleted;
    });
  }

  /** Keys per service, hits and misses per service, oldest and newest entry. */
  async stats(): Promise<CacheStats> {
    const { keyPrefix, ttlSeconds } = this.opts;
    return this.run(async (redis) => {
      const keys = await scanKeys(redis, cacheEntryPattern(keyPrefix));
      const storedAt = await hmgetEach(redis, keys, ENTRY_FIELD.storedAt);
      const counters = await redis.hgetall(cacheStatsKey(keyPrefix));
      const services = Object.fromEntries(
        CACHE_SERVICES.map((s) => [
          s,
          { keys: 0, hits: Number(counters[cacheStatsField(s, 'hits')] ?? 0), misses: Number(counters[cacheStatsField(s, 'misses')] ?? 0), ttlSeconds: ttlSeconds[s] },
        ]),
      ) as Record<CacheServiceName, ServiceStats>;
      let oldest: { key: string; at: number } | undefined;
      let newest: { key: string; at: number } | undefined;
      keys.forEach((key, i) => {
        const service = parseCacheEntryKey(keyPrefix, key)?.service;
        if (service && service in services) services[service as CacheServiceName].keys += 1;
        const at = Number(storedAt[i]?.[0]);
        if (!Number.isFinite(at) || at <= 0) return;
        if (!oldest || at < oldest.at) oldest = { key, at };
        if (!newest || at > newest.at) newest = { key, at };
      });
      const show = (e: { key: string; at: number } | undefined) => (e ? { key: e.key, storedAt: new Date(e.at).toISOString() } : null);
      return { totalKeys: keys.length, services, oldest: show(oldest), newest: show(newest) };
    });
  }

  /** The entries of all services, one service, or one user of a service, newest first. */
  async keys(filter: { service?: CacheServiceName; userId?: string; limit?: number } = {}): Promise<CacheKeyInfo[]> {
    const { keyPrefix } = this.opts;
    return this.run(async (redis) => {
      const keys = (await scanKeys(redis, cacheEntryPattern(keyPrefix, filter.service, filter.service ? filter.userId : undefined))).filter(
        (k) => !filter.userId || parseCacheEntryKey(keyPrefix, k)?.userId === filter.userId,
      );
      const fields = await hmgetEach(redis, keys, ENTRY_FIELD.storedAt, ENTRY_FIELD.expiresAt);
      const ttls = await pipelined(redis, keys, (p, k) => p.pttl(k));
      const now = Date.now();
      const infos = keys.map((key, i): CacheKeyInfo => {
        const parsed = parseCacheEntryKey(keyPrefix, key);
        const [stored, expires] = (fields[i] ?? []).map((v) => (v ? Number(v) : null));
        return {
          key,
          service: parsed?.service ?? '?',
          userId: parsed?.userId ?? '?',
          storedAt: stored ? new Date(stored).toISOString() : null,
          expiresAt: expires ? new Date(expires).toISOString() : null,
          stale: expires !== null && expires !== undefined && expires <= now,
          redisTtlSeconds: Math.max(0, Math.round(Number(ttls[i] ?? 0) / 1000)),
        };
      });
      infos.sort((a, b) => (b.storedAt ?? '').localeCompare(a.storedAt ?? ''));
      return infos.slice(0, filter.limit ?? 1_000);
    });
  }

  /** Runs an administrative call, turning a failure or a timeout into `CacheUnavailableError`. */
  private async run<T>(op: (redis: RedisClient) => Promise<T>): Promise<T> {
    try {
      return await withTimeout(() => op(this.opts.redis), this.opts.timeoutMs);
    } catch (err) {
      throw new CacheUnavailableError(err);
    }
  }
}
