/**
 * The read path of the cache: a fresh value from Redis, else the upstream's (then stored),
 * one upstream call per key at a time in this process, and with grace an expired value when
 * the upstream fails. Reads never fail because of Redis: when it is down or slow, calls go
 * straight upstream, and the outage is logged once.
 */
import type { z } from 'zod';
import type { RedisClient } from '../redis/connection';
import { CacheEntrySchema, type CacheEntry } from './entry';
import { cacheEntryKey, cacheStatsField, cacheStatsKey } from './keys';
import { withTimeout } from './redis-helpers';
import type { CacheServiceName } from './services';

/** Where the cache's console lines go; tests hand in their own to read them. */
export interface CacheLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Console lines with a timestamp, prefixed `cache:`. */
const consoleCacheLogger: CacheLogger = {
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
}

/** Settings of the read path. */
export interface ReadThroughOptions {
  redis: RedisClient;
  keyPrefix: string;
  ttlSeconds: Record<CacheServiceName, number>;
  /** How long past its TTL a value is kept to serve when the upstream fails; 0 = no grace. */
  graceSeconds: number;
  logger?: CacheLogger;
  /** A Redis command slower than this counts as Redis being down. */
  redisTimeoutMs: number;
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

/** Get-or-fetch over Redis with single flight and grace. */
export class ReadThroughCache {
  private readonly logger: CacheLogger;
  private readonly inFlight = new Map<string, Promise<CacheResult<unknown>>>();
  private redisDown = false;

  constructor(private readonly opts: ReadThroughOptions) {
    this.logger = opts.logger ?? consoleCacheLogger;
  }

  /**
   * The cached value if fresh, else the upstream's (then stored). Concurrent calls for one
   * key share one upstream call. With grace, an upstream failure serves the expired value.
   */
  async getOrFetch<T>(req: CacheRequest, fetch: () => Promise<T>, opts: GetOrFetchOptions<T> = {}): Promise<CacheResult<T>> {
    const key = cacheEntryKey(this.opts.keyPrefix, req.service, req.userId, req.params ?? {});
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
      if (this.opts.graceSeconds > 0 && cached && entry) {
        this.logger.warn(
          `serving stale ${describe(req)} (stored ${ago(entry.storedAt, now)} ago, expired ${ago(entry.expiresAt, now)} ago): upstream failed: ${err instanceof Error ? err.message : String(err)}`,
        );
        return { value: cached.value, source: 'stale', storedAt: new Date(entry.storedAt) };
      }
      throw new CacheFetchError(req.service, cached !== undefined, err);
    }
    if (await this.write(key, req.service, value)) {
      this.logger.info(`${entry ? 'refreshed' : 'stored'} ${describe(req)} for ${this.opts.ttlSeconds[req.service]}s`);
    }
    return { value, source: 'upstream', storedAt: new Date(now) };
  }

  private decode<T>(entry: CacheEntry, req: CacheRequest, schema?: z.ZodType<T>): { value: T } | undefined {
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

  private async readEntry(key: string): Promise<CacheEntry | undefined> {
    const raw = await this.tolerant(() => this.opts.redis.hgetall(key));
    if (!raw || Object.keys(raw).length === 0) return undefined;
    const parsed = CacheEntrySchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  private async write(key: string, service: CacheServiceName, value: unknown): Promise<boolean> {
    const now = Date.now();
    const ttlMs = this.opts.ttlSeconds[service] * 1000;
    // Redis keeps the value through the grace period; `expiresAt` marks where fresh ends.
    const keepMs = ttlMs + this.opts.graceSeconds * 1000;
    const fields: Record<keyof CacheEntry, string> = { value: JSON.stringify(value) ?? 'null', storedAt: String(now), expiresAt: String(now + ttlMs) };
    const done = await this.tolerant(() => this.opts.redis.multi().hset(key, fields).pexpire(key, keepMs).exec());
    return done !== undefined;
  }

  private async count(service: CacheServiceName, kind: 'hits' | 'misses'): Promise<void> {
    await this.tolerant(() => this.opts.redis.hincrby(cacheStatsKey(this.opts.keyPrefix), cacheStatsField(service, kind), 1), { quiet: true });
  }

  /** Runs a Redis call for the read path: on failure or timeout, logs once per outage and yields undefined. */
  private async tolerant<T>(op: () => Promise<T>, opts: { quiet?: boolean } = {}): Promise<T | undefined> {
    try {
      const result = await withTimeout(op, this.opts.redisTimeoutMs);
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
}

function describe(req: CacheRequest): string {
  return `${req.service} of ${req.userId}${req.params && Object.keys(req.params).length ? ` ${JSON.stringify(req.params)}` : ''}`;
}

function ago(at: number, now: number): string {
  return `${Math.max(0, Math.round((now - at) / 1000))}s`;
}
