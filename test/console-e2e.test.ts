/**
 * The operator's console end to end, in real Chromium, as a person with no curl uses it:
 * sign in → upload two files on the Videos page (a video, and a non-video refused at once
 * with the server's reason) → add two demo accounts on the Accounts page → start a bulk
 * from the New bulk form → watch it on the bulk page (the percent moves, the final status
 * appears without a reload) → open a variant beside its original. A screenshot of each step
 * goes to test-results/console-e2e/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { bulkUploadWorkflowId } from '../contracts/names';
import { makeSampleVideo } from '../media';
import type { BulkUploadResult } from '../workflows/bulk-upload';
import { API_TOKEN, demoPosts, setDemoFaults } from './fixtures/stack';
import { useTestStack } from './fixtures/suite-stack';
import { openConsole, type ConsoleUnderTest } from './fixtures/browser';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results', 'console-e2e');

describe("the operator's console, end to end in Chromium", { timeout: 180_000 }, () => {
  const stack = useTestStack();
  const run = randomBytes(3).toString('hex');
  const people = [
    { id: `e2e-ann-${run}`, username: `ann-${run}`, password: `pw-ann-${run}` },
    { id: `e2e-bob-${run}`, username: `bob-${run}`, password: `pw-bob-${run}` },
  ];
  const tag = `e2e-${run}`;
  const taskId = `e2e-${run}`;
  let ui: ConsoleUnderTest | undefined;
  let base: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ui = await openConsole((req) => stack().app.fetch(req), stack().config.browser.executablePath);
    ({ base, browser } = ui);
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
    // The two people have accounts on the demo platform; clipfleet learns of them from the form.
    for (const who of people) {
      const res = await fetch(`${stack().demo.url}/api/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: who.username, password: who.password }),
      });
      assert.ok(res.ok, await res.text());
    }
  });
  // Runs after the stack's own teardown (hooks run in the order they were declared), so it only closes what this file opened.
  after(async () => {
    await ui?.close();
  });

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

  it('signs in, uploads (refusing a non-video), adds accounts, starts a bulk from the form, watches it complete live and previews a variant', async () => {
    // 1. Sign in.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/dashboard/videos`);
    assert.equal(new URL(page.url()).pathname, '/login', 'a browser without a session is sent to sign in');
    await shot('1-sign-in');
    await page.getByLabel('API token').fill(API_TOKEN);
    await Promise.all([page.waitForURL(`${base}/dashboard/videos`), page.getByRole('button', { name: 'Sign in' }).click()]);

    // 2. Upload a video and a non-video: the video lands in the library, the other is refused with the server's reason.
    const sources = path.join(stack().dir, `e2e-sources-${run}`);
    const clipName = `clip-${run}.mp4`;
    const clip = await makeSampleVideo({ outputPath: path.join(sources, clipName), width: 320, height: 240, durationSec: 2, fps: 15, pattern: run });
    const notes = path.join(sources, `notes-${run}.mp4`);
    await fs.writeFile(notes, 'a shopping list, not a video\n'.repeat(50));
    await page.setInputFiles('#video-files', [clip, notes]);
    await page.locator(`[data-upload="${clipName}"][data-state="done"]`).waitFor({ timeout: 30_000 });
    await page.locator(`[data-upload="notes-${run}.mp4"][data-state="refused"]`).waitFor({ timeout: 30_000 });
    assert.match((await page.locator(`[data-upload="notes-${run}.mp4"] .state`).textContent()) ?? '', /not a video/);
    await page.locator('[data-library] tbody tr', { hasText: clipName }).waitFor();
    assert.equal(await page.locator('[data-library] tbody tr', { hasText: `notes-${run}` }).count(), 0, 'the refused file is not in the library');
    await shot('2-uploaded');

    // 3. Add two demo accounts through the Accounts page, tagged to pick them together.
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.waitForURL(`${base}/dashboard/accounts`);
    for (const who of people) {
      const form = page.locator('form[data-account-form="add"]');
      await form.getByLabel('Platform').selectOption('demo');
      await form.getByLabel('Account id').fill(who.id);
      await form.getByLabel('Username', { exact: true }).fill(who.username);
      await form.getByLabel('Password', { exact: true }).fill(who.password);
      await form.getByLabel('Tags').fill(tag);
      await Promise.all([page.waitForURL(`${base}/dashboard/accounts?added=${who.id}`), form.getByRole('button', { name: 'Add account' }).click()]);
      await page.locator(`tr[data-account="${who.id}"]`).waitFor();
    }
    await shot('3-accounts');

    // 4. Start a bulk from the New bulk form: the uploaded video with a caption, the two accounts by their tag; preview, then start.
    await setDemoFaults(stack().demo, { slowUploadMs: 4_000 });
    await page.getByRole('link', { name: 'New bulk', exact: true }).click();
    await page.waitForURL(`${base}/dashboard/bulks/new`);
    await page.getByLabel('Task id').fill(taskId);
    const video = page.locator('li[data-video]', { hasText: clipName });
    await video.getByRole('checkbox').check();
    await video.getByLabel(/^Caption/).fill(`from the console ${run}`);
    await page.getByLabel('Tag', { exact: true }).selectOption(tag);
    await page.getByRole('button', { name: 'Select all shown' }).click();
    await page.getByLabel('Publish now').check();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.locator('[data-preview-summary]', { hasText: 'Posts: 2' }).waitFor();
    await shot('4-new-bulk-preview');
    await Promise.all([page.waitForURL(`${base}/dashboard/bulks/${taskId}`), page.getByRole('button', { name: 'Start', exact: true }).click()]);

    // 5. Watch it: the percent moves and the final status appears, with no reload.
    await page.evaluate(() => {
      (window as unknown as { __loaded: number }).__loaded = 1;
      const seen: string[] = [];
      (window as unknown as { __percents: string[] }).__percents = seen;
      new MutationObserver(() => {
        document.querySelectorAll('[data-accounts] .phase[data-percent]').forEach((box) => {
          const value = `${box.closest('tr')?.getAttribute('data-account')} ${box.getAttribute('data-phase')} ${box.getAttribute('data-percent')}`;
          if (!seen.includes(value)) seen.push(value);
        });
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.locator('[data-accounts] .phase[data-phase="upload"]').first().waitFor({ timeout: 60_000 });
    await shot('5-running');
    const result = (await stack().env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result()) as BulkUploadResult;
    assert.equal(result.status, 'completed');
    await page.locator('h1 [data-field="status"][data-status="completed"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { __loaded?: number }).__loaded), 1, 'the page was never reloaded');
    const percents = await page.evaluate(() => (window as unknown as { __percents: string[] }).__percents);
    for (const who of people) {
      const own = new Set(percents.filter((p) => p.startsWith(`${who.id} `)).map((p) => p.split(' ').slice(1).join(' ')));
      assert.ok(own.size >= 2, `the percent of ${who.id} moved: ${JSON.stringify(percents)}`);
    }
    const posts = await demoPosts(stack().demo);
    for (const who of people) {
      const own = posts.filter((p) => p.account === who.username);
      assert.equal(own.length, 1, `one post on ${who.username}`);
      assert.equal(own[0]!.caption, `from the console ${run}`);
    }
    await shot('6-completed');

    // 6. A variant beside its original.
    const [first] = people;
    await page
      .locator(`tr[data-account="${first!.id}"]`)
      .getByRole('button', { name: /^Preview/ })
      .first()
      .click();
    const dialog = page.locator('dialog[data-preview]');
    await dialog.waitFor({ state: 'visible' });
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLVideoElement>('dialog[data-preview] video')).every((v) => v.readyState >= 2), undefined, {
      timeout: 15_000,
    });
    const sources2 = await dialog.locator('video').evaluateAll((videos) => videos.map((v) => new URL((v as HTMLVideoElement).currentSrc).pathname));
    assert.equal(sources2.length, 2);
    assert.ok(
      sources2.some((p) => p.includes(`/variants/${encodeURIComponent(first!.id)}/`)),
      `the account's variant plays: ${sources2.join(', ')}`,
    );
    assert.ok(
      sources2.some((p) => p.includes('/originals/')),
      `its original plays beside it: ${sources2.join(', ')}`,
    );
    await shot('7-variant-preview');
    await page.close();
  });
});
