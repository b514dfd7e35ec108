/**
 * The API process (`npm run api`): Hono on API_PORT, and — unless DEMO_PLATFORM_EMBEDDED
 * is false — the demo platform beside it on DEMO_PLATFORM_PORT.
 */
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { openDatabase } from '../database/orm';
import { loadSecretBox } from '../database/secrets';
import { startDemoPlatform } from '../demo-platform/server';
import { createLogStore } from '../logs/log-store';
import { createRedis, waitForRedis } from '../redis/connection';
import { createApp } from './app';
import { cacheDepsFromConfig } from './routes/cache';

async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await openDatabase(config.database);
  const redis = createRedis(config.redis.url, 'clipfleet-api');
  if (!(await waitForRedis(redis))) console.warn(`api: Redis does not answer on ${config.redis.url}; logs are read from the database until it does`);
  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const logStore = createLogStore({ orm, redis, maxLines: config.redis.logMaxLines, ttlSeconds: config.redis.logTtlSeconds, consoleWrite: null });
  const secrets = loadSecretBox({ key: config.database.secretsKey, keyFile: config.database.secretsKeyFile });
  const app = createApp({ config, temporal, orm, logStore, secrets, cache: cacheDepsFromConfig(config, redis) });

  const demo = config.demoPlatform.embedded
    ? await startDemoPlatform({ dataDir: config.demoPlatform.dataDir, host: config.demoPlatform.host, port: config.demoPlatform.port, publicUrl: config.demoPlatform.url })
    : undefined;
  const server = serve({ fetch: app.fetch, hostname: config.api.host, port: config.api.port }, () => {
    console.log(`api: ${config.api.publicUrl}  (Temporal Web UI ${config.temporal.uiUrl})`);
    if (demo) console.log(`demo platform: ${demo.url}`);
  });

  const stop = async () => {
    server.close();
    await demo?.close();
    await connection.close();
    redis.disconnect();
    await orm.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
