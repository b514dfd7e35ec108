/**
 * The dashboard's Accounts page and the OAuth connect flow in real Chromium, against the
 * local YouTube: Connect → the stand-in's consent page → back on the Accounts page with the
 * account connected as the chosen channel; the callback URL replayed is refused and breaks
 * nothing; a revoked grant shows as `needs reconnect` with the reason, and Reconnect mends it;
 * another site's form cannot use the session; a running upload shows its percent on the bulk page.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BulkUploadTask } from '../database/entities';
import { ReauthorizeError } from '../platforms/official-api/errors';
import { YOUTUBE_SCOPES } from '../platforms/youtube/youtube';
import { startTestStack, type TestStack } from './fixtures/stack';
import { waitFor } from './fixtures/wait';
import { youtubeFaults } from './fixtures/youtube';
import { signedInPage as signInAt } from './fixtures/browser';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');
const CHANNELS = [
  { id: 'UC_alpha_channel_01', title: 'Alpha Channel' },
  { id: 'UC_bravo_channel_02', title: 'Bravo Channel' },
  { id: 'UC_charlie_chan_03', title: 'Charlie Channel' },
];

interface AccountJson {
  connection: { status: string; externalName: string | null; lastError: string | null } | null;
}

describe('the Accounts page and connecting a YouTube account in Chromium', { timeout: 300_000 }, () => {
  let stack: TestStack | undefined;
  let server: ServerType;
  let base: string;
  let browser: Browser;
  const live = () => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };

  before(async () => {
    // The redirect URI the consent page sends the browser back to names the served API, so the
    // server listens (on a port the system picks) before the stack is configured with its URL.
    server = serve({ fetch: (req) => (stack ? stack.app.fetch(req) : new Response('starting', { status: 503 })), hostname: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The stand-in on `localhost`, clipfleet on `127.0.0.1`: two sites, as Google and clipfleet are,
    // so the way back from the consent page is a cross-site navigation here too.
    // 1 MiB chunks: a large upload reports its progress many times on the way.
    stack = await startTestStack({ youtube: { channels: CHANNELS, host: 'localhost' }, env: { PUBLIC_API_URL: base, YOUTUBE_CHUNK_BYTES: String(1024 * 1024) } });
    browser = await chromium.launch({
      executablePath: stack.config.browser.executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stack?.close();
  });

  const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `dashboard-accounts-${name}.png`), fullPage: true });
  const row = (page: Page, accountId: string) => page.locator(`tr[data-account="${accountId}"]`);
  const connectionText = async (page: Page, accountId: string) => ((await row(page, accountId).locator('[data-field="state"]').textContent()) ?? '').replace(/\s+/g, ' ').trim();

  async function addYouTubeAccount(id: string): Promise<void> {
    const res = await live().api('PUT', '/accounts', { id, platform: 'youtube', username: `${id} owner` });
    assert.equal(res.status, 201, await res.clone().text());
  }

  async function accountJson(id: string): Promise<AccountJson> {
    const res = await live().api('GET', `/accounts/${id}`);
    assert.equal(res.status, 200);
    return (await res.json()) as AccountJson;
  }

  const signedInPage = (target: string) => signInAt(browser, base, target);

  /**
   * Presses the account's Connect (or Reconnect) button on the open Accounts page, picks the
   * channel on the consent page and allows; returns the callback URL the browser visited.
   */
  async function connectInBrowser(page: Page, accountId: string, channelId: string, button: 'Connect' | 'Reconnect'): Promise<string> {
    const youtube = live().youtube!;
    await Promise.all([page.waitForURL(`${youtube.url}/o/oauth2/v2/auth?**`), row(page, accountId).getByRole('button', { name: button }).click()]);
    await page.selectOption('#channel', channelId);
    const callback = page.waitForRequest((r) => r.url().startsWith(`${base}/oauth/callback/youtube?`));
    await Promise.all([page.waitForURL(`${base}/dashboard/accounts?connected=${accountId}`), page.click('#allow')]);
    return (await callback).url();
  }

  it('Connect leads through the consent page and back to the Accounts page, connected as the chosen channel', async () => {
    await addYouTubeAccount('yt-ann');
    const page = await signedInPage('/dashboard/accounts');
    assert.equal(await row(page, 'yt-ann').locator('td').nth(1).textContent(), 'youtube');
    assert.equal(await connectionText(page, 'yt-ann'), 'not connected');
    assert.equal(await row(page, 'yt-ann').getByRole('button', { name: 'Connect' }).count(), 1);
    await screenshot(page, '1-not-connected');

    const youtube = live().youtube!;
    await Promise.all([page.waitForURL(`${youtube.url}/o/oauth2/v2/auth?**`), row(page, 'yt-ann').getByRole('button', { name: 'Connect' }).click()]);
    assert.equal(new URL(page.url()).origin, youtube.url, "the browser is on the provider's consent page");
    const scopes = await page.locator('#scopes li').evaluateAll((items) => items.map((li) => li.getAttribute('data-scope')));
    assert.deepEqual([...scopes].sort(), [...YOUTUBE_SCOPES].sort(), 'the consent page names the scopes clipfleet asks for');
    assert.match((await page.locator('#scopes').textContent()) ?? '', /Upload YouTube videos/);
    await screenshot(page, '2-consent');

    await page.selectOption('#channel', 'UC_bravo_channel_02');
    await Promise.all([page.waitForURL(`${base}/dashboard/accounts?connected=yt-ann`), page.click('#allow')]);
    assert.equal(await page.locator('[data-field="notice"]').textContent(), 'yt-ann connected as Bravo Channel');
    assert.equal(await connectionText(page, 'yt-ann'), 'connected as Bravo Channel');
    assert.equal(await row(page, 'yt-ann').getByRole('button', { name: 'Reconnect' }).count(), 1, 'a connected account offers Reconnect');
    assert.equal((await accountJson('yt-ann')).connection?.status, 'connected');
    await screenshot(page, '3-connected');
    await page.close();
  });

  it('the callback URL opened a second time is refused, and the account stays connected', async () => {
    await addYouTubeAccount('yt-bo');
    const page = await signedInPage('/dashboard/accounts');
    const callbackUrl = await connectInBrowser(page, 'yt-bo', 'UC_alpha_channel_01', 'Connect');
    assert.match(callbackUrl, /[?&]code=[^&]+/);
    assert.match(callbackUrl, /[?&]state=[^&]+/);

    const replay = await page.goto(callbackUrl);
    assert.equal(replay?.status(), 400);
    assert.match((await page.locator('[data-field="connect-error"]').textContent()) ?? '', /already used/);
    await screenshot(page, '4-replay-refused');

    const { connection } = await accountJson('yt-bo');
    assert.equal(connection?.status, 'connected');
    assert.equal(connection?.externalName, 'Alpha Channel');
    await live().deps.connections.authorized('yt-bo');
    await page.goto(`${base}/dashboard/accounts`);
    assert.equal(await connectionText(page, 'yt-bo'), 'connected as Alpha Channel');
    await page.close();
  });

  it('a revoked grant shows as needs reconnect with the reason, and Reconnect connects the account again', async () => {
    const stack = live();
    await stack.connectYouTube('yt-cy', 'UC_charlie_chan_03');
    await youtubeFaults(stack.youtube!, { revokeRefreshTokensOf: 'UC_charlie_chan_03' });
    await youtubeFaults(stack.youtube!, { expireAccessTokens: true });
    // What an upload does: a request as the account, answered 401, then a refresh, refused.
    await assert.rejects(stack.deps.apiPlatform('youtube').identify(await stack.deps.connections.authorized('yt-cy')), ReauthorizeError);
    await assert.rejects(stack.deps.connections.authorized('yt-cy'), ReauthorizeError, 'the account now fails before any work starts');

    const page = await signedInPage('/dashboard/accounts');
    assert.match(await connectionText(page, 'yt-cy'), /^needs reconnect: youtube refused its refresh token: invalid_grant/);
    assert.match((await row(page, 'yt-cy').getAttribute('class')) ?? '', /attention/, 'the row is highlighted');
    await screenshot(page, '5-needs-reconnect');

    await connectInBrowser(page, 'yt-cy', 'UC_charlie_chan_03', 'Reconnect');
    assert.equal(await connectionText(page, 'yt-cy'), 'connected as Charlie Channel');
    await stack.deps.connections.authorized('yt-cy');
    await page.close();
  });

  it('Connect for an account deleted since the page was loaded shows the page again with the reason', async () => {
    await addYouTubeAccount('yt-gone');
    const page = await signedInPage('/dashboard/accounts');
    assert.equal((await live().api('DELETE', '/accounts/yt-gone')).status, 204);
    const [answer] = await Promise.all([page.waitForResponse(`${base}/dashboard/accounts/yt-gone/connect`), row(page, 'yt-gone').getByRole('button', { name: 'Connect' }).click()]);
    assert.equal(answer.status(), 404);
    await page.waitForLoadState();
    assert.equal(await page.locator('[data-field="connect-error"]').textContent(), 'no account "yt-gone"');
    assert.equal(await row(page, 'yt-gone').count(), 0);
    await page.close();
  });

  it("another site's form cannot ride the session into a Connect", async () => {
    await addYouTubeAccount('yt-evil');
    const page = await signedInPage('/dashboard/accounts');
    const connect = `${base}/dashboard/accounts/yt-evil/connect`;
    const evil = http.createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<form method="post" action="${connect}"><button id="go">win a prize</button></form>`),
    );
    evil.listen(0, 'localhost');
    await once(evil, 'listening');
    try {
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      const [answer] = await Promise.all([page.waitForResponse(connect), page.click('#go')]);
      assert.equal(answer.status(), 401, 'the session cookie is not sent with a cross-site post');
    } finally {
      evil.close();
    }
    await page.close();
  });

  it('browser accounts are listed with Check sign-in instead of a Connect button', async () => {
    await live().addAccount({ id: 'demo-dee' });
    const page = await signedInPage('/dashboard/accounts');
    assert.equal(await row(page, 'demo-dee').locator('td').nth(1).textContent(), 'demo');
    const buttons = await row(page, 'demo-dee').getByRole('button').allTextContents();
    assert.deepEqual(buttons, ['Edit demo-dee', 'Check sign-in demo-dee', 'Delete demo-dee']);
    await page.close();
  });

  it('the bulk page shows how far an account is into its YouTube upload, in percent', async (t) => {
    const stack = live();
    await stack.connectYouTube('yt-big', 'UC_alpha_channel_01');
    await stack.addVideo('noise.mp4', { durationSec: 12, noisy: true });
    // About ten seconds on the wire: the page polls the status every two.
    await youtubeFaults(stack.youtube!, { bytesPerSecond: 2_000_000 });
    t.after(() => youtubeFaults(stack.youtube!, null));
    const res = await stack.api('POST', '/bulk-uploads', { taskId: 'yt-percent', platform: 'youtube', videos: [{ path: 'noise.mp4', caption: 'Noise' }], accountIds: ['yt-big'] });
    assert.equal(res.status, 202, await res.clone().text());
    const { workflowId } = (await res.json()) as { workflowId: string };
    await waitFor('the bulk to be registered', async () => (await stack.deps.orm.em.fork().count(BulkUploadTask, { id: 'yt-percent' })) === 1, 30_000);

    const page = await signedInPage('/dashboard/bulks/yt-percent');
    const step = page.locator('tr[data-account="yt-big"] [data-field="currentStep"]');
    await page.waitForFunction(() => /uploading \d{1,2}%/.test(document.querySelector('tr[data-account="yt-big"] [data-field="currentStep"]')?.textContent ?? ''), undefined, {
      timeout: 120_000,
    });
    assert.match((await step.textContent()) ?? '', /^video-1: uploading \d{1,2}% \(\d+(\.\d+)? of \d+(\.\d+)? MB\)$/);
    await screenshot(page, '6-upload-percent');
    assert.equal(((await stack.env.client.workflow.getHandle(workflowId).result()) as { status: string }).status, 'completed');
    await page.close();
  });
});
