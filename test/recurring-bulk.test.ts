/**
 * Recurring bulks on a real stack (Temporal dev server, worker, SQLite, ffmpeg, Chromium,
 * the demo platform): a schedule that fires every 20 s starts, at each fire, a bulk of the
 * newest videos of its folder; the Temporal Web UI lists it; paused, it fires no more;
 * triggered, it fires at once; deleted, it is gone. Durations are real but short: a
 * schedule's timing is the server's own, and a fire's work is what is under test.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ScheduleNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { bulkUploadWorkflowId } from '../contracts/names';
import { recurringScheduleId } from '../contracts/recurring-bulk';
import { VideoData } from '../database/entities';
import type { RecurringScheduleView } from '../schedules';
import type { BulkUploadResult } from '../workflows/bulk-upload';
import { API_TOKEN, demoPosts, startTestStack, type TestStack } from './fixtures/stack';
import { signedInPage } from './fixtures/browser';
import { waitFor } from './fixtures/wait';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');
const INTERVAL_MS = 20_000;
const run = promisify(execFile);

describe('recurring bulks', { timeout: 600_000 }, () => {
  let stack: TestStack;
  // Schedules live on the shared dev server: a unique name per run, deleted whatever happens.
  const name = `daily-${randomBytes(3).toString('hex')}`;
  const scheduleId = recurringScheduleId(name);

  before(async () => {
    stack = await startTestStack();
  });
  after(async () => {
    if (!stack) return;
    await stack.env.client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    // A test that failed half-way leaves its bulks waiting for a worker that is gone.
    for await (const w of stack.env.client.workflow.list({ query: `ExecutionStatus = 'Running' AND BulkTaskId STARTS_WITH '${name}-'` })) {
      await stack.env.client.workflow
        .getHandle(w.workflowId, w.runId)
        .terminate('the recurring-bulk test ended')
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    }
    await stack.close();
  });

  const describeSchedule = async (): Promise<RecurringScheduleView> => {
    const res = await stack.api('GET', `/schedules/${name}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as RecurringScheduleView;
  };
  /** The originals a bulk publishes (a row per account and video), sorted, once it has registered them. */
  const bulkVideos = async (taskId: string) =>
    [...new Set((await stack.deps.orm.em.fork().find(VideoData, { task: taskId }, { fields: ['originalPath'] })).map((v) => v.originalPath))].sort();
  const bulkResult = (taskId: string) => stack.env.client.workflow.getHandle<() => Promise<BulkUploadResult>>(bulkUploadWorkflowId(taskId)).result();
  /** A clip in the folder, last modified `agoSec` seconds ago. */
  const addClip = async (file: string, agoSec: number) => {
    const rel = await stack.addVideo(path.join('incoming', file));
    const at = new Date(Date.now() - agoSec * 1_000);
    await fs.utimes(path.join(stack.config.media.root, rel), at, at);
    return rel;
  };
  /** The run after `runs` runs, once its bulk has registered its videos. */
  const waitForRun = async (runs: number) => {
    let taskId = '';
    await waitFor(
      `fire ${runs + 1} of ${name} to register its bulk`,
      async () => {
        const next = (await describeSchedule()).recentRuns[runs];
        taskId = next?.taskId ?? '';
        return next !== undefined && (await bulkVideos(next.taskId)).length > 0;
      },
      INTERVAL_MS * 3,
    );
    return taskId;
  };

  it('refuses a schedule whose folder is outside MEDIA_ROOT, or whose account is unknown, naming each field', async () => {
    await stack.addAccount({ id: 'rec-known' });
    const res = await stack.api('POST', '/schedules', {
      name: 'refused',
      spec: { every: '1d' },
      accountIds: ['rec-known', 'rec-nobody'],
      source: { folder: '../elsewhere' },
      newest: 2,
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { issues: { field: string; message: string }[] };
    assert.deepEqual(
      body.issues.map((i) => i.field),
      ['source.folder'],
      'the folder is checked first',
    );
    assert.match(body.issues[0]!.message, /outside the media root/);

    await fs.mkdir(path.join(stack.config.media.root, 'empty'), { recursive: true });
    const unknown = await stack.api('POST', '/schedules', {
      name: 'refused',
      spec: { every: '1d' },
      accountIds: ['rec-known', 'rec-nobody'],
      source: { folder: 'empty' },
      newest: 2,
    });
    assert.equal(unknown.status, 400);
    assert.deepEqual(((await unknown.json()) as { issues: unknown[] }).issues, [
      { field: 'accountIds.1', message: 'unknown account "rec-nobody": create it first with PUT /accounts' },
    ]);
    assert.equal((await stack.api('GET', '/schedules/refused')).status, 404, 'nothing was created');

    // A cron line is judged by the server, and named as the field it is.
    const cron = await stack.api('POST', '/schedules', { name: 'refused', spec: { cron: '0 9 * *' }, accountIds: ['rec-known'], source: { folder: 'empty' }, newest: 2 });
    assert.equal(cron.status, 400);
    assert.deepEqual(((await cron.json()) as { issues: unknown[] }).issues, [{ field: 'spec.cron', message: 'CronString does not have 5-7 fields' }]);

    // The dashboard's form: the page again, each bad field listed, the form as it was typed.
    const form = new URLSearchParams({ name: 'refused', every: '5s', at: '09:00', accountIds: 'rec-known', folder: 'empty', newest: '200' });
    const page = await stack.app.request('/dashboard/schedules', {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    assert.equal(page.status, 400);
    const html = await page.text();
    for (const line of ['spec.every: must be at least 10s', 'newest: Too big: expected number to be &lt;=100']) assert.ok(html.includes(line), `the page says ${line}`);
    assert.ok(html.includes('name="every" value="5s"'), 'the form keeps what was typed');
  });

  it('fires twice, each a bulk of the 2 newest videos; paused it fires no more; triggered it fires at once; the Web UI and the dashboard list it', async () => {
    const accounts = ['rec-ann', 'rec-bob'];
    for (const id of accounts) await stack.addAccount({ id });
    const oldest = await addClip('a-oldest.mp4', 300);
    const middle = await addClip('b-middle.mp4', 200);
    const newer = await addClip('c-newer.mp4', 100);

    const created = await stack.api('POST', '/schedules', {
      name,
      spec: { every: `${INTERVAL_MS / 1_000}s` },
      platform: 'demo',
      accountIds: accounts,
      source: { folder: 'incoming' },
      newest: 2,
      caption: 'from the recurring bulk',
      options: { concurrency: 2 },
    });
    assert.equal(created.status, 201, await created.clone().text());
    const view = (await created.json()) as RecurringScheduleView;
    assert.equal(view.when, `every ${INTERVAL_MS / 1_000}s`);
    assert.equal(view.paused, false);
    assert.ok(view.nextRuns.length > 0, 'the server has planned its next runs');
    assert.equal((await stack.api('POST', '/schedules', { ...view.definition, name })).status, 409, 'a name is one schedule');

    // Fire 1: the two newest of three.
    const first = await waitForRun(0);
    assert.match(first, new RegExp(`^${name}-\\d{8}T\\d{6}$`), 'the bulk is named after the scheduled time');
    assert.deepEqual(await bulkVideos(first), [middle, newer].sort());
    assert.ok(!(await bulkVideos(first)).includes(oldest));

    // A newer video arrives before fire 2, which takes it.
    const newest = await addClip('d-newest.mp4', 0);
    const second = await waitForRun(1);
    assert.deepEqual(await bulkVideos(second), [newer, newest].sort());

    for (const taskId of [first, second]) assert.equal((await bulkResult(taskId)).status, 'completed', `bulk ${taskId} completed`);
    const posts = await demoPosts(stack.demo);
    for (const id of accounts) {
      const mine = posts.filter((p) => p.account === `${id}-user`);
      assert.equal(mine.length, 4, `${id}: 2 fires × 2 videos`);
      assert.ok(
        mine.every((p) => p.caption === 'from the recurring bulk'),
        'each post has the caption',
      );
    }

    // The Temporal Web UI's own API lists it, and its Schedules page shows it.
    const ui = await fetch(`${stack.config.temporal.uiUrl}/api/v1/namespaces/${stack.config.temporal.namespace}/schedules`);
    assert.equal(ui.status, 200);
    const listed = (await ui.json()) as { schedules?: { scheduleId: string }[] };
    assert.ok(
      listed.schedules?.some((s) => s.scheduleId === scheduleId),
      `the Web UI lists ${scheduleId}`,
    );
    const browser = await chromium.launch({ executablePath: stack.config.browser.executablePath, args: ['--no-sandbox', '--disable-gpu'] });
    const server = serve({ fetch: stack.app.fetch, hostname: '127.0.0.1', port: 0 });
    const listening = new Promise((resolve) => server.once('listening', resolve));
    try {
      const webUi = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await webUi.goto(`${stack.config.temporal.uiUrl}/namespaces/${stack.config.temporal.namespace}/schedules`);
      await webUi.getByText(scheduleId).first().waitFor({ timeout: 30_000 });
      await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
      await webUi.screenshot({ path: path.join(SCREENSHOT_DIR, 'recurring-bulk-web-ui-schedules.png'), fullPage: true });

      // The dashboard lists it with its last bulk; its Pause button (a form post, answered
      // with a redirect back) pauses it.
      await listening;
      const page = await signedInPage(browser, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, '/dashboard/schedules');
      const row = page.locator(`tr[data-schedule="${name}"]`);
      const lastBulk = (await describeSchedule()).recentRuns.at(-1)!.taskId;
      assert.equal(await row.locator('[data-field=last-bulk]').getAttribute('href'), `/dashboard/bulks/${lastBulk}`, "the last run's bulk links to its page");
      await row.getByRole('button', { name: 'Pause' }).click();
      await row.locator('[data-field=state]', { hasText: 'paused' }).waitFor({ timeout: 10_000 });
      assert.ok(page.url().endsWith('/dashboard/schedules'), 'back on the page');
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'recurring-bulk-dashboard.png'), fullPage: true });
    } finally {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    }
    assert.equal((await describeSchedule()).paused, true);

    const cli = await run('npx', ['tsx', 'scripts/schedule.ts', 'list'], { cwd: path.resolve(__dirname, '..'), env: { ...process.env, ...stack.envVars } });
    assert.match(cli.stdout, new RegExp(`^${name}  PAUSED  every 20s  \\(paused by an operator\\)$`, 'm'), 'the CLI lists it');
    // A fire already under way when the pause arrived still counts before it.
    await new Promise((r) => setTimeout(r, 2_000));
    const runsAtPause = (await describeSchedule()).recentRuns.length;
    await new Promise((r) => setTimeout(r, INTERVAL_MS + 2_000));
    assert.equal((await describeSchedule()).recentRuns.length, runsAtPause, 'no fire for a whole interval while paused');

    // Trigger now fires even while paused: one more bulk, of the same two newest videos.
    const triggered = await stack.api('POST', `/schedules/${name}/trigger`);
    assert.equal(triggered.status, 200, await triggered.clone().text());
    const third = await waitForRun(runsAtPause);
    assert.deepEqual(await bulkVideos(third), [newer, newest].sort());
    assert.equal((await bulkResult(third)).status, 'completed');

    // Resumed, it has next runs again; deleted at once, before the next one is due.
    const resumed = (await (await stack.api('POST', `/schedules/${name}/resume`)).json()) as RecurringScheduleView;
    assert.equal(resumed.paused, false);
    assert.ok(resumed.nextRuns.length > 0);

    assert.equal((await stack.api('DELETE', `/schedules/${name}`)).status, 200);
    assert.equal((await stack.api('GET', `/schedules/${name}`)).status, 404, 'deleted');
  });
});
