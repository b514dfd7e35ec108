/** The API cache: the service, its key builders (`keys.ts`) and its service names. */
import type { Config } from '../config';
import type { RedisClient } from '../redis/connection';
import { CacheService, type CacheLogger } from './cache-service';

export * from './cache-service';
export * from './services';

/** A cache service with the TTLs, grace and key prefix from config. */
export function createCacheService(config: Pick<Config, 'cache'>, redis: RedisClient, logger?: CacheLogger): CacheService {
  return new CacheService({ redis, ttlSeconds: config.cache.ttlSeconds, graceSeconds: config.cache.graceSeconds, keyPrefix: config.cache.keyPrefix, logger });
}
