/** Runs the demo platform alone: `npm run demo-platform`. */
import { loadConfig } from '../config';
import { startDemoPlatform } from './server';
import { closeOnSignals } from '../runtime/signals';

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
  closeOnSignals('demo platform', () => running.close());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
