/**
 * Runs the YouTube stand-in alone: `npm run youtube-stand-in -- --port 3200 --client-id x --client-secret y`.
 * Everything comes from the command line (only config/ reads the environment).
 */
import { parseArgs } from 'node:util';
import { startYouTubeStandIn } from './server';
import { closeOnSignals } from '../../runtime/signals';

const USAGE =
  'usage: npm run youtube-stand-in -- --client-id <id> --client-secret <secret> [--port 3200] [--host 127.0.0.1] ' +
  '[--redirect-uri <uri>]... [--channel <id>=<title>]... [--processing-ms 3000] [--quota-per-day 10000] [--insert-cost 1600] [--data-dir <dir>]';

/** A non-negative integer option, or undefined when not given. */
function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a non-negative integer, not ${value}\n${USAGE}`);
  return Number(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      channel: { type: 'string', multiple: true },
      'processing-ms': { type: 'string' },
      'quota-per-day': { type: 'string' },
      'insert-cost': { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const clientId = values['client-id'];
  const clientSecret = values['client-secret'];
  if (!clientId || !clientSecret) throw new Error(`--client-id and --client-secret are required\n${USAGE}`);
  const channels = values.channel?.map((spec) => {
    const [id, ...title] = spec.split('=');
    if (!id || title.length === 0) throw new Error(`--channel takes <id>=<title>, not ${spec}\n${USAGE}`);
    return { id, title: title.join('=') };
  });

  const standIn = await startYouTubeStandIn({
    port: integerOption('port', values.port),
    host: values.host,
    clientId,
    clientSecret,
    redirectUris: values['redirect-uri'],
    channels,
    processingMs: integerOption('processing-ms', values['processing-ms']),
    quotaPerDay: integerOption('quota-per-day', values['quota-per-day']),
    insertCost: integerOption('insert-cost', values['insert-cost']),
    dataDir: values['data-dir'],
  });
  console.log(`YouTube stand-in listening on ${standIn.url}`);
  console.log(`  consent: ${standIn.authUrl}`);
  console.log(`  token:   ${standIn.tokenUrl}`);
  console.log(`  API:     ${standIn.apiRootUrl} (googleapis rootUrl)`);
  closeOnSignals('YouTube stand-in', () => standIn.close());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
