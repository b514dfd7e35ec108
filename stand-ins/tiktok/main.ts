/**
 * Runs the TikTok stand-in alone: `tsx stand-ins/tiktok/main.ts --port 3300 --client-key x --client-secret y`.
 * Everything comes from the command line (only config/ reads the environment).
 */
import { parseArgs } from 'node:util';
import { closeOnSignals } from '../../runtime/signals';
import { COMMON_OPTIONS, integerOption, runMain } from '../shared/main';
import { startTikTokStandIn, type TikTokUserOptions } from './server';

const USAGE =
  'usage: tsx stand-ins/tiktok/main.ts --client-key <key> --client-secret <secret> [--port 3300] [--host 127.0.0.1] ' +
  '[--redirect-uri <uri>]... [--user <open_id>=<username>=<display name>]... [--audited] [--processing-ms 3000] ' +
  '[--init-per-minute 6] [--status-fetch-per-minute 30] [--rate-window-ms 60000] [--access-token-ttl-seconds 86400] [--data-dir <dir>]';

function userOption(spec: string): TikTokUserOptions {
  const [openId, username, ...name] = spec.split('=');
  if (!openId || !username || name.length === 0) throw new Error(`--user takes <open_id>=<username>=<display name>, not ${spec}\n${USAGE}`);
  return { openId, username, displayName: name.join('=') };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...COMMON_OPTIONS,
      'client-key': { type: 'string' },
      'client-secret': { type: 'string' },
      user: { type: 'string', multiple: true },
      audited: { type: 'boolean' },
      'processing-ms': { type: 'string' },
      'init-per-minute': { type: 'string' },
      'status-fetch-per-minute': { type: 'string' },
      'rate-window-ms': { type: 'string' },
      'access-token-ttl-seconds': { type: 'string' },
    },
  });
  const clientKey = values['client-key'];
  const clientSecret = values['client-secret'];
  if (!clientKey || !clientSecret) throw new Error(`--client-key and --client-secret are required\n${USAGE}`);

  const standIn = await startTikTokStandIn({
    port: integerOption('port', values.port, USAGE),
    host: values.host,
    clientKey,
    clientSecret,
    redirectUris: values['redirect-uri'],
    users: values.user?.map(userOption),
    audited: values.audited,
    processingMs: integerOption('processing-ms', values['processing-ms'], USAGE),
    initPerMinute: integerOption('init-per-minute', values['init-per-minute'], USAGE),
    statusFetchPerMinute: integerOption('status-fetch-per-minute', values['status-fetch-per-minute'], USAGE),
    rateWindowMs: integerOption('rate-window-ms', values['rate-window-ms'], USAGE),
    accessTokenTtlSeconds: integerOption('access-token-ttl-seconds', values['access-token-ttl-seconds'], USAGE),
    dataDir: values['data-dir'],
  });
  console.log(`TikTok stand-in listening on ${standIn.url}`);
  console.log(`  consent: ${standIn.authUrl}`);
  console.log(`  token:   ${standIn.tokenUrl}`);
  console.log(`  API:     ${standIn.apiRootUrl} (open.tiktokapis.com)`);
  closeOnSignals('TikTok stand-in', () => standIn.close());
}

runMain(main);
