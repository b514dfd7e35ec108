/**
 * The dashboard in real Chromium: sign in through the form, open a running bulk's page and
 * watch log lines arrive without a reload; user-supplied text containing `<script>` is
 * shown as text and never runs; when the bulk ends the open page shows its final status and
 * offers retry instead of cancel; the list's bar shows each outcome in its own colour.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { translate } from '../api/i18n';
import { bulkUploadWorkflowId } from '../contracts/names';
import { BulkUploadAccount } from '../database/entities';
import { API_TOKEN, setDemoFaults, startTestStack, type TestStack } from './fixtures/stack';
import { waitFor } from './fixtures/wait';
import { signedInPage as signInAt } from './fixtures/browser';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');
/** What the log says once the bulk has ended and every line is shown. */
const LOG_DONE = translate('en', 'common.js.logs.done');
const EVIL = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">';

describe('dashboard', { timeout: 300_000 }, () => {
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

  const signedInPage = (target: string) => signInAt(browser, base, target);

  /** Marks the page, so a later check can tell that it was never reloaded. */
  const markLoaded = (page: Page) => page.evaluate(() => ((window as unknown as { __loaded: number }).__loaded = 1));
  const wasReloaded = async (page: Page) => (await page.evaluate(() => (window as unknown as { __loaded?: number }).__loaded)) !== 1;

  it('shows log lines of a running bulk as they arrive, without a reload, and user text as text', async () => {
    // Slow uploads keep the bulk running while the page watches it.
    await setDemoFaults(stack.demo, { slowUploadMs: 2_500 });
    await stack.addAccount({ id: 'live-ann' });
    await stack.addAccount({ id: 'live-bob' });
    const videos = [await stack.addVideo('live-a.mp4'), await stack.addVideo('live-b.mp4')];
    const res = await stack.api('POST', '/bulk-uploads', {
      taskId: 'live-view',
      videos: videos.map((p) => ({ path: p, caption: EVIL })),
      accountIds: ['live-ann', 'live-bob'],
      options: { concurrency: 1 },
    });
    assert.equal(res.status, 202, await res.clone().text());
    const handle = stack.env.client.workflow.getHandle(bulkUploadWorkflowId('live-view'));
    // A line with markup, already there when the page renders (server-side escaping).
    await waitFor('the bulk to be registered', async () => (await stack.deps.orm.em.fork().count('BulkUploadTask', { id: 'live-view' })) === 1, 15_000);
    await stack.deps.logStore.append({ taskId: 'live-view', level: 'warn', message: `before load ${EVIL}` });

    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    await page.goto(`${base}/dashboard/bulks/live-view`);
    assert.match(page.url(), /\/login\?next=/, 'an anonymous browser is sent to sign in');
    await page.fill('input[name=token]', API_TOKEN);
    await Promise.all([page.waitForURL(`${base}/dashboard/bulks/live-view`), page.click('form[action="/login"] button[type=submit]')]);
    assert.ok(!(await page.content()).includes(API_TOKEN), 'the page never holds the raw token');

    await markLoaded(page);
    const rows = page.locator('[data-log-stream] tbody tr');
    const atLoad = await rows.count();
    await page.waitForFunction((n) => document.querySelectorAll('[data-log-stream] tbody tr').length > n, atLoad, { timeout: 30_000 });
    assert.equal((await handle.describe()).status.name, 'RUNNING', 'new lines arrived while the workflow was still running');
    assert.ok(!(await wasReloaded(page)), 'no reload happened');

    // A line with markup arriving live (client-side: textContent).
    await stack.deps.logStore.append({ taskId: 'live-view', level: 'error', message: `live ${EVIL}` });
    await page.locator('[data-log-stream] td', { hasText: `live ${EVIL}` }).waitFor({ timeout: 10_000 });
    await page.locator('[data-log-stream] td', { hasText: `before load ${EVIL}` }).waitFor({ timeout: 1_000 });
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-live.png'), fullPage: true });

    await page.waitForFunction(
      () =>
        /running/.test(document.querySelector('tr[data-account="live-ann"] [data-field="status"]')?.textContent ?? '') ||
        /completed/.test(document.querySelector('tr[data-account="live-ann"] [data-field="status"]')?.textContent ?? ''),
      undefined,
      { timeout: 15_000 },
    );
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined, 'no injected script ran');
    assert.deepEqual(dialogs, []);
    assert.equal(await page.locator('[data-log-stream] script, [data-log-stream] img').count(), 0);

    const result = await handle.result();
    assert.equal(result.status, 'completed');
    await page.locator('[data-log-state]', { hasText: LOG_DONE }).waitFor({ timeout: 10_000 });

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
    await assert.rejects(stack.env.client.workflow.getHandle(bulkUploadWorkflowId('stop-me')).result(), /cancel/i);

    const status = (await (await stack.api('GET', '/bulk-uploads/stop-me')).json()) as { status: string; accounts: { status: string }[] };
    assert.equal(status.status, 'cancelled');
    assert.deepEqual(
      status.accounts.map((a) => a.status),
      ['cancelled'],
    );
    assert.equal((await stack.api('POST', '/bulk-uploads/stop-me/cancel')).status, 409, 'a finished bulk cannot be cancelled again');
    const listed = (await (await stack.api('GET', '/bulk-uploads?status=cancelled')).json()) as { bulks: { taskId: string }[] };
    assert.deepEqual(
      listed.bulks.map((b) => b.taskId),
      ['stop-me'],
    );
  });

  it('shows the final status, offers retry and hides cancel as soon as a watched bulk ends, without a reload', async (t) => {
    // Slow uploads keep the bulk running while the page is opened; the wrong password fails one account.
    await setDemoFaults(stack.demo, { slowUploadMs: 4_000 });
    t.after(() => setDemoFaults(stack.demo, null));
    await stack.addAccount({ id: 'end-bad', platformPassword: 'the-real-password', password: 'a-wrong-password' });
    await stack.addAccount({ id: 'end-ok' });
    const video = await stack.addVideo('end.mp4');
    const res = await stack.api('POST', '/bulk-uploads', { taskId: 'end-view', videos: [{ path: video }], accountIds: ['end-bad', 'end-ok'], options: { concurrency: 1 } });
    assert.equal(res.status, 202, await res.clone().text());
    const handle = stack.env.client.workflow.getHandle(bulkUploadWorkflowId('end-view'));
    await waitFor('the bulk to be registered', async () => (await stack.deps.orm.em.fork().count(BulkUploadAccount, { task: 'end-view' })) === 2, 15_000);

    const page = await signedInPage('/dashboard/bulks/end-view');
    await markLoaded(page);
    const badge = page.locator('h1 [data-field="status"]');
    const cancel = page.getByRole('button', { name: 'Cancel bulk' });
    const retry = page.getByRole('button', { name: 'Retry failed accounts' });
    assert.equal(await badge.textContent(), 'running');
    assert.equal(await cancel.count(), 1, 'a running bulk offers cancel');
    assert.equal(await retry.count(), 0, 'a running bulk offers no retry');
    assert.equal((await handle.describe()).status.name, 'RUNNING', 'the page was opened while the bulk ran');

    assert.equal((await handle.result()).status, 'partially_failed');
    await page.locator('[data-log-state]', { hasText: LOG_DONE }).waitFor({ timeout: 15_000 });
    // The end of the stream triggers the refresh; the page does not wait for a poll or a reload.
    await page.waitForFunction(() => document.querySelector('h1 [data-field="status"]')?.getAttribute('data-status') === 'partially_failed', undefined, { timeout: 3_000 });
    assert.equal(await cancel.count(), 0, 'a finished bulk offers no cancel');
    assert.equal(await retry.count(), 1, 'a bulk with a failed account offers retry');
    assert.equal(await page.locator('tr[data-account="end-bad"] [data-field="status"]').textContent(), 'failed');
    assert.match((await page.locator('tr[data-account="end-bad"] [data-field="error"]').textContent()) ?? '', /sign-in rejected/i);
    assert.equal(await page.locator('tr[data-account="end-ok"] [data-field="status"]').textContent(), 'completed');
    assert.match((await page.locator('[data-field="counts"]').textContent()) ?? '', /^2\/2 done/);
    assert.equal(await page.locator('[data-field="progress"]').getAttribute('aria-label'), '1 completed, 1 failed of 2');
    assert.ok(!(await wasReloaded(page)), 'no reload happened');

    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-bulk-finished.png'), fullPage: true });
    await page.close();
  });

  it('the bulk list shows the completed, failed and cancelled parts of each bulk in their own colours', async (t) => {
    await setDemoFaults(stack.demo, { slowUploadMs: 4_000 });
    t.after(() => setDemoFaults(stack.demo, null));
    await stack.addAccount({ id: 'list-bad', platformPassword: 'the-real-password', password: 'a-wrong-password' });
    await stack.addAccount({ id: 'list-ok' });
    await stack.addAccount({ id: 'list-cy' });
    await stack.addAccount({ id: 'list-dee' });
    const video = await stack.addVideo('list.mp4');
    for (const [taskId, accountIds] of [
      ['list-mixed', ['list-bad', 'list-ok']],
      ['list-stopped', ['list-cy', 'list-dee']],
    ] as const) {
      const res = await stack.api('POST', '/bulk-uploads', { taskId, videos: [{ path: video }], accountIds, options: { concurrency: 1 } });
      assert.equal(res.status, 202, await res.clone().text());
    }
    // Cancelled while its first account uploads: the second, not started yet, ends cancelled.
    await waitFor(
      'list-cy to be uploading',
      async () => (await stack.deps.orm.em.fork().findOne(BulkUploadAccount, { task: 'list-stopped', accountId: 'list-cy' }))?.currentStep?.includes('uploading') === true,
      30_000,
    );
    assert.equal((await stack.api('POST', '/bulk-uploads/list-stopped/cancel')).status, 202);
    await assert.rejects(stack.env.client.workflow.getHandle(bulkUploadWorkflowId('list-stopped')).result(), /cancel/i);
    assert.equal((await stack.env.client.workflow.getHandle(bulkUploadWorkflowId('list-mixed')).result()).status, 'partially_failed');
    const listed = (await (await stack.api('GET', '/bulk-uploads?status=cancelled')).json()) as { bulks: { taskId: string; total: number; cancelled: number }[] };
    const stopped = listed.bulks.find((b) => b.taskId === 'list-stopped');
    assert.ok(stopped && stopped.cancelled >= 1, `list-stopped has a cancelled account: ${JSON.stringify(listed)}`);

    const page = await signedInPage('/dashboard');
    const bar = (taskId: string) => page.locator('[data-bulk-list] tr', { has: page.getByRole('link', { name: taskId, exact: true }) }).locator('[data-field="progress"]');
    const part = async (taskId: string, name: string) =>
      bar(taskId)
        .locator(`[data-part="${name}"]`)
        .evaluate((el) => ({ width: (el as HTMLElement).style.width, colour: getComputedStyle(el).backgroundColor, shown: el.getBoundingClientRect().width }));

    assert.equal(await bar('list-mixed').getAttribute('aria-label'), '1 completed, 1 failed of 2');
    assert.equal(await bar('list-mixed').getAttribute('title'), '1 completed, 1 failed of 2');
    const completed = await part('list-mixed', 'completed');
    const failed = await part('list-mixed', 'failed');
    assert.equal(completed.width, '50%');
    assert.equal(failed.width, '50%');
    assert.ok(failed.shown > 0, 'the failed part is drawn');

    // The bar is under test here, not how a cancel ends an account: the expected parts come from the API's counts.
    assert.match((await bar('list-stopped').getAttribute('aria-label')) ?? '', new RegExp(`\\b${stopped.cancelled} cancelled of 2$`));
    const cancelled = await part('list-stopped', 'cancelled');
    assert.equal(cancelled.width, `${stopped.cancelled * 50}%`);
    assert.ok(cancelled.shown > 0, 'the cancelled part is drawn');
    const running = await part('list-stopped', 'running');
    assert.equal(running.width, '0%');

    const colours = new Set([completed.colour, failed.colour, cancelled.colour, running.colour]);
    assert.equal(colours.size, 4, `each part has its own colour: ${[...colours].join(', ')}`);

    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-list.png'), fullPage: true });
    await page.close();
  });
});
