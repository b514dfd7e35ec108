/**
 * The platform doctor on a real demo platform, in real Chromium: a site file with one wrong
 * selector is reported selector by selector, with a screenshot of the page that broke, and
 * nothing is ever published; the good file passes. Through the CLI and the HTTP route.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestVideo } from '../demo-platform/fixtures';
import { createBrowserPool } from '../platforms/browser-pool';
import { DEMO_SITE_FILE, createDemoAdapter } from '../platforms/demo/adapter';
import type { DoctorReport } from '../platforms/doctor-report';
import { demoPosts, startTestStack, type TestStack } from './fixtures/stack';

const ROOT = path.join(__dirname, '..');
const WRONG_FILE_INPUT = 'input[type=file][name=clip]';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('platform doctor', { timeout: 300_000 }, () => {
  let stack: TestStack;
  let dir: string;
  let goodSites: string;
  let brokenSites: string;
  let account: { id: string; username: string; password: string };

  /** `npm run platform -- check …` as its own process, on the stack's settings and `PLATFORMS_DIR`. */
  const doctor = (platformsDir: string, ...args: string[]): Promise<CliRun> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/platform.ts', ...args],
        { cwd: ROOT, env: { ...process.env, ...stack.envVars, PLATFORMS_DIR: platformsDir }, timeout: 120_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? -1) : 0, stdout, stderr }),
      );
    });

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-doctor-'));
    stack = await startTestStack({ worker: false, env: { DOCTOR_DIR: path.join(dir, 'doctor') } });
    account = await stack.addAccount({ id: 'doc-1' });

    const demo = JSON.parse(await fs.readFile(DEMO_SITE_FILE, 'utf8')) as { selectors: Record<string, string> };
    goodSites = path.join(dir, 'good');
    brokenSites = path.join(dir, 'broken');
    await fs.mkdir(goodSites);
    await fs.mkdir(brokenSites);
    await fs.copyFile(DEMO_SITE_FILE, path.join(goodSites, 'demo.json'));
    await fs.writeFile(path.join(brokenSites, 'demo.json'), JSON.stringify({ ...demo, selectors: { ...demo.selectors, fileInput: WRONG_FILE_INPUT } }, null, 2));

    // One earlier post, so the doctor has a post item to check the attributes of.
    const pool = createBrowserPool({ ...stack.config.browser, concurrency: 1 });
    try {
      const adapter = createDemoAdapter({ baseUrl: stack.demo.url });
      const video = await makeTestVideo(path.join(dir, 'earlier.mp4'), 'doctor');
      await pool.withContext({}, async (_context, page) => {
        await adapter.signIn(page, account);
        await adapter.publish(page, { filePath: video, caption: 'an earlier post' });
      });
    } finally {
      await pool.close();
    }
  });

  after(async () => {
    await stack?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a site file with a wrong fileInput: the CLI names that selector and the upload page, with a screenshot, exits 1, and publishes nothing', async () => {
    const run = await doctor(brokenSites, 'check', 'demo', '--account', account.id);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const lines = run.stdout.trim().split('\n');
    const broken = lines.filter((l) => l.startsWith('✗'));
    assert.equal(broken.length, 2, run.stdout);
    assert.match(broken[0]!, new RegExp(`^✗ upload page: ${stack.demo.url}/upload answered HTTP 200; missing: fileInput \\(screenshot (\\S+\\.png), html (\\S+\\.html)\\)$`));
    const selectorLine = broken[1]!;
    assert.ok(selectorLine.startsWith(`✗ selector fileInput: missing: nothing matches ${WRONG_FILE_INPUT} on ${stack.demo.url}/upload`), selectorLine);

    const [, screenshot, html] = /\(screenshot (\S+\.png), html (\S+\.html)\)$/.exec(selectorLine) ?? [];
    assert.ok(screenshot?.startsWith(path.join(dir, 'doctor', `demo-${account.id}-`)), `the evidence is under DOCTOR_DIR: ${screenshot}`);
    assert.ok((await fs.stat(screenshot!)).size > 1_000, 'the screenshot is a real image');
    assert.match(await fs.readFile(html!, 'utf8'), /<input type="file" name="video"/, "the page's HTML shows what the file input is now");

    for (const ok of ['sign-in page', 'sign-in', 'selector captionInput', 'selector publishButton', 'post list', 'selector postItem']) {
      assert.ok(
        lines.some((l) => l.startsWith(`✓ ${ok}:`)),
        `${ok} passes:\n${run.stdout}`,
      );
    }
    assert.equal(lines.at(-1), `demo account ${account.id}: 2 of ${lines.length - 1} step(s) broke; nothing was published`);
    assert.deepEqual(
      (await demoPosts(stack.demo, account.username)).map((p) => p.caption),
      ['an earlier post'],
      'no post was added',
    );
  });

  it('the good site file passes every step and exits 0', async () => {
    const run = await doctor(goodSites, 'check', 'demo', '--account', account.id);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.deepEqual(
      lines.filter((l) => !l.startsWith('✓')),
      [`demo account ${account.id}: all ${lines.length - 1} step(s) ok; nothing was published`],
    );
    assert.ok(lines.includes(`✓ sign-in: signed in as ${account.username}`), run.stdout);
    assert.ok(lines.includes('✓ selector fileInput: found input[type=file][name=video]'), run.stdout);
    assert.equal((await demoPosts(stack.demo, account.username)).length, 1, 'no post was added');
  });

  it('an unknown platform, an unknown account and a missing --account are bad usage (exit 2)', async () => {
    const platform = await doctor(goodSites, 'check', 'myspace', '--account', account.id);
    assert.deepEqual([platform.code, platform.stderr.trim()], [2, 'unknown platform "myspace"; known platforms: demo, youtube, tiktok, instagram']);
    const ghost = await doctor(goodSites, 'check', 'demo', '--account', 'ghost');
    assert.deepEqual([ghost.code, ghost.stderr.trim()], [2, 'no account "ghost"']);
    const usage = await doctor(goodSites, 'check', 'demo');
    assert.deepEqual([usage.code, usage.stderr.trim()], [2, 'usage: npm run platform -- check <platform> --account <id>']);
  });

  it('POST /platforms/{platform}/check: 401 without the token, 404 for an unknown account or platform, 200 with the report', async () => {
    const anonymous = await stack.app.request('/platforms/demo/check', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: account.id }),
    });
    assert.equal(anonymous.status, 401);

    const ghost = await stack.api('POST', '/platforms/demo/check', { accountId: 'ghost' });
    assert.deepEqual([ghost.status, await ghost.json()], [404, { error: 'no account "ghost"' }]);
    const myspace = await stack.api('POST', '/platforms/myspace/check', { accountId: account.id });
    assert.equal(myspace.status, 404);

    const res = await stack.api('POST', '/platforms/demo/check', { accountId: account.id });
    assert.equal(res.status, 200);
    const report = (await res.json()) as DoctorReport;
    assert.deepEqual(
      { platform: report.platform, accountId: report.accountId, kind: report.kind, ok: report.ok, published: report.published },
      { platform: 'demo', accountId: account.id, kind: 'browser', ok: true, published: false },
    );
    assert.deepEqual(
      report.steps.filter((s) => s.name.startsWith('selector ')).map((s) => [s.name, s.ok]),
      [
        ['selector usernameInput', true],
        ['selector passwordInput', true],
        ['selector submit', true],
        ['selector signedInMarker', true],
        ['selector fileInput', true],
        ['selector captionInput', true],
        ['selector publishButton', true],
        ['selector signedInMarker', true],
        ['selector postItem', true],
      ],
    );
    assert.equal((await demoPosts(stack.demo, account.username)).length, 1, 'no post was added');
  });
});
