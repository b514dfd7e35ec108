/**
 * Runs the Instagram stand-in alone: `tsx stand-ins/instagram/main.ts --port 3400 --app-id x --app-secret y`.
 * Everything comes from the command line (only config/ reads the environment).
 */
import { parseArgs } from 'node:util';
import { closeOnSignals } from '../../runtime/signals';
import { COMMON_OPTIONS, integerOption, runMain } from '../shared/main';
import { startInstagramStandIn } from './server';

const USAGE =
  'usage: tsx stand-ins/instagram/main.ts --app-id <id> --app-secret <secret> [--port 3400] [--host 127.0.0.1] [--redirect-uri <uri>]... ' +
  '[--processing-ms 3000] [--publish-limit 50] [--publish-window-seconds 86400] [--short-lived-ttl-seconds 3600] ' +
  '[--long-lived-ttl-seconds 5184000] [--container-ttl-ms 86400000] [--data-dir <dir>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...COMMON_OPTIONS,
      'app-id': { type: 'string' },
      'app-secret': { type: 'string' },
      'processing-ms': { type: 'string' },
      'publish-limit': { type: 'string' },
      'publish-window-seconds': { type: 'string' },
      'short-lived-ttl-seconds': { type: 'string' },
      'long-lived-ttl-seconds': { type: 'string' },
      'container-ttl-ms': { type: 'string' },
    },
  });
  const appId = values['app-id'];
  const appSecret = values['app-secret'];
  if (!appId || !appSecret) throw new Error(`--app-id and --app-secret are required\n${USAGE}`);

  const standIn = await startInstagramStandIn({
    port: integerOption('port', values.port, USAGE),
    host: values.host,
    appId,
    appSecret,
    redirectUris: values['redirect-uri'],
    processingMs: integerOption('processing-ms', values['processing-ms'], USAGE),
    publishLimit: integerOption('publish-limit', values['publish-limit'], USAGE),
    publishWindowSeconds: integerOption('publish-window-seconds', values['publish-window-seconds'], USAGE),
    shortLivedTtlSeconds: integerOption('short-lived-ttl-seconds', values['short-lived-ttl-seconds'], USAGE),
    longLivedTtlSeconds: integerOption('long-lived-ttl-seconds', values['long-lived-ttl-seconds'], USAGE),
    containerTtlMs: integerOption('container-ttl-ms', values['container-ttl-ms'], USAGE),
    dataDir: values['data-dir'],
  });
  console.log(`Instagram stand-in listening on ${standIn.url}`);
  console.log(`  Login dialog: ${standIn.authUrl}`);
  console.log(`  Graph API:    ${standIn.graphRootUrl}v21.0/`);
  console.log(`  rupload:      ${standIn.uploadRootUrl}ig-api-upload/v21.0/<container-id>`);
  closeOnSignals('Instagram stand-in', () => standIn.close());
}

runMain(main);
