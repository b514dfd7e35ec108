/**
 * The demo bulk (run by `npm run demo` once the stack is up): makes two sample clips,
 * creates the accounts, starts a bulk through the HTTP API, shows its progress with a bar,
 * and prints where to look.
 *
 * `--platform demo` (the default): three accounts on the demo platform.
 * `--platform youtube|tiktok|instagram`: one account (demo-yt, demo-tt, demo-ig) on the
 * platform's local stand-in that demo.sh started. A person connects it in the dashboard
 * (`--connect dashboard`, the default: the consent round trip a newcomer should see), or this
 * script does it over HTTP (`--connect auto`, for scripted runs). `--reconnect`: connect it
 * again although clipfleet holds a connection.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import type { BulkUploadRequest } from '../contracts/bulk-input';
import { API_PLATFORM_NAMES, isApiPlatform, type ApiPlatformName } from '../contracts/platforms';
import { makeSampleVideo } from '../media';
import { approveConsent as approveInstagram } from '../stand-ins/instagram/consent';
import { approveConsent as approveTikTok } from '../stand-ins/tiktok/consent';
import { approveConsent as approveYouTube } from '../stand-ins/youtube/consent';
import { progressBar } from './bulk';

const config = loadConfig();
const api = config.api.publicUrl;
const auth = { authorization: `Bearer ${config.api.token}`, 'content-type': 'application/json' };

/** How long a person has to press Connect and Allow. */
const CONNECT_TIMEOUT_MS = 10 * 60_000;

/** The demo's account on an API platform's local stand-in, and what differs from one platform to the next. */
interface ApiDemo {
  /** The platform's name as people write it. */
  title: string;
  account: string;
  /** The account's name until it is connected. */
  username: string;
  /** Where the stand-in lives (the consent page's origin). */
  origin: string;
  /** What a person does on the stand-in's consent page. */
  consent: string;
  /** Does that over HTTP; resolves to the redirect back to clipfleet's callback. */
  approve: (consentUrl: string) => Promise<URL>;
  options: BulkUploadRequest['options'];
  /** What the printed post links are. */
  links: string;
}

const API_DEMOS: Record<ApiPlatformName, ApiDemo> = {
  youtube: {
    title: 'YouTube',
    account: 'demo-yt',
    username: 'Demo channel',
    origin: new URL(config.youtube.authUrl).origin,
    consent: 'asks for a channel: press Allow',
    approve: approveYouTube,
    options: { youtube: { privacyStatus: 'private', madeForKids: false } },
    links: "YouTube's form of the video ids; the videos live only in the local YouTube",
  },
  tiktok: {
    title: 'TikTok',
    account: 'demo-tt',
    username: 'Demo creator',
    origin: new URL(config.tiktok.authUrl).origin,
    consent: 'asks for an account: press Allow',
    approve: approveTikTok,
    // The stand-in's client is unaudited, as a new TikTok app is: it may post SELF_ONLY only.
    options: { tiktok: { privacyLevel: 'SELF_ONLY', mode: 'direct' } },
    links: "TikTok's form, the profile for a SELF_ONLY post, which has no public id; the posts live only in the local TikTok",
  },
  instagram: {
    title: 'Instagram',
    account: 'demo-ig',
    username: 'Demo Reels',
    origin: new URL(config.instagram.graphRootUrl).origin,
    consent: 'asks who you are and which permissions to grant: leave them ticked and press Continue',
    approve: approveInstagram,
    options: { instagram: { shareToFeed: true } },
    links: "Instagram's form; the Reels live only in the local Instagram",
  },
};

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

/** Allows on the stand-in's consent page for its first account, and follows the redirect back, as a browser would. */
async function connectOverHttp(demo: ApiDemo): Promise<void> {
  const { consentUrl } = await call<{ consentUrl: string }>('POST', `${api}/accounts/${demo.account}/connect`);
  const back = await demo.approve(consentUrl);
  const done = await fetch(back, { redirect: 'manual' });
  if (done.status !== 303) throw new Error(`the OAuth callback answered ${done.status}: ${(await done.text()).slice(0, 300)}`);
}

