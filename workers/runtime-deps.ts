/**
 * Opens everything the activities need from the configuration, and closes it again.
 * Shared by the worker process and the tests, so both wire the same things the same way.
 */
import type { Config } from '../config';
import type { ActivityDeps } from '../activities';
import { openDatabase } from '../database/orm';
import { loadSecretBox } from '../database/secrets';
import { createLogStore } from '../logs/log-store';
import { createBrowserPool } from '../platforms/browser-pool';
import { getPlatformAdapter } from '../platforms/registry';
import { configureFfmpeg } from '../media';
import { createCacheService } from '../cache';
import { GoogleAPICache } from '../integrations/google/google-api-cache';
import { createRedis, waitForRedis, type RedisClient } from '../redis/connection';

export interface RuntimeDeps extends ActivityDeps {
  redis: RedisClient;
  close(): Promise<void>;
}

/** Opens the database (migrating it), Redis, the browser pool and the log store. */
export async function openRuntimeDeps(config: Config, opts: { consoleLogs?: boolean } = {}): Promise<RuntimeDeps> {
  configureFfmpeg({ ffmpegPath: config.media.ffmpegPath, ffprobePath: config.media.ffprobePath });
  const orm = await openDatabase(config.database);
  const redis = createRedis(config.redis.url, 'clipfleet-worker');
  await waitForRedis(redis);
  const logStore = createLogStore({
    orm,
    redis,
    maxLines: config.redis.logMaxLines,
    ttlSeconds: config.redis.logTtlSeconds,
    ...(opts.consoleLogs === false ? { consoleWrite: null } : {}),
  });
  const browserPool = createBrowserPool(config.browser);
  return {
    orm,
    redis,
    logStore,
    browserPool,
    secrets: loadSecretBox({ key: config.database.secretsKey, keyFile: config.database.secretsKeyFile }),
    platform: (name) => getPlatformAdapter(name, { demoPlatformUrl: config.demoPlatform.url }),
    media: config.media,
    google: new GoogleAPICache({ cache: createCacheService(config, redis), google: config.google }),
    async close() {
      await browserPool.close();
      redis.disconnect();
      await orm.close();
    },
  };
}
