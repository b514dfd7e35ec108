/**
 * The API process (`npm run api`): Hono on API_PORT, and — unless DEMO_PLATFORM_EMBEDDED
 * is false — the demo platform beside it on DEMO_PLATFORM_PORT.
 */
import { serve } from '@hono/node-server';
import { createSignInBrowsers } from '../accounts/check-sign-in';
import { loadConfig } from '../config';
import { startDemoPlatform } from '../demo-platform/server';
import { bulkService, connectTemporal, openServices } from '../runtime';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const services = await openServices(config, { name: 'clipfleet-api' });
  if (!services.redisUp) console.warn(`api: Redis does not answer on ${config.redis.url}; logs are read from the database until it does`);
  const temporal = await connectTemporal(config);
  const signInBrowsers = createSignInBrowsers(config.browser);
  const app = createApp({
    config,
    temporal: temporal.client,
    orm: services.orm,
    logStore: services.logStore,
    secrets: services.secrets,
    bulks: bulkService(services, temporal.client),
    cache: services.cacheClients,
    connections: services.connections,
    signInBrowsers,
  });

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
    await signInBrowsers.close();
    await temporal.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