/** Waits for a person to connect the account in the dashboard: a connection newer than `before`. */
async function waitForDashboardConnect(platform: ApiPlatformName, before: Connection | null): Promise<void> {
  const { account: id, consent, title } = API_DEMOS[platform];
  const verb = before ? 'Reconnect' : 'Connect';
  console.log(`\nOpen ${api}/dashboard/accounts and press ${verb} on ${id}`);
  console.log(`  (sign in with API_TOKEN${config.api.token === 'dev-token-change-me' ? ': dev-token-change-me' : ', see your .env'}; the local ${title}'s consent page`);
  console.log(`  ${consent}, and the dashboard shows the account connected)`);
  if (before) console.log(`  ${id}'s earlier connection was made with a local ${title} that has since restarted, so it is void`);
  console.log(`waiting up to ${CONNECT_TIMEOUT_MS / 60_000} minutes… (or run again with --connect auto)`);
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { connection } = await call<AccountView>('GET', `${api}/accounts/${id}`);
    if (connection?.status === 'connected' && connection.connectedAt !== before?.connectedAt) return;
    await sleep(2_000);
  }
  throw new Error(
    `${id} was not connected within ${CONNECT_TIMEOUT_MS / 60_000} minutes: press ${verb} at ${api}/dashboard/accounts, then run npm run demo -- --platform ${platform} again`,
  );
}

async function addApiAccount(platform: ApiPlatformName, connect: 'dashboard' | 'auto', reconnect: boolean): Promise<string[]> {
  const demo = API_DEMOS[platform];
  // No password: an API account is connected with OAuth.
  const { connection } = await call<AccountView>('PUT', `${api}/accounts`, { id: demo.account, platform, username: demo.username });
  if (connection?.status === 'connected' && !reconnect) {
    console.log(`account ready: ${demo.account}, connected as ${connection.externalName ?? 'its account'}`);
    return [demo.account];
  }
  if (connect === 'auto') await connectOverHttp(demo);
  else await waitForDashboardConnect(platform, connection);
  const { connection: now } = await call<AccountView>('GET', `${api}/accounts/${demo.account}`);
  console.log(`account ready: ${demo.account}, connected as ${now?.externalName ?? 'its account'}`);
  return [demo.account];
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
  if (platform !== 'demo' && !isApiPlatform(platform)) throw new Error(`--platform must be one of demo, ${API_PLATFORM_NAMES.join(', ')}; not "${platform}"`);
  if (connect !== 'dashboard' && connect !== 'auto') throw new Error(`--connect must be dashboard or auto, not "${connect}"`);
  const demo = platform === 'demo' ? undefined : API_DEMOS[platform];

  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const taskId = `${demo?.account ?? 'demo'}-${stamp}`;
  const videos = await makeVideos();
  const accountIds = platform === 'demo' ? await addDemoPlatformAccounts() : await addApiAccount(platform, connect, reconnect);

  const started = await call<{ links: BulkLinks }>('POST', `${api}/bulk-uploads`, {
    taskId,
    videos,
    accountIds,
    platform,
    options: { uniquifyPreset: 'fast', concurrency: 3, ...demo?.options },
  } satisfies BulkUploadRequest);
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
  console.log(`  your own bulk:    ${api}/dashboard/videos (upload) → ${api}/dashboard/accounts (add) → ${api}/dashboard/bulks/new (start)`);
  console.log(`  status (API):     ${started.links.status}   (header: Authorization: Bearer <API_TOKEN>)`);
  console.log(`  logs (API):       ${started.links.logs}`);
  if (demo) {
    for (const account of status.accounts) {
      for (const video of account.videos) console.log(`  ${account.accountId} ${video.videoId}:  ${video.postUrl ?? 'not published'}`);
      if (account.error) console.log(`  ${account.accountId} failed: ${account.error}`);
    }
    console.log(`  (the links are ${demo.links}, ${demo.origin})`);
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
