/**
 * Every Redis key name of the API cache, built here and only here (the cache's counterpart
 * of `contracts/names.ts`). Entries: `<prefix>:<service>:<userId>:<paramsHash>`; counters:
 * one hash `<prefix>_stats`, outside the `<prefix>:*` pattern so clearing entries by
 * pattern never touches it by accident.
 */
import { createHash } from 'node:crypto';
import type { CacheServiceName } from './services';

/** JSON text of `value` with object keys sorted at every depth: the same params in any order give the same text. */
function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableStringify(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** Short, stable hash of a request's parameters. */
function paramsHash(params: Record<string, unknown>): string {
  return createHash('sha256').update(stableStringify(params)).digest('hex').slice(0, 32);
}

/** The key of one cached response. */
export function cacheEntryKey(prefix: string, service: CacheServiceName, userId: string, params: Record<string, unknown>): string {
  return `${prefix}:${service}:${userId}:${paramsHash(params)}`;
}

/** SCAN pattern for entries: all, one service, or one service of one user. */
export function cacheEntryPattern(prefix: string, service?: CacheServiceName, userId?: string): string {
  if (!service) return `${prefix}:*`;
  return userId ? `${prefix}:${service}:${userId}:*` : `${prefix}:${service}:*`;
}

/** The service and user an entry key belongs to (undefined for a key not shaped like ours). */
export function parseCacheEntryKey(prefix: string, key: string): { service: string; userId: string } | undefined {
  const parts = key.split(':');
  if (parts.length !== 4 || parts[0] !== prefix || !parts[1] || !parts[2]) return undefined;
  return { service: parts[1], userId: parts[2] };
}

/** Hash of hit and miss counters, shared by every process (so `cache:stats` sees the API's numbers). */
export function cacheStatsKey(prefix: string): string {
  return `${prefix}_stats`;
}

/** Field of `cacheStatsKey` counting hits or misses of one service. */
export function cacheStatsField(service: CacheServiceName, kind: 'hits' | 'misses'): string {
  return `${service}:${kind}`;
}
