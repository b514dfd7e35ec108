/**
 * A scheduled bulk's page in real Chromium: the plan shows every post by day at its time in
 * the bulk's zone; Pause and Resume swap as the bulk takes them, also when another client
 * asks (no reload); a post moved through its form (keyboard only) or through the API shows
 * its new time; Cancel account ends one account's posts. The posts are planned for
 * tomorrow, so nothing publishes while the page is watched.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DAY_MS, localTime, zonedInstant } from '../scheduling/time';
import { startTestStack, type TestStack } from './fixtures/stack';
import { waitFor } from './fixtures/wait';
import { signedInPage } from './fixtures/browser';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');
const ZONE = 'Europe/Berlin';
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

describe('dashboard: a scheduled bulk', { timeout: 300_000 }, () => {
  const suffix = randomBytes(3).toString('hex');
  const ann = `ann-${suffix}`;
  const bob = `bob-${suffix}`;
  const taskId = `plan-view-${suffix}`;
  // Tomorrow in Berlin.
  const t = localTime(Date.now() + DAY_MS, ZONE);
  const day = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  const dayLabel = `${WEEKDAYS[new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay()]} ${day}`;
  const at = (hhmm: string) => new Date(zonedInstant(ZONE, t.year, t.month, t.day, Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3)) * 60)).toISOString();
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

  const status = async () =>
    (await (await stack.api('GET', `/bulk-uploads/${taskId}`)).json()) as {
      status: string;
      paused: boolean;
      accounts: { accountId: string; status: string; videos: { videoId: string; plannedAt: string | null }[] }[];
    };
  const plannedAt = async (accountId: string, videoId: string) =>
    (await status()).accounts.find((a) => a.accountId === accountId)?.videos.find((v) => v.videoId === videoId)?.plannedAt;

  /** The plan as the page shows it: one `time account · video state` line per post, in page order. */
  const shownPlan = (page: Page) =>
    page
      .locator('[data-plan] [data-post]')
      .evaluateAll((items) => items.map((li) => ['time', 'account', 'video', 'state'].map((f) => li.querySelector(`[data-field="${f}"]`)?.textContent?.trim() ?? '').join(' ')));
  /** Everything a person (or a screen reader) gets from each plan row, to compare the server's rows with the script's. */
  const planRows = (page: Page) =>
    page.locator('[data-plan]').evaluate((plan) => ({
      days: Array.from(plan.querySelectorAll('.plan-day h3')).map((h) => h.textContent),
      rows: Array.from(plan.querySelectorAll('[data-post]')).map((li) => {
        const form = li.querySelector('form')!;
        // Inline on purpose: a named helper would not survive the trip into the page.
        const [time, account, video, state, post, error, label, button] = [
          ...['time', 'account', 'video', 'state', 'post', 'error'].map((f) => li.querySelector(`[data-field="${f}"]`)),
          form.querySelector('label'),
          form.querySelector('button'),
        ].map((e) => (e?.textContent ?? '').replace(/\s+/g, ' ').trim());
        return {
          text: [time, account, video, state, post, error],
          datetime: li.querySelector('time')?.getAttribute('datetime'),
          action: form.getAttribute('action'),
          movable: !form.hidden,
          label,
          value: form.querySelector('input')!.value,
          button,
        };
      }),
    }));
  const markLoaded = (page: Page) => page.evaluate(() => ((window as unknown as { __loaded: number }).__loaded = 1));
  const wasReloaded = async (page: Page) => (await page.evaluate(() => (window as unknown as { __loaded?: number }).__loaded)) !== 1;

  it('shows the plan in the zone, pauses and resumes, moves posts and cancels an account', async () => {
    await stack.addAccount({ id: ann });
    await stack.addAccount({ id: bob });
    const videos = [await stack.addVideo('plan-a.mp4', { durationSec: 1 }), await stack.addVideo('plan-b.mp4', { durationSec: 1 })];
    const res = await stack.api('POST', '/bulk-uploads', {
      taskId,
      videos: [
        { id: 'intro', path: videos[0], caption: 'first' },
        { id: 'outro', path: videos[1], caption: 'second' },
      ],
      accountIds: [ann, bob],
      options: { schedule: { timeZone: ZONE, publishAt: at('09:00'), minSpacingMinutes: 60 } },
    });
    assert.equal(res.status, 202, await res.clone().text());
    await waitFor('all four posts to be planned', async () => (await status()).accounts.flatMap((a) => a.videos).filter((v) => v.plannedAt).length === 4, 60_000);

    const page = await signedInPage(browser, base, `/dashboard/bulks/${taskId}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    const plan = page.locator('[data-plan]');
    assert.ok(await plan.isVisible(), 'a scheduled bulk shows its plan');
    assert.match((await plan.locator('h2').textContent()) ?? '', new RegExp(`times in ${ZONE}`));
    assert.deepEqual(await plan.locator('.plan-day h3').allTextContents(), [dayLabel], 'one day, named in the zone');
    assert.deepEqual(await shownPlan(page), [`09:00 ${ann} intro planned`, `09:00 ${bob} intro planned`, `10:00 ${ann} outro planned`, `10:00 ${bob} outro planned`]);
    assert.equal(await page.getByLabel(`New time for outro on ${bob}`).inputValue(), `${day}T10:00`, 'a move form starts at the post’s time');
    assert.equal(await page.getByRole('button', { name: `Cancel account ${ann}` }).count(), 1, 'a running account can be cancelled');

    // Rows the page did not render (a page opened before the accounts planned) are built by
    // its script exactly as the server builds them.
    const rendered = await planRows(page);
    await markLoaded(page);
    await page.evaluate(() => (document.querySelector('[data-plan-days]')!.textContent = ''));
    await page.locator('[data-plan] [data-post]').first().waitFor({ timeout: 10_000 });
    assert.deepEqual(await planRows(page), rendered);
    assert.ok(!(await wasReloaded(page)), 'no reload happened');

    // Pause through its button: the answer comes back to this page, which then offers Resume.
    const pause = page.getByRole('button', { name: 'Pause', exact: true });
    const resume = page.getByRole('button', { name: 'Resume', exact: true });
    assert.equal(await resume.count(), 0, 'a running bulk offers no resume');
    await Promise.all([page.waitForURL(`${base}/dashboard/bulks/${taskId}`), pause.click()]);
    await resume.waitFor({ timeout: 10_000 });
    assert.equal(await pause.count(), 0);
    assert.ok(await page.locator('h1 [data-field="paused"]').isVisible(), 'the heading says paused');
    assert.equal((await status()).paused, true, 'the status API says paused');
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-plan-paused.png'), fullPage: true });

    // Another client resumes and moves a post: the open page follows without a reload.
    await markLoaded(page);
    assert.equal((await stack.api('POST', `/bulk-uploads/${taskId}/resume`)).status, 202);
    await pause.waitFor({ timeout: 10_000 });
    assert.equal(await resume.count(), 0);
    assert.equal((await stack.api('POST', `/bulk-uploads/${taskId}/accounts/${ann}/videos/intro/move`, { publishAt: at('08:30') })).status, 202);
    await waitFor('the page to show intro of ann at 08:30', async () => (await shownPlan(page))[0] === `08:30 ${ann} intro planned`, 15_000);
    assert.ok(!(await wasReloaded(page)), 'no reload happened');

    // Move a post with its form from the keyboard: the new time, then Enter submits it.
    const input = page.getByLabel(`New time for outro on ${bob}`);
    await input.fill(`${day}T11:45`);
    await Promise.all([page.waitForURL(`${base}/dashboard/bulks/${taskId}`), input.press('Enter')]);
    await waitFor('outro of bob to be planned for 11:45', async () => (await plannedAt(bob, 'outro')) === at('11:45'), 15_000);
    await page.locator('[data-post]', { hasText: bob }).filter({ hasText: 'outro' }).locator('[data-field="time"]', { hasText: '11:45' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(await shownPlan(page), [`08:30 ${ann} intro planned`, `09:00 ${bob} intro planned`, `10:00 ${ann} outro planned`, `11:45 ${bob} outro planned`]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-plan.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-plan-375.png'), fullPage: true });
    const tooWide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth && !e.closest('.scroll-x, .log'))
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(tooWide, [], 'nothing on the narrow page reaches past its right edge (tables scroll in their own box)');
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 375, 'the narrow page does not scroll sideways');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Cancel one account: its posts end cancelled; the other account keeps its plan.
    await Promise.all([page.waitForURL(`${base}/dashboard/bulks/${taskId}`), page.getByRole('button', { name: `Cancel account ${bob}` }).click()]);
    await waitFor('bob to be cancelled', async () => (await status()).accounts.find((a) => a.accountId === bob)?.status === 'cancelled', 15_000);
    await waitFor(
      'the page to show bob’s posts cancelled',
      async () => (await shownPlan(page)).filter((line) => line.includes(bob)).every((line) => line.endsWith('cancelled')),
      10_000,
    );
    assert.equal(await page.getByRole('button', { name: `Cancel account ${bob}` }).count(), 0, 'a cancelled account offers no cancel');
    assert.equal(await page.getByLabel(`New time for outro on ${bob}`).isVisible(), false, 'a cancelled post cannot be moved');
    assert.equal(await page.getByLabel(`New time for outro on ${ann}`).isVisible(), true, 'the other account’s posts still can');
    assert.equal((await status()).accounts.find((a) => a.accountId === ann)?.status, 'running');

    assert.equal((await stack.api('POST', `/bulk-uploads/${taskId}/cancel`)).status, 202);
    await page.locator('h1 [data-field="status"]', { hasText: 'cancelled' }).waitFor({ timeout: 15_000 });
    assert.equal(await plan.locator('[data-action="reschedule"]').isVisible(), false, 'a finished bulk cannot be moved');
    assert.equal(await page.getByRole('button', { name: 'Pause', exact: true }).count(), 0, 'a finished bulk cannot be paused');
    await page.close();
  });
});
