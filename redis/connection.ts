/**
 * Redis connections. Commands fail fast when Redis is down (no offline queue, one retry)
 * because every caller has a fallback (SQLite for logs, upstream for the cache) and a
 * stalled command would stall a bulk instead.
 */
import Redis from 'ioredis';

export type RedisClient = Redis;

/** Opens a client for `url`; it reconnects in the background after an outage. */
export function createRedis(url: string, name = 'clipfleet'): RedisClient {
  const client = new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Without a listener ioredis prints every reconnect failure as an unhandled error event.
  client.on('error', () => undefined);
  return client;
}

/** Resolves when the client is connected (or after `timeoutMs`, whichever comes first). */
export async function waitForRedis(client: RedisClient, timeoutMs = 3_000): Promise<boolean> {
  if (client.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}
