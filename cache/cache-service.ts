/**
 * The read-through cache for external API data: one Redis hash per cached response, a TTL
 * per service, single-flight misses, optional grace (serve the expired value when the
 * upstream fails), invalidation, and stats whose counters live in Redis so every process
 * sees the same numbers.
 *
 * Reads never fail because of Redis: when it is down or slow, calls go straight upstream.
 * Administrative calls (invalidate, stats, keys) do fail, with `CacheUnavailableError`,
 * because pretending to have cleared a cache would be worse than saying it could not.
 */
import { z } from 'zod';
import type { RedisClient } from '../redis/connection';
import { cacheEntryKey, cacheEntryPattern, cacheStatsField, cacheStatsKey, parseCacheEntryKey } from './keys';
import { CACHE_SERVICES, type CacheServiceName } from './services';

/** Where the cache's console lines go; tests hand in their own to read them. */
export interface CacheLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Console lines with a timestamp, prefixed `cache:`. */
export const consoleCacheLogger: CacheLogger = {
  info: (m) => console.log(`${new Date().toISOString()} cache: ${m}`),
  warn: (m) => console.warn(`${new Date().toISOString()} cache: ${m}`),
};

/** What identifies one cached response. */
export interface CacheRequest {
  service: CacheServiceName;
  userId: string;
  /** The request's parameters; order does not matter, `undefined` values are dropped. */
  params?: Record<string, unknown>;
}

/** A value and where it came from: Redis, the upstream, or Redis past its TTL (grace). */
export interface CacheResult<T> {
  value: T;
  source: 'cache' | 'upstream' | 'stale';
  /** When the value was fetched from the upstream. */
  storedAt: Date;
}

/** Options of one `getOrFetch` call. */
export interface GetOrFetchOptions<T> {
  /** Checks a value read back from Redis; one that does not match is treated as a miss. */
  schema?: z.ZodType<T>;
  /** Skip a fresh cached value and fetch (the result replaces it). */
  refresh?: boolean;
  /** Allow serving an expired value when the upstream fails (default: on when `graceSeconds` > 0). */
  grace?: boolean;
}

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

/** The upstream failed and there was no value the cache was allowed to serve instead. */
export class CacheFetchError extends Error {
  constructor(
    readonly service: CacheServiceName,
    readonly staleAvailable: boolean,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const fallback = staleAvailable ? 'an expired value exists but grace is off' : 'no cached value to fall back on';
    super(`${service}: upstream failed (${reason}); ${fallback}`, { cause });
    this.name = 'CacheFetchError';
  }
}

/** Redis did not answer an administrative call (invalidate, stats, keys). */
export class CacheUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the cache's Redis is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CacheUnavailableError';
  }
}

const EntrySchema = z.object({ value: z.string(), storedAt: z.coerce.number(), expiresAt: z.coerce.number() });
type Entry = z.infer<typeof EntrySchema>;
const SCAN_COUNT = 500;

/** The read-through cache. Construct one per process and share it. */
export class CacheService {
  readonly keyPrefix: string;
  readonly graceSeconds: number;
  private readonly redis: RedisClient;
  private readonly ttlSeconds: Record<CacheServiceName, number>;
  private readonly logger: CacheLogger;
  private readonly redisTimeoutMs: number;
  private readonly inFlight = new Map<string, Promise<CacheResult<unknown>>>();
  private redisDown = false;

  constructor(opts: CacheServiceOptions) {
    this.redis = opts.redis;
    this.ttlSeconds = opts.ttlSeconds;
    this.graceSeconds = opts.graceSeconds ?? 0;
    this.keyPrefix = opts.keyPrefix ?? 'cache';
    this.logger = opts.logger ?? consoleCacheLogger;
    this.redisTimeoutMs = opts.redisTimeoutMs ?? 1_000;
  }

  /** The Redis key of a request. */
  keyFor(req: CacheRequest): string {
    return cacheEntryKey(this.keyPrefix, req.service, req.userId, req.params ?? {});
  }

  /** A fresh cached value, or undefined (also when Redis is down). Counts a hit or a miss. */
  async get<T>(req: CacheRequest, schema?: z.ZodType<T>): Promise<T | undefined> {
    const entry = await this.readEntry(this.keyFor(req));
    const value = entry && entry.expiresAt > Date.now() ? this.decode(entry, req, schema) : undefined;
    await this.count(req.service, value === undefined ? 'misses' : 'hits');
    return value?.value;
  }

  /** Stores a value under the service's TTL; false when Redis did not take it. */
  async set(req: CacheRequest, value: unknown): Promise<boolean> {
    return this.write(this.keyFor(req), req.service, value);
  }

