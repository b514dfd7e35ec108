/**
 * Wiring: opens what clipfleet's processes need from the configuration, the same way for
 * each of them (the worker, the API, `npm run bulk`, the fan-out benchmark, the test
 * stacks), and closes it again. Tools that measure or administer one part alone (the
 * cache command, the cache and log benchmarks) open only that part.
 */
import { Client, Connection } from '@temporalio/client';
import { sealLegacyProxies } from '../accounts/proxy';
import type { ActivityDeps } from '../activities';
import { createBulkService, type BulkService } from '../bulks';
import { createCacheService, type CacheService } from '../cache';
import type { Config } from '../config';
import { openDatabase, type Orm } from '../database/orm';
import { loadSecretBox, type SecretBox } from '../database/secrets';
import { GoogleAPICache } from '../integrations/google/google-api-cache';
import { HuntflowAPICache } from '../integrations/huntflow/huntflow-api-cache';
import { HuntflowClient, huntflowOptionsFromConfig } from '../integrations/huntflow/huntflow-client';
import { createLogStore, type LogStore } from '../logs/log-store';
import { configureFfmpeg } from '../media';
import { createBrowserPool } from '../platforms/browser-pool';
import { createConnectionStore, type ConnectionStore } from '../platforms/official-api/connections';
import { createQuotaLedger } from '../platforms/official-api/quota';
import { getApiPlatform, getPlatformAdapter, platformOptions } from '../platforms/registry';
import { createRedis, waitForRedis, type RedisClient } from '../redis/connection';
import { scheduleClock } from '../scheduling/clock';
import { createPacerClient } from '../scheduling/pacer-client';

/** The API cache and the Google and Huntflow clients that read through it. */
export interface CacheClients {
  cache: CacheService;
  google: GoogleAPICache;
  huntflow: HuntflowAPICache;
}

/** The shared services of a process. */
export interface Services {
  config: Config;
  orm: Orm;
  redis: RedisClient;
  logStore: LogStore;
  secrets: SecretBox;
  cacheClients: CacheClients;
  /** OAuth connections of API accounts (connect, tokens, refresh). */
  connections: ConnectionStore;
  /** True when Redis answered at start; readers fall back to the database meanwhile. */
  redisUp: boolean;
  close(): Promise<void>;
}

export interface OpenServicesOptions {
  /** Redis client name, as `CLIENT LIST` shows it, e.g. `clipfleet-api`. */
  name: string;
  /** Write log lines to the console too (the worker does; the API and tests do not). */
  consoleLogs?: boolean;
  /** How long to wait for Redis before going on without it. */
  redisWaitMs?: number;
}

/** Builds the cache clients over one Redis client. */
export function openCacheClients(config: Pick<Config, 'cache' | 'google' | 'huntflow'>, redis: RedisClient): CacheClients {
  const cache = createCacheService(config, redis);
  const huntflowClient = new HuntflowClient({ ...huntflowOptionsFromConfig(config.huntflow), log: (m) => console.log(`${new Date().toISOString()} ${m}`) });
  return { cache, google: new GoogleAPICache({ cache, google: config.google }), huntflow: new HuntflowAPICache(cache, huntflowClient) };
}

/** The OAuth connections of API accounts, over the database and the secret box. */
export function openConnectionStore(
  config: Pick<Config, 'oauth' | 'demoPlatform' | 'platforms' | 'youtube' | 'tiktok' | 'instagram'>,
  orm: Orm,
  secrets: SecretBox,
): ConnectionStore {
  const platforms = platformOptions(config);
  return createConnectionStore({ orm, secrets, stateTtlSeconds: config.oauth.stateTtlSeconds, platform: (name) => getApiPlatform(name, platforms) });
}

/**
 * Points the media layer at ffmpeg, and opens the database (migrating it, and sealing proxy
 * passwords older rows hold in clear), Redis, the log store, the secret box and the cache clients.
 */
export async function openServices(config: Config, opts: OpenServicesOptions): Promise<Services> {
  // Once per process: admission probes videos, the worker encodes them.
  configureFfmpeg({ ffmpegPath: config.media.ffmpegPath, ffprobePath: config.media.ffprobePath });
  const orm = await openDatabase(config.database);
  const redis = createRedis(config.redis.url, opts.name);
  const close = async () => {
    redis.disconnect();
    await orm.close();
  };
  try {
    const redisUp = await waitForRedis(redis, opts.redisWaitMs);
    const logStore = createLogStore({
      orm,
      redis,
      maxLines: config.redis.logMaxLines,
      ttlSeconds: config.redis.logTtlSeconds,
      ...(opts.consoleLogs ? {} : { consoleWrite: null }),
    });
    const secrets = loadSecretBox({ key: config.database.secretsKey, keyFile: config.database.secretsKeyFile });
    await sealLegacyProxies(orm, secrets);
    return {
      config,
      orm,
      redis,
      logStore,
      secrets,
      cacheClients: openCacheClients(config, redis),
      connections: openConnectionStore(config, orm, secrets),
      redisUp,
      close,
    };
  } catch (err) {
    // A bad SECRETS_KEY, say: close what is open, so the process can exit with the message.
    await close();
    throw err;
  }
}

/** What the activities need, on top of the shared services: the browser pool and the platforms. */
export function activityDeps(services: Services): ActivityDeps & { close(): Promise<void> } {
  const { config } = services;
  const browserPool = createBrowserPool(config.browser);
  const platforms = platformOptions(config);
  const pacer = createPacerClient(() => connectTemporal(config), config.temporal.taskQueue);
  return {
    orm: services.orm,
    logStore: services.logStore,
    secrets: services.secrets,
    browserPool,
    platform: (name) => getPlatformAdapter(name, platforms),
    apiPlatform: (name) => getApiPlatform(name, platforms),
    connections: services.connections,
    quota: createQuotaLedger(services.orm),
    media: config.media,
    google: services.cacheClients.google,
    scheduling: { clock: scheduleClock(config.scheduleClock), pacer },
    async close() {
      await browserPool.close();
      await pacer.close();
    },
  };
}

/** A Temporal client on the configured server and namespace. */
export async function connectTemporal(config: Pick<Config, 'temporal'>): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: config.temporal.address });
  return { client: new Client({ connection, namespace: config.temporal.namespace }), close: () => connection.close() };
}

/** The bulk use cases over a Temporal client and the process's services. */
export function bulkService(services: Services, temporal: Client): BulkService {
  return createBulkService({ temporal, orm: services.orm, config: services.config });
}

/** A worker's dependencies: the shared services plus the activities' own, closed together. */
export interface WorkerRuntime extends ActivityDeps {
  services: Services;
  redis: RedisClient;
  close(): Promise<void>;
}

/** Opens everything a worker's activities need (the worker process, test stacks, benchmarks). */
export async function openWorkerRuntime(config: Config, opts: { consoleLogs?: boolean } = {}): Promise<WorkerRuntime> {
  const services = await openServices(config, { name: 'clipfleet-worker', consoleLogs: opts.consoleLogs ?? true });
  const deps = activityDeps(services);
  return {
    ...deps,
    services,
    redis: services.redis,
    async close() {
      await deps.close();
      await services.close();
    },
  };
}
