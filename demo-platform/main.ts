/** Runs the demo platform alone: `npm run demo-platform`. */
import { loadConfig } from '../config';
import { startDemoPlatform } from './server';

async function main(): Promise<void> {
  const { demoPlatform } = loadConfig();
  const running = await startDemoPlatform({
    dataDir: demoPlatform.dataDir,
    host: demoPlatform.host,
    port: demoPlatform.port,
    // With port 0 the configured URL cannot be right; post URLs then follow the request's origin.
    publicUrl: demoPlatform.port === 0 ? undefined : demoPlatform.url,
  });
  console.log(`demo platform listening on ${running.url} (data in ${demoPlatform.dataDir})`);
  const stop = (): void => {
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('demo platform: failed to close cleanly:', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
