/**
 * The read-through cache for external API data: one Redis hash per cached response
 * (`entry.ts`), a TTL per service, the read path with single flight and grace
 * (`read-through.ts`), and stats, keys and invalidation (`admin.ts`). This facade puts the
 * two behind one object built from one set of settings.
 */
import type { RedisClient } from '../redis/connection';
import { CacheAdmin, type CacheKeyInfo, type CacheStats } from './admin';
import { ReadThroughCache, type CacheLogger, type CacheRequest, type CacheResult, type GetOrFetchOptions } from './read-through';
import type { CacheServiceName } from './services';

export { CacheUnavailableError, type CacheKeyInfo, type CacheStats, type ServiceStats } from './admin';
export { CacheFetchError, type CacheLogger, type CacheRequest, type CacheResult, type GetOrFetchOptions } from './read-through';

/** Settings of a cache service. */
export interface CacheServiceOptions {
  redis: RedisClient;
  ttlSeconds: Record<CacheServiceName, number>;
  /** How long past its TTL a value is kept to serve when the upstream fails; 0 = no grace. */
  graceSeconds?: number;
  keyPrefix?: string;
  logger?: CacheLogger;
  /** A Redis command slower than this counts as Redis being down. */
  redisTimeoutMs?: number;
}

/** The read-through cache. Construct one per process and share it. */
export class CacheService {
  readonly keyPrefix: string;
  private readonly reads: ReadThroughCache;
  private readonly admin: CacheAdmin;

  constructor(opts: CacheServiceOptions) {
    const { redis, ttlSeconds, logger } = opts;
    const keyPrefix = opts.keyPrefix ?? 'cache';
    const redisTimeoutMs = opts.redisTimeoutMs ?? 1_000;
    this.keyPrefix = keyPrefix;
    this.reads = new ReadThroughCache({ redis, keyPrefix, ttlSeconds, graceSeconds: opts.graceSeconds ?? 0, logger, redisTimeoutMs });
    // Administrative calls scan and pipeline over every key, so they get a longer deadline.
    this.admin = new CacheAdmin({ redis, keyPrefix, ttlSeconds, timeoutMs: redisTimeoutMs * 10 });
  }

  /**
   * The cached value if fresh, else the upstream's (then stored). Concurrent calls for one
   * key share one upstream call. With grace, an upstream failure serves the expired value.
   */
  getOrFetch<T>(req: CacheRequest, fetch: () => Promise<T>, opts?: GetOrFetchOptions<T>): Promise<CacheResult<T>> {
    return this.reads.getOrFetch(req, fetch, opts);
  }

  /** Whether `key` is shaped like one of this cache's entry keys. */
  isCacheKey(key: string): boolean {
    return this.admin.isCacheKey(key);
  }

  /** Removes one entry by its Redis key (as listed by `keys()`); keys outside the cache are refused. */
  invalidateKey(key: string): Promise<number> {
    return this.admin.invalidateKey(key);
  }

  /** Removes every entry of a service, or of one user within it. */
  invalidateService(service: CacheServiceName, userId?: string): Promise<number> {
    return this.admin.invalidateService(service, userId);
  }

  /** Removes every entry and resets the hit/miss counters. */
  clear(): Promise<number> {
    return this.admin.clear();
  }

  /** Keys per service, hits and misses per service, oldest and newest entry. */
  stats(): Promise<CacheStats> {
    return this.admin.stats();
  }

  /** The entries of all services, one service, or one user of a service, newest first. */
  keys(filter?: { service?: CacheServiceName; userId?: string; limit?: number }): Promise<CacheKeyInfo[]> {
    return this.admin.keys(filter);
  }
}
