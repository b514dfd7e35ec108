/**
 * The Accounts page in real Chromium, as an operator uses it: add two demo accounts through
 * the form (a missing password first: the message appears beside the field), edit tags,
 * filter by tag and search, check sign-in against the demo platform (signed in; then with a
 * wrong password: session expired, with the reason, until the password is corrected), import
 * a CSV with one bad row (its problem listed, the good rows saved), delete; and no answer the
 * page received carries a password, proxy password (one pasted inside the proxy URL too) or
 * session. Screenshots under test-results/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Account } from '../database/entities';
import type { StorageState } from '../platforms/browser-pool';
import { signedInPage, openConsole, type ConsoleUnderTest } from './fixtures/browser';
import { collectLeakSearch } from './fixtures/leak-search';
import { useTestStack } from './fixtures/suite-stack';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');

describe('the Accounts page in Chromium', { timeout: 120_000 }, () => {
  const stack = useTestStack({ worker: false });
  const run = randomBytes(3).toString('hex');
  const one = { id: `demo-one-${run}`, username: `one-${run}`, password: `pw-one-${run}-secret` };
  const two = { id: `demo-two-${run}`, username: `two-${run}`, password: `pw-two-${run}-secret`, proxyPassword: `proxy-${run}-secret` };
  const wrongPassword = `wrong-${run}-secret`;
  const csvPassword = `pw-csv-${run}-secret`;
  let ui: ConsoleUnderTest | undefined;
  let base: string;
  let browser: Browser;
  let page: Page;
  /** Every answer the page got from clipfleet, for the leak search. */
  const answers: Promise<string>[] = [];

  before(async () => {
    ui = await openConsole((req) => stack().app.fetch(req), stack().config.browser.executablePath);
    ({ base, browser } = ui);
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
    // The two people exist on the demo platform; clipfleet learns of them through the form.
    for (const who of [one, two]) {
      const res = await fetch(`${stack().demo.url}/api/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: who.username, password: who.password }),
      });
      assert.ok(res.ok, await res.text());
    }
    page = await signedInPage(browser, base, '/dashboard/accounts');
    page.on('response', (r) => {
      if (r.url().startsWith(base) && r.request().method() !== 'OPTIONS') answers.push(r.text().catch(() => ''));
    });
  });
  after(async () => {
    await ui?.close();
  });

  const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `accounts-console-${name}.png`), fullPage: true });
  const row = (accountId: string) => page.locator(`tr[data-account="${accountId}"]`);
  const cell = async (accountId: string, field: string) => ((await row(accountId).locator(`[data-field="${field}"]`).textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const button = (accountId: string, label: string) => row(accountId).getByRole('button', { name: `${label} ${accountId}`, exact: true });

  /** Fills the add form and submits it. */
  async function add(fields: { id: string; username: string; password?: string; tags?: string; proxyServer?: string; proxyUsername?: string; proxyPassword?: string }) {
    const form = page.locator('form[data-account-form="add"]');
    await form.getByLabel('Platform').selectOption('demo');
    await form.getByLabel('Account id').fill(fields.id);
    await form.getByLabel('Username', { exact: true }).fill(fields.username);
    await form.getByLabel('Password', { exact: true }).fill(fields.password ?? '');
    await form.getByLabel('Tags').fill(fields.tags ?? '');
    await form.getByLabel('Proxy server (optional)').fill(fields.proxyServer ?? '');
    await form.getByLabel('Proxy username').fill(fields.proxyUsername ?? '');
    await form.getByLabel('Proxy password').fill(fields.proxyPassword ?? '');
    await form.getByRole('button', { name: 'Add account' }).click();
  }

  it('adds two demo accounts through the form; a missing password is shown beside its field first', async () => {
    await screenshot('1-empty');
    await add({ id: one.id, username: one.username, tags: 'eu' });
    const passwordError = page.locator('#add-password-error');
    await passwordError.filter({ hasText: /is required/ }).waitFor();
    assert.match((await passwordError.textContent()) ?? '', /is required for demo \(a browser platform\)/);
    assert.equal(await page.locator('#add-password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#add-username-error').textContent(), '', 'only the bad field says something');
    await screenshot('2-field-error');

    await Promise.all([page.waitForURL(`${base}/dashboard/accounts?added=${one.id}`), add({ id: one.id, username: one.username, password: one.password, tags: 'eu' })]);
    assert.equal(await page.locator('[data-field="notice"]').textContent(), `Account ${one.id} added.`);
    assert.equal(await cell(one.id, 'state'), 'not signed in yet');

    await Promise.all([
      page.waitForURL(`${base}/dashboard/accounts?added=${two.id}`),
      add({
        id: two.id,
        username: two.username,
        password: two.password,
        tags: 'US Cats',
        // Pasted whole, as proxy sellers hand it out: the password must still be kept apart and encrypted.
        proxyServer: `http://pu:${two.proxyPassword}@127.0.0.1:9`,
      }),
    ]);
    assert.equal(await cell(two.id, 'tags'), 'us cats');
    assert.equal(await cell(two.id, 'proxy'), 'http://127.0.0.1:9');
    const listed = (await (await stack().api('GET', `/accounts/${two.id}`)).json()) as { proxy: unknown };
    assert.deepEqual(listed.proxy, { server: 'http://127.0.0.1:9', username: 'pu' }, 'the user is taken out of the URL, the password kept apart');
    await screenshot('3-added');
  });

  it('edits tags, then filters by tag and searches', async () => {
    await button(one.id, 'Edit').click();
    const form = page.locator('form[data-account-form="edit"]');
    assert.equal(await form.getByLabel('Tags').inputValue(), 'eu');
    assert.equal(await form.getByLabel('Password', { exact: true }).inputValue(), '', 'a secret is never sent back to the page');
    await form.getByLabel('Tags').fill('EU promo');
    await Promise.all([page.waitForURL(`${base}/dashboard/accounts?saved=${one.id}`), form.getByRole('button', { name: 'Save' }).click()]);
    assert.equal(await cell(one.id, 'tags'), 'eu promo');

    await page.getByLabel('Tag', { exact: true }).selectOption('promo');
    await Promise.all([page.waitForURL(`${base}/dashboard/accounts?tag=promo&q=`), page.getByRole('button', { name: 'Filter' }).click()]);
    assert.deepEqual(await page.locator('tr[data-account]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-account'))), [one.id]);
    await screenshot('4-filtered');

    await page.goto(`${base}/dashboard/accounts`);
    await page.getByLabel('Search id or username').fill(two.username.toUpperCase());
    await Promise.all([page.waitForURL(/q=/), page.getByRole('button', { name: 'Filter' }).click()]);
    assert.deepEqual(await page.locator('tr[data-account]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-account'))), [two.id]);
    await page.goto(`${base}/dashboard/accounts`);
  });

  it('checks sign-in: signed in; after a wrong password, session expired with the reason', async () => {
    await button(one.id, 'Check sign-in').click();
    const said = row(one.id).locator('[data-field="check-message"]');
    await said.filter({ hasText: 'signed in to demo' }).waitFor({ timeout: 60_000 });
    assert.equal(await said.textContent(), `signed in to demo as ${one.username}`);
    assert.equal(await row(one.id).locator('[data-field="state-badge"]').textContent(), 'signed in');

    await button(one.id, 'Edit').click();
    const form = page.locator('form[data-account-form="edit"]');
    await form.getByLabel('Password', { exact: true }).fill(wrongPassword);
    await Promise.all([page.waitForURL(`${base}/dashboard/accounts?saved=${one.id}`), form.getByRole('button', { name: 'Save' }).click()]);
    await button(one.id, 'Check sign-in').click();
    await said.filter({ hasText: 'Invalid username or password' }).waitFor({ timeout: 60_000 });
    assert.match((await said.textContent()) ?? '', /sign-in rejected for user one-.*: Invalid username or password/);
    assert.equal(await row(one.id).locator('[data-field="state-badge"]').textContent(), 'session expired');
    await screenshot('5-check-failed');

    await page.reload();
    assert.match(await cell(one.id, 'state'), /^session expired: demo: sign-in rejected for user/, 'the state and its reason stay after a reload');

    // Off the "?saved=" address, so the wait below waits for this save's.
    await page.goto(`${base}/dashboard/accounts`);
    await button(one.id, 'Edit').click();
    await form.getByLabel('Password', { exact: true }).fill(one.password);
    await Promise.all([page.waitForURL(`${base}/dashboard/accounts?saved=${one.id}`), form.getByRole('button', { name: 'Save' }).click()]);
    assert.equal(await row(one.id).locator('[data-field="state-badge"]').textContent(), 'signed in', 'the corrected password clears the refusal; the stored session stays');
  });

  it('imports a CSV read from a file: the bad row is listed with its problem, the good rows are saved', async () => {
    const csv = [
      'id,platform,username,password,proxy,tags',
      `csv-a-${run},demo,csv-a-${run},${csvPassword},,eu;csv`,
      `csv-bad-${run},demo,csv-bad-${run},,,csv`,
      `csv-b-${run},demo,csv-b-${run},${csvPassword},,csv`,
    ].join('\n');
    await page.locator('#import-file').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForFunction((text) => (document.querySelector('#import-csv') as HTMLTextAreaElement | null)?.value === text, csv);
    await page.getByRole('button', { name: 'Import' }).click();
    const results = page.locator('[data-import-results]');
    await results.locator('table').waitFor();
    assert.equal(await results.locator('p.notice').textContent(), '2 created, 0 updated, 1 failed');
    const bad = results.locator('tr[data-result="failed"]');
    assert.equal(await bad.getAttribute('data-line'), '3');
    assert.match((await bad.textContent()) ?? '', /password: is required for demo/);
    await screenshot('6-import');

    await Promise.all([page.waitForLoadState(), results.getByRole('link', { name: 'Show the updated list' }).click()]);
    await row(`csv-a-${run}`).waitFor();
    assert.equal(await row(`csv-b-${run}`).count(), 1);
    assert.equal(await row(`csv-bad-${run}`).count(), 0);
  });

  it('deletes an account after asking', async () => {
    page.once('dialog', (dialog) => void dialog.accept());
    await button(`csv-b-${run}`, 'Delete').click();
    await row(`csv-b-${run}`).waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-field="page-status"]').textContent(), `Account csv-b-${run} deleted.`);
    assert.equal((await stack().api('GET', `/accounts/csv-b-${run}`)).status, 404);
  });

  it('holds at 375 px, in English and Russian', async () => {
    const narrow = await browser.newContext({ viewport: { width: 375, height: 800 } });
    await narrow.addCookies(await page.context().cookies());
    await narrow.addCookies([{ name: 'clipfleet_lang', value: 'ru', url: base }]);
    const small = await narrow.newPage();
    await small.goto(`${base}/dashboard/accounts`);
    assert.equal(await small.locator('h1').textContent(), 'Аккаунты');
    assert.ok(await small.evaluate(() => document.documentElement.scrollWidth <= 375), 'nothing is wider than the screen');
    await small.screenshot({ path: path.join(SCREENSHOT_DIR, 'accounts-console-7-375-ru.png'), fullPage: true });
    await narrow.close();
    await page.setViewportSize({ width: 1440, height: 900 });
    await screenshot('8-1440');
  });

  it('no answer the page got, nor any log, Redis value or database row in clear, holds a password, proxy password or session', async () => {
    const stored = await stack().deps.orm.em.fork().findOneOrFail(Account, one.id);
    assert.ok(stored.sessionEnc, 'the check stored a session');
    const session = JSON.parse(stack().deps.secrets.decrypt(stored.sessionEnc, 'session')) as StorageState;
    const cookies = session.cookies.map((c) => c.value).filter((v) => v.length >= 8);
    assert.ok(cookies.length > 0, 'the session holds a cookie to look for');
    const secrets = [one.password, two.password, two.proxyPassword, wrongPassword, csvPassword, ...cookies];
    const search = await collectLeakSearch(stack(), {
      workflowIds: [],
      apiUrls: ['/accounts', `/accounts/${one.id}`, `/accounts/${two.id}`, '/dashboard/accounts'],
      responses: await Promise.all(answers),
    });
    assert.ok(search.places[0]!.text.includes(one.id), 'the answers were collected');
    for (const { where, text } of search.places) for (const secret of secrets) assert.ok(!text.includes(secret), `${where} hold a secret`);
    for (const secret of secrets) assert.ok(!search.databaseBytes.includes(Buffer.from(secret)), 'the database holds a secret in clear');
  });
});