  /**
   * The cached value if fresh, else the upstream's (then stored). Concurrent calls for one
   * key share one upstream call. With grace, an upstream failure serves the expired value.
   */
  async getOrFetch<T>(req: CacheRequest, fetch: () => Promise<T>, opts: GetOrFetchOptions<T> = {}): Promise<CacheResult<T>> {
    const key = this.keyFor(req);
    // A refresh must not be answered by a plain read already in flight, so it flies alone.
    const flightKey = opts.refresh ? `${key}#refresh` : key;
    let flight = this.inFlight.get(flightKey) as Promise<CacheResult<T>> | undefined;
    if (!flight) {
      flight = this.readThrough(key, req, fetch, opts).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, flight);
    }
    const result = await flight;
    await this.count(req.service, result.source === 'cache' ? 'hits' : 'misses');
    return result;
  }

  /** Removes one cached response; returns how many keys went (0 or 1). */
  async invalidate(req: CacheRequest): Promise<number> {
    return this.admin(() => this.redis.unlink(this.keyFor(req)));
  }

  /** Whether `key` is shaped like one of this cache's entry keys. */
  isCacheKey(key: string): boolean {
    return parseCacheEntryKey(this.keyPrefix, key) !== undefined;
  }

  /** Removes one entry by its Redis key (as listed by `keys()`); keys outside the cache are refused. */
  async invalidateKey(key: string): Promise<number> {
    if (!this.isCacheKey(key)) throw new RangeError(`not a cache key: ${key} (expected ${this.keyPrefix}:<service>:<user>:<hash>)`);
    return this.admin(() => this.redis.unlink(key));
  }

  /** Removes every entry of a service, or of one user within it. */
  async invalidateService(service: CacheServiceName, userId?: string): Promise<number> {
    return this.admin(() => this.deleteMatching(cacheEntryPattern(this.keyPrefix, service, userId)));
  }

  /** Removes every entry and resets the hit/miss counters. */
  async clear(): Promise<number> {
    return this.admin(async () => {
      const deleted = await this.deleteMatching(cacheEntryPattern(this.keyPrefix));
      await this.redis.unlink(cacheStatsKey(this.keyPrefix));
      return deleted;
    });
  }

  /** Keys per service, hits and misses per service, oldest and newest entry. */
  async stats(): Promise<CacheStats> {
    return this.admin(async () => {
      const keys = await this.scan(cacheEntryPattern(this.keyPrefix));
      const storedAt = await this.hmgetAll(keys, 'storedAt');
      const counters = await this.redis.hgetall(cacheStatsKey(this.keyPrefix));
      const services = Object.fromEntries(
        CACHE_SERVICES.map((s) => [s, { keys: 0, hits: Number(counters[cacheStatsField(s, 'hits')] ?? 0), misses: Number(counters[cacheStatsField(s, 'misses')] ?? 0), ttlSeconds: this.ttlSeconds[s] }]),
      ) as Record<CacheServiceName, ServiceStats>;
      let oldest: { key: string; at: number } | undefined;
      let newest: { key: string; at: number } | undefined;
      keys.forEach((key, i) => {
        const service = parseCacheEntryKey(this.keyPrefix, key)?.service;
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
    return this.admin(async () => {
      const keys = (await this.scan(cacheEntryPattern(this.keyPrefix, filter.service, filter.service ? filter.userId : undefined))).filter(
        (k) => !filter.userId || parseCacheEntryKey(this.keyPrefix, k)?.userId === filter.userId,
      );
      const fields = await this.hmgetAll(keys, 'storedAt', 'expiresAt');
      const ttls = await this.pipelined(keys, (p, k) => p.pttl(k));
      const now = Date.now();
      const infos = keys.map((key, i): CacheKeyInfo => {
        const parsed = parseCacheEntryKey(this.keyPrefix, key);
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

  private async readThrough<T>(key: string, req: CacheRequest, fetch: () => Promise<T>, opts: GetOrFetchOptions<T>): Promise<CacheResult<T>> {
    const entry = await this.readEntry(key);
    const cached = entry ? this.decode(entry, req, opts.schema) : undefined;
    const now = Date.now();
    if (cached && entry && !opts.refresh && entry.expiresAt > now) {
      this.logger.info(`from cache ${describe(req)} (stored ${ago(entry.storedAt, now)} ago, expires in ${Math.round((entry.expiresAt - now) / 1000)}s)`);
      return { value: cached.value, source: 'cache', storedAt: new Date(entry.storedAt) };
    }
    let value: T;
    try {
      value = await fetch();
    } catch (err) {
      const graceOn = (opts.grace ?? true) && this.graceSeconds > 0;
      if (graceOn && cached && entry) {
        this.logger.warn(`serving stale ${describe(req)} (stored ${ago(entry.storedAt, now)} ago, expired ${ago(entry.expiresAt, now)} ago): upstream failed: ${err instanceof Error ? err.message : String(err)}`);
        return { value: cached.value, source: 'stale', storedAt: new Date(entry.storedAt) };
      }
      throw new CacheFetchError(req.service, cached !== undefined, err);
    }
    if (await this.write(key, req.service, value)) {
      this.logger.info(`${entry ? 'refreshed' : 'stored'} ${describe(req)} for ${this.ttlSeconds[req.service]}s`);
    }
    return { value, source: 'upstream', storedAt: new Date(now) };
  }

  private decode<T>(entry: Entry, req: CacheRequest, schema?: z.ZodType<T>): { value: T } | undefined {
    try {
      const raw: unknown = JSON.parse(entry.value);
      if (!schema) return { value: raw as T };
      const parsed = schema.safeParse(raw);
      if (parsed.success) return { value: parsed.data };
    } catch {
      // Falls through: an unreadable entry is a miss, and the next store replaces it.
    }
    this.logger.warn(`discarding an unreadable entry of ${describe(req)}`);
    return undefined;
  }

  private async readEntry(key: string): Promise<Entry | undefined> {
    const raw = await this.tolerant(() => this.redis.hgetall(key));
    if (!raw || Object.keys(raw).length === 0) return undefined;
    const parsed = EntrySchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  private async write(key: string, service: CacheServiceName, value: unknown): Promise<boolean> {
    const now = Date.now();
    const ttlMs = this.ttlSeconds[service] * 1000;
    // Redis keeps the value through the grace period; `expiresAt` marks where fresh ends.
    const keepMs = ttlMs + this.graceSeconds * 1000;
    const done = await this.tolerant(() =>
      this.redis
        .multi()
        .hset(key, { value: JSON.stringify(value) ?? 'null', storedAt: String(now), expiresAt: String(now + ttlMs) })
        .pexpire(key, keepMs)
        .exec(),
    );
    return done !== undefined;
  }

  private async count(service: CacheServiceName, kind: 'hits' | 'misses'): Promise<void> {
    await this.tolerant(() => this.redis.hincrby(cacheStatsKey(this.keyPrefix), cacheStatsField(service, kind), 1), { quiet: true });
  }

  /** Runs a Redis call for the read path: on failure or timeout, logs once per outage and yields undefined. */
  private async tolerant<T>(op: () => Promise<T>, opts: { quiet?: boolean } = {}): Promise<T | undefined> {
    try {
      const result = await this.withTimeout(op);
      if (this.redisDown) {
        this.redisDown = false;
        this.logger.info('Redis is back; caching again');
      }
      return result;
    } catch (err) {
      if (!this.redisDown && !opts.quiet) {
        this.redisDown = true;
        this.logger.warn(`Redis unavailable (${err instanceof Error ? err.message : String(err)}); reading straight from upstream`);
      }
      return undefined;
    }
  }

  private async admin<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await this.withTimeout(op, this.redisTimeoutMs * 10);
    } catch (err) {
      throw new CacheUnavailableError(err);
    }
  }

  private async withTimeout<T>(op: () => Promise<T>, ms = this.redisTimeoutMs): Promise<T> {
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

  private async scan(pattern: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    // SCAN may return a key twice while Redis rehashes.
    return [...new Set(keys)];
  }

  private async deleteMatching(pattern: string): Promise<number> {
    const keys = await this.scan(pattern);
    let deleted = 0;
    for (let i = 0; i < keys.length; i += SCAN_COUNT) deleted += await this.redis.unlink(...keys.slice(i, i + SCAN_COUNT));
    return deleted;
  }

  private async hmgetAll(keys: string[], ...fields: string[]): Promise<(string | null)[][]> {
    const results = await this.pipelined(keys, (p, k) => p.hmget(k, ...fields));
    return results.map((r) => (Array.isArray(r) ? r.map((v) => (typeof v === 'string' ? v : null)) : []));
  }

  private async pipelined(keys: string[], add: (p: ReturnType<RedisClient['pipeline']>, key: string) => unknown): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let i = 0; i < keys.length; i += SCAN_COUNT) {
      const p = this.redis.pipeline();
      for (const k of keys.slice(i, i + SCAN_COUNT)) add(p, k);
      const results = (await p.exec()) ?? [];
      for (const [err, value] of results) out.push(err ? null : value);
    }
    return out;
  }
}

function describe(req: CacheRequest): string {
  return `${req.service} of ${req.userId}${req.params && Object.keys(req.params).length ? ` ${JSON.stringify(req.params)}` : ''}`;
}

function ago(at: number, now: number): string {
  return `${Math.max(0, Math.round((now - at) / 1000))}s`;
}
