/**
 * The dashboard in real Chromium: sign in through the form, open a running bulk's page and
 * watch log lines arrive without a reload; user-supplied text containing `<script>` is
 * shown as text and never runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { API_TOKEN, startTestStack, type TestStack } from './fixtures/stack';
import { waitFor } from './fixtures/wait';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');
const EVIL = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">';

describe('dashboard', { timeout: 120_000 }, () => {
  let stack: TestStack;
  let server: ServerType;
  let base: string;
  let browser: Browser;
  before(async () => {
    stack = await startTestStack();
    server = serve({ fetch: stack.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: stack.config.browser.executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await stack?.close();
  });

  it('shows log lines of a running bulk as they arrive, without a reload, and user text as text', async () => {
    // Slow uploads keep the bulk running while the page watches it.
    await fetch(`${stack.demo.url}/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ slowUploadMs: 2_500 }) });
    await stack.addAccount({ id: 'live-ann' });
    await stack.addAccount({ id: 'live-bob' });
    const videos = [await stack.addVideo('live-a.mp4'), await stack.addVideo('live-b.mp4')];
    const res = await stack.api('POST', '/bulk-uploads', { taskId: 'live-view', videos: videos.map((p) => ({ path: p, caption: EVIL })), accountIds: ['live-ann', 'live-bob'], options: { concurrency: 1 } });
    assert.equal(res.status, 202, await res.clone().text());
    const handle = stack.env.client.workflow.getHandle('bulk-upload-live-view');
    // A line with markup, already there when the page renders (server-side escaping).
    await waitFor('the bulk to be registered', async () => (await stack.deps.orm.em.fork().count('BulkUploadTask', { id: 'live-view' })) === 1, 15_000);
    await stack.deps.logStore.append({ taskId: 'live-view', level: 'warn', message: `before load ${EVIL}` });

    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    await page.goto(`${base}/dashboard/bulks/live-view`);
    assert.match(page.url(), /\/login\?next=/, 'an anonymous browser is sent to sign in');
    await page.fill('input[name=token]', API_TOKEN);
    await Promise.all([page.waitForURL(`${base}/dashboard/bulks/live-view`), page.click('button[type=submit]')]);
    assert.ok(!(await page.content()).includes(API_TOKEN), 'the page never holds the raw token');

    await page.evaluate(() => ((window as unknown as { __loaded: number }).__loaded = 1));
    const rows = page.locator('[data-log-stream] tbody tr');
    const atLoad = await rows.count();
    await page.waitForFunction((n) => document.querySelectorAll('[data-log-stream] tbody tr').length > n, atLoad, { timeout: 30_000 });
    assert.equal((await handle.describe()).status.name, 'RUNNING', 'new lines arrived while the workflow was still running');
    assert.equal(await page.evaluate(() => (window as unknown as { __loaded?: number }).__loaded), 1, 'no reload happened');

    // A line with markup arriving live (client-side: textContent).
    await stack.deps.logStore.append({ taskId: 'live-view', level: 'error', message: `live ${EVIL}` });
    await page.locator('[data-log-stream] td', { hasText: `live ${EVIL}` }).waitFor({ timeout: 10_000 });
    await page.locator('[data-log-stream] td', { hasText: `before load ${EVIL}` }).waitFor({ timeout: 1_000 });
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-live.png'), fullPage: true });

    await page.waitForFunction(() => /running/.test(document.querySelector('tr[data-account="live-ann"] [data-field="status"]')?.textContent ?? '') || /completed/.test(document.querySelector('tr[data-account="live-ann"] [data-field="status"]')?.textContent ?? ''), undefined, { timeout: 15_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined, 'no injected script ran');
    assert.deepEqual(dialogs, []);
    assert.equal(await page.locator('[data-log-stream] script, [data-log-stream] img').count(), 0);

    const result = await handle.result();
    assert.equal(result.status, 'completed');
    await page.locator('[data-log-state]', { hasText: 'log complete' }).waitFor({ timeout: 10_000 });

    await page.goto(`${base}/dashboard?status=completed`);
    assert.equal(await page.locator('[data-bulk-list] a', { hasText: 'live-view' }).count(), 1);
    await page.close();
  });

  it('cancels a running bulk from the API: the task and its running accounts end cancelled', async () => {
    await stack.addAccount({ id: 'stop-cy' });
    const video = await stack.addVideo('stop.mp4');
    const res = await stack.api('POST', '/bulk-uploads', { taskId: 'stop-me', videos: [{ path: video }], accountIds: ['stop-cy'] });
    assert.equal(res.status, 202);
    await waitFor('an account to be running', async () => (await stack.deps.orm.em.fork().count('BulkUploadAccount', { task: 'stop-me', status: 'running' })) === 1, 15_000);
    const cancel = await stack.api('POST', '/bulk-uploads/stop-me/cancel');
    assert.equal(cancel.status, 202);
    await assert.rejects(stack.env.client.workflow.getHandle('bulk-upload-stop-me').result(), /cancel/i);

    const status = (await (await stack.api('GET', '/bulk-uploads/stop-me')).json()) as { status: string; accounts: { status: string }[] };
    assert.equal(status.status, 'cancelled');
    assert.deepEqual(status.accounts.map((a) => a.status), ['cancelled']);
    assert.equal((await stack.api('POST', '/bulk-uploads/stop-me/cancel')).status, 409, 'a finished bulk cannot be cancelled again');
    const listed = (await (await stack.api('GET', '/bulk-uploads?status=cancelled')).json()) as { bulks: { taskId: string }[] };
    assert.deepEqual(listed.bulks.map((b) => b.taskId), ['stop-me']);
  });
});

