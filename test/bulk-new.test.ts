/**
 * Starting a bulk from the console: `POST /bulk-uploads/preview` admits a bulk exactly as
 * `POST /bulk-uploads` does and says what it would do (posts, accounts, the first and last
 * planned time from each account's own plan) without starting it; the new-bulk form in real
 * Chromium picks a library video and accounts by tag, shows a refused field's message beside
 * it, previews, starts, and lands on the bulk's page, which shows the bulk complete.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { bulkUploadWorkflowId } from '../contracts/names';
import { Account, BulkUploadAccount, BulkUploadTask, LibraryVideo, VideoData } from '../database/entities';
import { signedInPage, openConsole, type ConsoleUnderTest } from './fixtures/browser';
import { API_TOKEN, demoPosts } from './fixtures/stack';
import { useTestStack } from './fixtures/suite-stack';
import type { BulkPreview } from '../bulks/preview';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');
const DAY_MS = 24 * 60 * 60 * 1000;
/** Ids unique to this run: pacers and workflows are shared with every other test file. */
const suffix = randomBytes(3).toString('hex');
const id = (name: string) => `${name}-${suffix}`;

describe('starting a bulk from the console', { timeout: 180_000 }, () => {
  const stack = useTestStack();

  describe('POST /bulk-uploads/preview', () => {
    const ann = id('pv-ann');
    const bob = id('pv-bob');
    let videos: string[];
    before(async () => {
      await stack().addAccount({ id: ann });
      await stack().addAccount({ id: bob });
      videos = [await stack().addVideo(`${id('pv-a')}.mp4`, { durationSec: 1 }), await stack().addVideo(`${id('pv-b')}.mp4`, { durationSec: 1 })];
    });

    it("plans a scheduled bulk from each account's own plan: a slot another bulk holds is skipped", async () => {
      // Three days ahead at midnight UTC, slots at 09:00 and 15:00 UTC.
      const day = Math.ceil(Date.now() / DAY_MS) * DAY_MS + 2 * DAY_MS;
      const at = (offsetDays: number, hour: number) => new Date(day + offsetDays * DAY_MS + hour * 3_600_000).toISOString();
      // Another bulk, still at work, holds Ann's 09:00 that day.
      const em = stack().deps.orm.em.fork();
      const priorId = id('prior');
      const prior = em.create(BulkUploadTask, {
        id: priorId,
        platform: 'demo',
        workflowId: bulkUploadWorkflowId(priorId),
        options: { uniquifyPreset: 'fast', concurrency: 1, dryRun: false },
        status: 'running',
      });
      em.create(BulkUploadAccount, { task: prior, accountId: ann, workflowId: `${priorId}-ann`, status: 'running' });
      em.create(VideoData, { task: prior, accountId: ann, videoId: 'video-1', originalPath: videos[0]!, plannedAt: new Date(at(0, 9)) });
      await em.flush();

      const taskId = id('scheduled');
      const res = await stack().api('POST', '/bulk-uploads/preview', {
        taskId,
        videos: videos.map((path) => ({ path })),
        accountIds: [ann, bob],
        options: { schedule: { publishAt: at(0, 0), timeZone: 'UTC', slots: ['15:00', '09:00'] } },
      });
      assert.equal(res.status, 200, await res.clone().text());
      const preview = (await res.json()) as BulkPreview;
      // Bob: 09:00 and 15:00. Ann: 15:00, then the next day's 09:00 (her 09:00 is taken).
      assert.deepEqual(preview, {
        posts: 4,
        accounts: 2,
        videos: 2,
        firstPlannedAt: at(0, 9),
        lastPlannedAt: at(1, 9),
        timeZone: 'UTC',
        estimate: true,
        driveFolderMaxFiles: null,
        unplannable: [],
      });

      const now = (await (await stack().api('POST', '/bulk-uploads/preview', { taskId, videos: [{ path: videos[0] }], accountIds: [ann, bob] })).json()) as BulkPreview;
      assert.deepEqual(
        { posts: now.posts, firstPlannedAt: now.firstPlannedAt, lastPlannedAt: now.lastPlannedAt, estimate: now.estimate },
        { posts: 2, firstPlannedAt: null, lastPlannedAt: null, estimate: false },
        'a bulk that publishes now has no planned times',
      );

      // Nothing was started or registered.
      await assert.rejects(stack().env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).describe(), WorkflowNotFoundError);
      assert.equal((await stack().api('GET', `/bulk-uploads/${taskId}`)).status, 404);
    });

    it('refuses a bad field exactly as the real start does', async () => {
      const bodies = {
        schema: { taskId: id('bad-schema'), videos: [{ path: videos[0] }], accountIds: [ann], options: { concurrency: 0, schedule: { slots: ['25:00'] } } },
        admission: { taskId: id('bad-admission'), videos: [{ path: videos[0] }, { path: 'missing.mp4' }], accountIds: [ann, id('ghost')] },
      };
      for (const [kind, body] of Object.entries(bodies)) {
        const preview = await stack().api('POST', '/bulk-uploads/preview', body);
        const start = await stack().api('POST', '/bulk-uploads', body);
        assert.equal(preview.status, 400, kind);
        assert.equal(start.status, 400, kind);
        assert.deepEqual(await preview.json(), await start.json(), `${kind}: the same answer`);
      }
      const admission = (await (await stack().api('POST', '/bulk-uploads/preview', bodies.admission)).json()) as { issues: { field: string }[] };
      assert.deepEqual(
        admission.issues.map((i) => i.field),
        ['videos.1.path', 'accountIds.1'],
      );
    });

    it('is in the API description, and the form, the bulk list and the schedules pages speak Russian', async () => {
      const doc = (await (await stack().app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
      assert.ok(doc.paths['/bulk-uploads/preview']?.post, 'POST /bulk-uploads/preview is described');
      const page = await stack().app.request('/dashboard/bulks/new', { headers: { authorization: `Bearer ${API_TOKEN}`, 'accept-language': 'ru' } });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<h1>Новая рассылка<\/h1>/);
      assert.match(html, /Предпросмотр/);
      const ru = async (url: string) => (await stack().app.request(url, { headers: { authorization: `Bearer ${API_TOKEN}`, 'accept-language': 'ru' } })).text();
      assert.match(await ru('/dashboard'), /<h1>Рассылки<\/h1>[\s\S]*Показать/);
      assert.match(await ru('/dashboard/schedules'), /<h1>Регулярные рассылки<\/h1>[\s\S]*Новая регулярная рассылка/);
    });
  });

  describe('the new-bulk form in Chromium', () => {
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

    const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `bulk-new-${name}.png`), fullPage: true });

    it('picks a library video and accounts by tag, shows a refused field beside it, previews, starts, and the bulk completes', async () => {
      const team = id('team');
      const [cat, dan, eve] = [id('f-cat'), id('f-dan'), id('f-eve')];
      for (const account of [cat, dan, eve]) await stack().addAccount({ id: account });
      const em = stack().deps.orm.em.fork();
      await em.nativeUpdate(Account, { id: { $in: [cat, dan] } }, { tags: [team, 'demo'] });
      await em.nativeUpdate(Account, { id: eve }, { tags: ['other'] });
      // Two library videos: one on disk, one whose file has gone since it was listed.
      const clip = await stack().addVideo(`${id('clip')}.mp4`, { durationSec: 1 });
      const clipId = id('lib-clip');
      const goneId = id('lib-gone');
      em.create(LibraryVideo, {
        id: clipId,
        path: clip,
        originalName: 'launch teaser.mp4',
        sizeBytes: (await fs.stat(path.join(stack().config.media.root, clip))).size,
        durationSec: 1,
        width: 320,
        height: 240,
      });
      em.create(LibraryVideo, { id: goneId, path: `${id('gone')}.mp4`, originalName: 'deleted.mp4', sizeBytes: 1000, durationSec: 3, width: 320, height: 240 });
      await em.flush();

      const page = await signedInPage(browser, base, '/dashboard/bulks/new');
      const taskId = id('from-form');
      await page.getByLabel('Task id').fill(taskId);
      const clipItem = page.locator(`li[data-video="${clipId}"]`);
      const goneItem = page.locator(`li[data-video="${goneId}"]`);
      await clipItem.getByRole('checkbox').check();
      await clipItem.getByLabel(/^Caption/).fill('Launch day 🚀');
      await goneItem.getByRole('checkbox').check();

      // Accounts by tag: only the team's two are shown, and "select all shown" picks them.
      await page.getByLabel('Tag', { exact: true }).selectOption(team);
      assert.equal(await page.locator('[data-accounts] li:visible').count(), 2);
      await page.getByRole('button', { name: 'Select all shown' }).click();
      assert.deepEqual(await page.locator('[data-account-pick]:checked').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), [cat, dan]);
      assert.match((await page.locator('[data-selected-count]').textContent()) ?? '', /2 selected/);

      // Refused fields: a slot that is no time of day, a concurrency of 0, a video that is gone.
      await page.getByLabel('Accounts uploading at once').fill('0');
      await page.getByLabel('On a schedule').check();
      await page.getByLabel('Posting slots').fill('09:00, 25:00');
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.locator('#concurrency-error').filter({ hasText: /\S/ }).waitFor();
      assert.match((await page.locator('#concurrency-error').textContent()) ?? '', />=\s*1|too small/i);
      assert.match((await page.locator('#schedule-slots-error').textContent()) ?? '', /^slot 2: must be a time of day/);
      assert.equal(await page.getByLabel('Accounts uploading at once').getAttribute('aria-invalid'), 'true');
      await screenshot(page, 'schema-errors');

      // Schema fixed, the missing file is the next refusal, beside its video.
      await page.getByLabel('Accounts uploading at once').fill('2');
      await page.getByLabel('Posting slots').fill('');
      await page.getByLabel('Publish now').check();
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await goneItem.locator('[data-error-for]').filter({ hasText: /\S/ }).waitFor();
      assert.match((await goneItem.locator('[data-error-for]').textContent()) ?? '', /not found|no such file|does not exist/i);
      assert.equal(await page.locator('#concurrency-error').textContent(), '', 'a fixed field no longer shows its error');
      await screenshot(page, 'video-error');

      await goneItem.getByRole('checkbox').uncheck();
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.locator('[data-preview-summary]').waitFor();
      assert.equal(await page.locator('[data-preview-summary]').textContent(), 'Posts: 2 (videos: 1, accounts: 2), published as soon as the bulk starts.');
      await screenshot(page, 'preview');

      // On a schedule: a local start time is read in the chosen zone (Berlin is UTC+1 in late November).
      const day = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 10, 27));
      const ymd = day.toISOString().slice(0, 10);
      await page.getByLabel('On a schedule').check();
      await page.getByLabel('Not before').fill(`${ymd}T00:00`);
      await page.getByLabel(/^Time zone/).selectOption('Europe/Berlin');
      await page.getByLabel('Posting slots').fill('09:00');
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/bulk-uploads/preview')),
        page.getByRole('button', { name: 'Preview', exact: true }).click(),
      ]);
      const planned = (await answer.json()) as BulkPreview;
      assert.deepEqual([planned.firstPlannedAt, planned.lastPlannedAt, planned.timeZone], [`${ymd}T08:00:00.000Z`, `${ymd}T08:00:00.000Z`, 'Europe/Berlin']);
      await page.locator('[data-preview-summary]', { hasText: 'the first' }).waitFor();
      assert.match((await page.locator('[data-preview]').textContent()) ?? '', /An estimate/);
      await screenshot(page, 'preview-scheduled');
      await page.setViewportSize({ width: 375, height: 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `nothing is wider than a 375 px screen (${overflow} px over)`);
      await screenshot(page, '375');
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.getByLabel('Publish now').check();

      await Promise.all([page.waitForURL(`${base}/dashboard/bulks/${taskId}`), page.getByRole('button', { name: 'Start', exact: true }).click()]);
      await page.waitForFunction(() => document.querySelector('h1 [data-field="status"]')?.getAttribute('data-status') === 'completed', undefined, { timeout: 90_000 });
      await screenshot(page, 'completed');
      const posts = (await demoPosts(stack().demo)).filter((p) => p.caption === 'Launch day 🚀');
      assert.deepEqual(posts.map((p) => p.account).sort(), [`${cat}-user`, `${dan}-user`].sort(), 'each picked account published the video with its caption');
      await page.close();
    });
  });
});
