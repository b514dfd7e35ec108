/**
 * The demo bulk (run by `npm run demo` once the stack is up): makes two sample clips,
 * creates the accounts, starts a bulk through the HTTP API, shows its progress with a bar,
 * and prints where to look.
 *
 * `--platform demo` (the default): three accounts on the demo platform.
 * `--platform youtube`: one account, demo-yt, on the local YouTube that demo.sh started. A
 * person connects it in the dashboard (`--connect dashboard`, the default: the consent round
 * trip a newcomer should see), or this script does it over HTTP (`--connect auto`, for
 * scripted runs). `--reconnect`: connect it again although clipfleet holds a connection.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { makeSampleVideo } from '../media';
import { approveConsent } from '../stand-ins/youtube/consent';
import { progressBar } from './bulk';

const config = loadConfig();
const api = config.api.publicUrl;
const auth = { authorization: `Bearer ${config.api.token}`, 'content-type': 'application/json' };

const YOUTUBE_ACCOUNT = 'demo-yt';
/** How long a person has to press Connect and Allow. */
const CONNECT_TIMEOUT_MS = 10 * 60_000;

interface Connection {
  status: 'connected' | 'needs_reconnect';
  externalName: string | null;
  connectedAt: string;
  lastError: string | null;
}
interface AccountView {
  connection: Connection | null;
}
interface BulkLinks {
  dashboard: string;
  status: string;
  logs: string;
  webUi: string;
}
interface BulkStatus {
  status: string;
  total: number;
  completed: number;
  failed: number;
  running: number;
  accounts: { accountId: string; error?: string | null; videos: { videoId: string; postUrl?: string | null }[] }[];
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function makeVideos(): Promise<{ path: string; caption: string }[]> {
  const videos = [];
  for (const [i, caption] of ['Sunrise over the test pattern', 'Colour bars, remixed'].entries()) {
    const name = `demo/clip-${i + 1}.mp4`;
    process.stdout.write(`making sample video ${name}… `);
    await makeSampleVideo({ outputPath: path.join(config.media.root, name), width: 640, height: 360, durationSec: 4, fps: 25, pattern: `demo-${i}` });
    console.log('done');
    videos.push({ path: name, caption });
  }
  return videos;
}

async function addDemoPlatformAccounts(): Promise<string[]> {
  const accountIds = ['demo-anna', 'demo-ben', 'demo-chloe'];
  for (const id of accountIds) {
    const password = `${id}-password`;
    const platform = await fetch(`${config.demoPlatform.url}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: id, password }),
    });
    if (!platform.ok && platform.status !== 409) throw new Error(`demo platform refused account ${id}: ${platform.status} ${await platform.text()}`);
    await call('PUT', `${api}/accounts`, { id, platform: 'demo', username: id, password });
  }
  console.log(`accounts ready: ${accountIds.join(', ')}`);
  return accountIds;
}

/** Presses Allow on the local YouTube's consent page for its first channel, and follows the redirect back, as a browser would. */
async function connectOverHttp(id: string): Promise<void> {
  const { consentUrl } = await call<{ consentUrl: string }>('POST', `${api}/accounts/${id}/connect`);
  const back = await approveConsent(consentUrl);
  const done = await fetch(back, { redirect: 'manual' });
  if (done.status !== 303) throw new Error(`the OAuth callback answered ${done.status}: ${(await done.text()).slice(0, 300)}`);
}

/** Waits for a person to connect the account in the dashboard: a connection newer than `before`. */
async function waitForDashboardConnect(id: string, before: Connection | null): Promise<void> {
  const verb = before ? 'Reconnect' : 'Connect';
  console.log(`\nOpen ${api}/dashboard/accounts and press ${verb} on ${id}`);
  console.log(`  (sign in with API_TOKEN${config.api.token === 'dev-token-change-me' ? ': dev-token-change-me' : ', see your .env'}; the local YouTube's consent page`);
  console.log('  asks for a channel: press Allow, and the dashboard shows the account connected)');
  if (before) console.log(`  ${id}'s earlier connection was made with a local YouTube that has since restarted, so it is void`);
  console.log(`waiting up to ${CONNECT_TIMEOUT_MS / 60_000} minutes… (or run again with --connect auto)`);
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { connection } = await call<AccountView>('GET', `${api}/accounts/${id}`);
    if (connection?.status === 'connected' && connection.connectedAt !== before?.connectedAt) return;
    await sleep(2_000);
  }
  throw new Error(
    `${id} was not connected within ${CONNECT_TIMEOUT_MS / 60_000} minutes: press ${verb} at ${api}/dashboard/accounts, then run npm run demo -- --platform youtube again`,
  );
}

async function addYouTubeAccount(connect: 'dashboard' | 'auto', reconnect: boolean): Promise<string[]> {
  // No password: an API account is connected with OAuth.
  const { connection } = await call<AccountView>('PUT', `${api}/accounts`, { id: YOUTUBE_ACCOUNT, platform: 'youtube', username: 'Demo channel' });
  if (connection?.status === 'connected' && !reconnect) {
    console.log(`account ready: ${YOUTUBE_ACCOUNT}, connected as ${connection.externalName ?? 'its channel'}`);
    return [YOUTUBE_ACCOUNT];
  }
  if (connect === 'auto') await connectOverHttp(YOUTUBE_ACCOUNT);
  else await waitForDashboardConnect(YOUTUBE_ACCOUNT, connection);
  const { connection: now } = await call<AccountView>('GET', `${api}/accounts/${YOUTUBE_ACCOUNT}`);
  console.log(`account ready: ${YOUTUBE_ACCOUNT}, connected as ${now?.externalName ?? 'its channel'}`);
  return [YOUTUBE_ACCOUNT];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      platform: { type: 'string', default: 'demo' },
      connect: { type: 'string', default: 'dashboard' },
      reconnect: { type: 'boolean', default: false },
    },
  });
  const { platform, connect, reconnect } = values;
  if (platform !== 'demo' && platform !== 'youtube') throw new Error(`--platform must be demo or youtube, not "${platform}"`);
  if (connect !== 'dashboard' && connect !== 'auto') throw new Error(`--connect must be dashboard or auto, not "${connect}"`);

  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const taskId = platform === 'youtube' ? `demo-yt-${stamp}` : `demo-${stamp}`;
  const videos = await makeVideos();
  const accountIds = platform === 'youtube' ? await addYouTubeAccount(connect, reconnect) : await addDemoPlatformAccounts();

