/**
 * Runs the YouTube stand-in alone: `npm run youtube-stand-in -- --port 3200 --client-id x --client-secret y`.
 * Everything comes from the command line (only config/ reads the environment).
 */
import { parseArgs } from 'node:util';
import { closeOnSignals } from '../../runtime/signals';
import { COMMON_OPTIONS, integerOption, runMain } from '../shared/main';
import { startYouTubeStandIn } from './server';

const USAGE =
  'usage: npm run youtube-stand-in -- --client-id <id> --client-secret <secret> [--port 3200] [--host 127.0.0.1] ' +
  '[--redirect-uri <uri>]... [--channel <id>=<title>]... [--processing-ms 3000] [--quota-per-day 10000] [--insert-cost 1600] [--data-dir <dir>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...COMMON_OPTIONS,
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      channel: { type: 'string', multiple: true },
      'processing-ms': { type: 'string' },
      'quota-per-day': { type: 'string' },
      'insert-cost': { type: 'string' },
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
    port: integerOption('port', values.port, USAGE),
    host: values.host,
    clientId,
    clientSecret,
    redirectUris: values['redirect-uri'],
    channels,
    processingMs: integerOption('processing-ms', values['processing-ms'], USAGE),
    quotaPerDay: integerOption('quota-per-day', values['quota-per-day'], USAGE),
    insertCost: integerOption('insert-cost', values['insert-cost'], USAGE),
    dataDir: values['data-dir'],
  });
  console.log(`YouTube stand-in listening on ${standIn.url}`);
  console.log(`  consent: ${standIn.authUrl}`);
  console.log(`  token:   ${standIn.tokenUrl}`);
  console.log(`  API:     ${standIn.apiRootUrl} (googleapis rootUrl)`);
  closeOnSignals('YouTube stand-in', () => standIn.close());
}

runMain(main);
