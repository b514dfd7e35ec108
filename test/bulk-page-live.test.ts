/**
 * The bulk page in real Chromium while a demo bulk runs: each account's render and upload
 * percent moves (from its activity's heartbeat), the final status appears without a reload,
 * a variant plays beside its original in the preview (the video routes answer ranges, and
 * nothing outside the bulk), and pause, resume, cancel and retry post to the API's routes
 * and show their effect in place. The progress route asks Temporal only about accounts in
 * a render or an upload, once per bulk however many pages ask.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../api/app';
import { LOCALE_COOKIE, translate, type MessageKey } from '../api/i18n';
import { statusKey } from '../api/i18n/messages/common';
import { accountUploadWorkflowId, bulkUploadWorkflowId } from '../contracts/names';
import { BulkUploadAccount } from '../database/entities';
import { bulkService } from '../runtime';
import { signedInPage as signInAt, openConsole, type ConsoleUnderTest } from './fixtures/browser';
import { API_TOKEN, setDemoFaults, type TestStack } from './fixtures/stack';
import { useTestStack } from './fixtures/suite-stack';
import { waitFor } from './fixtures/wait';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');
const run = randomBytes(3).toString('hex');
const ACCOUNT_COLUMN_NAMES_RU = (['account', 'state', 'step', 'progress', 'next', 'posts', 'preview', 'error', 'workflow', 'actions'] as const).map((c) =>
  translate('ru', `bulkPage.col.${c}`),
);

describe('the bulk page, live', { timeout: 180_000 }, () => {
  const stack = useTestStack();
  let ui: ConsoleUnderTest | undefined;
  let base: string;
  let browser: Browser;
  before(async () => {
    ui = await openConsole((req) => stack().app.fetch(req), stack().config.browser.executablePath);
    ({ base, browser } = ui);
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  });
  after(async () => {
    await ui?.close();
  });

  const markLoaded = (page: Page) => page.evaluate(() => ((window as unknown as { __loaded: number }).__loaded = 1));
  const wasReloaded = async (page: Page) => (await page.evaluate(() => (window as unknown as { __loaded?: number }).__loaded)) !== 1;
  /** Answers of the page's own posts to an API route ending in `suffix`. */
  const posted = (page: Page, suffix: string) => page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(suffix));
  const progressPath = (taskId: string) => `/dashboard/bulks/${encodeURIComponent(taskId)}/progress`;
  type ProgressAnswer = { accounts: Record<string, { phase: string; percent: number | null }> };

  /**
   * Every progress the server reports for `accountId` (`phase percent`, each change once),
   * asked five times a second until `ended` settles: what the heartbeats said, whatever the
   * page's own once-a-second polls happened to catch.
   */
  async function reportedProgress(s: TestStack, taskId: string, accountId: string, ended: Promise<unknown>): Promise<string[]> {
    let over = false;
    const end = () => {
      over = true;
    };
    ended.then(end, end);
    const seen: string[] = [];
    while (!over) {
      const res = await s.api('GET', progressPath(taskId));
      assert.equal(res.status, 200);
      const now = ((await res.json()) as ProgressAnswer).accounts[accountId];
      const value = now ? `${now.phase} ${now.percent}` : '';
      if (value && seen.at(-1) !== value) seen.push(value);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return seen;
  }

  it('shows the upload percent moving and the end without a reload, previews a variant beside its original, and retries the failed account', async (t) => {
    const s = stack();
    // A slow platform keeps each upload long enough for its throttled heartbeats (one at the
    // start, the next up to 5 s later) to show: the post itself takes 8 s.
    await setDemoFaults(s.demo, { slowUploadMs: 8_000 });
    t.after(() => setDemoFaults(s.demo, null));
    const ok = `pv-ok-${run}`;
    const bad = `pv-bad-${run}`;
    const taskId = `page-live-${run}`;
    await s.addAccount({ id: ok });
    await s.addAccount({ id: bad, platformPassword: 'the-real-password', password: 'a-wrong-password' });
    const video = await s.addVideo(`live-${run}.mp4`);
    const res = await s.api('POST', '/bulk-uploads', { taskId, videos: [{ id: 'clip', path: video, caption: 'live' }], accountIds: [ok, bad], options: { concurrency: 2 } });
    assert.equal(res.status, 202, await res.clone().text());
    const handle = s.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId));
    await waitFor('the bulk to be registered', async () => (await s.deps.orm.em.fork().count(BulkUploadAccount, { task: taskId })) === 2, 15_000);
    const ended = handle.result();
    const reported = reportedProgress(s, taskId, ok, ended);

    const page = await signInAt(browser, base, `/dashboard/bulks/${encodeURIComponent(taskId)}`);
    await markLoaded(page);
    // Every percent the ok account's progress cell shows, as the page shows it.
    await page.evaluate((accountId) => {
      const seen: string[] = [];
      (window as unknown as { __percents: string[] }).__percents = seen;
      const cell = document.querySelector(`tr[data-account="${accountId}"] [data-field="phase"]`)!;
      new MutationObserver(() => {
        const box = cell.querySelector('.phase');
        const value = box ? `${box.getAttribute('data-phase')} ${box.getAttribute('data-percent')} ${box.textContent}` : '';
        if (value && seen.at(-1) !== value) seen.push(value);
      }).observe(cell, { subtree: true, childList: true, attributes: true, characterData: true });
    }, ok);

    await page.locator(`tr[data-account="${ok}"] [data-field="phase"] .phase[data-phase="upload"]`).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'bulk-page-uploading.png'), fullPage: true });
    assert.equal((await ended).status, 'partially_failed');
    await page.locator('h1 [data-field="status"][data-status="partially_failed"]').waitFor({ timeout: 10_000 });
    const serverPercents = new Set((await reported).filter((p) => p.startsWith('upload ')));
    assert.ok(serverPercents.size >= 2, `the upload percent moved: ${JSON.stringify(await reported)}`);
    const percents = await page.evaluate(() => (window as unknown as { __percents: string[] }).__percents);
    assert.ok(
      percents.some((p) => /^upload \d+ uploading \d+%$/.test(p)),
      `the percent is shown as text: ${JSON.stringify(percents)}`,
    );
    assert.equal(await page.locator(`tr[data-account="${ok}"] [data-field="phase"]`).textContent(), '', 'a finished account shows no percent');
    assert.equal(await page.locator(`tr[data-account="${ok}"] [data-field="status"]`).textContent(), 'completed');
    assert.equal(await page.locator(`tr[data-account="${bad}"] [data-field="status"]`).textContent(), 'failed');
    assert.match((await page.locator(`tr[data-account="${bad}"] [data-field="error"]`).textContent()) ?? '', /sign-in rejected/i);
    assert.ok(await page.locator(`tr[data-account="${bad}"] [data-field="screenshot"]`).isVisible(), 'the failure screenshot is linked');
    assert.ok(!(await wasReloaded(page)), 'the end was shown without a reload');

    // The preview: the original and the ok account's variant, both playable.
    const variantUrl = `/dashboard/bulks/${encodeURIComponent(taskId)}/variants/${encodeURIComponent(ok)}/clip`;
    await page.getByRole('button', { name: `Preview clip on ${ok}` }).click();
    const dialog = page.locator('dialog[data-preview]');
    await dialog.waitFor({ state: 'visible' });
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLVideoElement>('dialog[data-preview] video')).every((v) => v.readyState >= 2), undefined, {
      timeout: 15_000,
    });
    const sources = await dialog.locator('video').evaluateAll((videos) => videos.map((v) => new URL((v as HTMLVideoElement).currentSrc).pathname));
    assert.deepEqual(sources, [`/dashboard/bulks/${encodeURIComponent(taskId)}/originals/clip`, variantUrl]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'bulk-page-preview.png') });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'bulk-page-preview-375.png') });
    await page.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'bulk-page-finished-375.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'bulk-page-finished-1440.png'), fullPage: true });

    // The video routes: a range is a 206 of that range; an account or video not in the bulk is a 404.
    const ranged = await page.request.get(`${base}${variantUrl}`, { headers: { range: 'bytes=0-99' } });
    assert.equal(ranged.status(), 206);
    assert.match(ranged.headers()['content-range'] ?? '', /^bytes 0-99\/\d+$/);
    assert.equal((await ranged.body()).length, 100);
    assert.equal((await page.request.get(`${base}/dashboard/bulks/${encodeURIComponent(taskId)}/variants/someone-else/clip`)).status(), 404);
    assert.equal((await page.request.get(`${base}/dashboard/bulks/${encodeURIComponent(taskId)}/variants/${encodeURIComponent(ok)}/other`)).status(), 404);
    assert.equal((await page.request.get(`${base}/dashboard/bulks/${encodeURIComponent(taskId)}/originals/other`)).status(), 404);

    // Retry: the button posts to the API's route; the page follows the new run to its end.
    const retried = posted(page, '/retry-failed');
    await page.getByRole('button', { name: 'Retry failed accounts' }).click();
    assert.equal((await retried).status(), 202);
    await waitFor('the retried run to end', async () => (await handle.describe()).status.name !== 'RUNNING', 60_000);
    await page.locator('h1 [data-field="status"][data-status="partially_failed"]').waitFor({ timeout: 15_000 });
    assert.ok(!(await wasReloaded(page)), 'the retry was sent without leaving the page');
    await page.close();
  });

  it('pauses, resumes and cancels a running bulk from its page, each shown in place', async (t) => {
    const s = stack();
    await setDemoFaults(s.demo, { slowUploadMs: 30_000 });
    t.after(() => setDemoFaults(s.demo, null));
    const account = `pv-stop-${run}`;
    const taskId = `page-steer-${run}`;
    await s.addAccount({ id: account });
    const video = await s.addVideo(`steer-${run}.mp4`);
    const res = await s.api('POST', '/bulk-uploads', { taskId, videos: [{ id: 'clip', path: video }], accountIds: [account] });
    assert.equal(res.status, 202, await res.clone().text());
    await waitFor('the account to be running', async () => (await s.deps.orm.em.fork().count(BulkUploadAccount, { task: taskId, status: 'running' })) === 1, 15_000);

    const page = await signInAt(browser, base, `/dashboard/bulks/${encodeURIComponent(taskId)}`);
    await markLoaded(page);
    const pausedBadge = page.locator('h1 [data-field="paused"]');
    const paused = posted(page, '/pause');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    assert.equal((await paused).status(), 202);
    await pausedBadge.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.getByRole('button', { name: 'Pause', exact: true }).count(), 0, 'a paused bulk offers resume instead');

    const resumed = posted(page, '/resume');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    assert.equal((await resumed).status(), 202);
    await pausedBadge.waitFor({ state: 'hidden', timeout: 10_000 });

    const cancelled = posted(page, '/cancel');
    await page.getByRole('button', { name: 'Cancel bulk' }).click();
    assert.equal((await cancelled).status(), 202);
    await page.locator('h1 [data-field="status"][data-status="cancelled"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByRole('button', { name: 'Cancel bulk' }).count(), 0, 'a cancelled bulk offers no cancel');
    assert.ok(!(await wasReloaded(page)), 'every action was shown without a reload');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'bulk-page-cancelled.png'), fullPage: true });

    // The same page in Russian: its headings, columns and counts are translated.
    await page.context().addCookies([{ name: LOCALE_COOKIE, value: 'ru', url: base }]);
    await page.setViewportSize({ width: 375, height: 800 });
    await page.reload();
    assert.match((await page.locator('h1').textContent()) ?? '', /^Рассылка /);
    assert.equal(await page.locator('h1 [data-field="status"]').textContent(), translate('ru', statusKey('cancelled') as MessageKey));
    assert.deepEqual(await page.locator('[data-accounts] th').allTextContents(), ACCOUNT_COLUMN_NAMES_RU);
    await page.locator('[data-field="counts"]', { hasText: 'готово 1/1' }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'bulk-page-ru-375.png'), fullPage: true });
    await page.close();
  });

  it("answers a scheduled bulk's progress without asking Temporal about its waiting accounts, once for pages asking at once", async () => {
    const s = stack();
    const accountIds = [1, 2, 3].map((n) => `pv-wait${n}-${run}`);
    const taskId = `page-wait-${run}`;
    for (const id of accountIds) await s.addAccount({ id });
    const video = await s.addVideo(`wait-${run}.mp4`, { durationSec: 1 });
    // Tomorrow, rendered an hour before: every account waits on a timer, none renders.
    const publishAt = new Date(Date.now() + 24 * 3_600_000).toISOString();
    const res = await s.api('POST', '/bulk-uploads', { taskId, videos: [{ id: 'clip', path: video }], accountIds, options: { schedule: { publishAt, prepareLeadMinutes: 60 } } });
    assert.equal(res.status, 202, await res.clone().text());
    const handle = s.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId));
    try {
      await waitFor(
        'every account to wait for its slot',
        async () =>
          (await s.deps.orm.em.fork().find(BulkUploadAccount, { task: taskId, status: 'running' })).filter((a) => /before slot|waiting for slot/.test(a.currentStep ?? ''))
            .length === 3,
        30_000,
      );

      // The app on a Temporal client that counts the workflows it describes.
      const described: string[] = [];
      const temporal = new Client({
        connection: s.env.client.connection,
        namespace: s.config.temporal.namespace,
        interceptors: {
          workflow: [
            {
              describe: (input, next) => {
                described.push(input.workflowExecution.workflowId);
                return next(input);
              },
            },
          ],
        },
      });
      const app = createApp({ ...s.apiDeps, temporal, bulks: bulkService(s.deps.services, temporal) });
      // Three pages asking at the same moment.
      const answers = await Promise.all(
        [1, 2, 3].map(async () => {
          const r = await app.request(progressPath(taskId), { headers: { authorization: `Bearer ${API_TOKEN}`, accept: 'application/json' } });
          assert.equal(r.status, 200);
          return (await r.json()) as ProgressAnswer;
        }),
      );
      assert.deepEqual(
        answers,
        [1, 2, 3].map(() => ({ accounts: {} })),
        'no account is in a render or an upload',
      );
      const waiting = new Set(accountIds.map((a) => accountUploadWorkflowId(taskId, a)));
      assert.deepEqual(
        described.filter((id) => waiting.has(id)),
        [],
        'no waiting account was described',
      );
      assert.deepEqual(described, [bulkUploadWorkflowId(taskId)], 'one status read served the three pages');
    } finally {
      assert.equal((await s.api('POST', `/bulk-uploads/${encodeURIComponent(taskId)}/cancel`)).status, 202);
      await assert.rejects(handle.result(), /cancel/i);
    }
  });
});