  const started = await call<{ links: BulkLinks }>('POST', `${api}/bulk-uploads`, {
    taskId,
    videos,
    accountIds,
    platform,
    options: { uniquifyPreset: 'fast', concurrency: 3, ...(platform === 'youtube' ? { youtube: { privacyStatus: 'private', madeForKids: false } } : {}) },
  });
  console.log(`started bulk ${taskId}\n  dashboard:       ${started.links.dashboard}\n  Temporal Web UI: ${started.links.webUi}`);

  let status: BulkStatus;
  const tty = process.stdout.isTTY;
  for (;;) {
    status = await call(`GET`, started.links.status);
    const done = status.completed + status.failed;
    const line = `${progressBar(done, status.total)} accounts  ${status.completed} completed, ${status.failed} failed, ${status.running} running`;
    if (tty) process.stdout.write(`\r${line}\x1b[K`);
    else console.log(line);
    if (!['pending', 'running'].includes(status.status)) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  if (tty) process.stdout.write('\n');
  console.log(`\nbulk ${taskId}: ${status.status}`);
  console.log(`  dashboard:        ${started.links.dashboard}   (sign in with API_TOKEN: ${config.api.token === 'dev-token-change-me' ? 'dev-token-change-me' : 'see your .env'})`);
  console.log(`  Temporal Web UI:  ${started.links.webUi}`);
  console.log(`  status (API):     ${started.links.status}   (header: Authorization: Bearer <API_TOKEN>)`);
  console.log(`  logs (API):       ${started.links.logs}`);
  if (platform === 'youtube') {
    for (const account of status.accounts) {
      for (const video of account.videos) console.log(`  ${account.accountId} ${video.videoId}:  ${video.postUrl ?? 'not published'}`);
      if (account.error) console.log(`  ${account.accountId} failed: ${account.error}`);
    }
    console.log(`  (the links are YouTube's form of the video ids; the videos live only in the local YouTube, ${new URL(config.youtube.authUrl).origin})`);
    console.log(`  accounts:         ${api}/dashboard/accounts`);
  } else {
    console.log(`  demo platform:    ${config.demoPlatform.url}/api/posts`);
  }
  console.log(`  debug commands:   npm run bulk -- status ${taskId}  |  npm run bulk -- logs ${taskId}`);
  process.exit(status.status === 'completed' ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
