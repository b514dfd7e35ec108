/**
 * The platform doctor (`npm run platform -- check`, `POST /platforms/{platform}/check`):
 * checks one account on one platform and says, step by step, what works and what does not.
 * For a browser platform it signs in with the account's stored credentials in a fresh
 * Chromium context, opens the upload page and the post list, and looks for every selector of
 * the site file on the page it belongs to. It never attaches a file or clicks publish. A page
 * that breaks is kept as a screenshot and its HTML under `<DOCTOR_DIR>/<platform>-<account>-<time>/`,
 * so an operator sees exactly what changed on the site. API platforms are checked by
 * `official-api/doctor.ts`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { errors, type Page } from 'playwright-core';
import { browserProxy } from '../accounts/proxy';
import { isApiPlatform, knownPlatformNames } from '../contracts/platforms';
import { Account } from '../database/entities';
import type { Orm } from '../database/orm';
import type { SecretBox } from '../database/secrets';
import type { BrowserPool } from './browser-pool';
import type { DoctorReport, DoctorStep } from './doctor-report';
import type { FormSite } from './form-site';
import { checkApiAccount, type ApiDoctorDeps } from './official-api/doctor';
import type { BrowserSite, BrowserSites } from './site-files';

export interface DoctorDeps {
  orm: Orm;
  secrets: SecretBox;
  /** The browser platforms this process loaded. */
  sites: BrowserSites;
  browserPool: BrowserPool;
  /** `DOCTOR_DIR`: each check that finds a broken page keeps its evidence in a folder of its own here. */
  outputDir: string;
  /** For API platforms. */
  api: ApiDoctorDeps;
  /** Page loads and the answer to the sign-in form. Default 30 s, as for an upload. */
  navigationTimeoutMs?: number;
  /** How long a selector may take to appear on a loaded page. Default 5 s. */
  selectorTimeoutMs?: number;
}

/** A check that cannot start: an unknown platform or account, or an account on another platform. */
export class DoctorInputError extends Error {
  constructor(
    readonly field: 'platform' | 'accountId',
    /** True when the thing named does not exist (HTTP 404), false when it exists but does not fit (400). */
    readonly notFound: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'DoctorInputError';
  }
}

/**
 * Checks `accountId` on `platform`: a browser platform here, an API platform through
 * `checkApiAccount`. Throws {@link DoctorInputError} before any check when the platform or
 * the account is unknown, or the account belongs to another platform.
 */
export async function checkAccount(deps: DoctorDeps, platform: string, accountId: string): Promise<DoctorReport> {
  const site = deps.sites.get(platform);
  if (!site && !isApiPlatform(platform)) {
    throw new DoctorInputError('platform', true, `unknown platform "${platform}"; known platforms: ${knownPlatformNames(deps.sites).join(', ')}`);
  }
  const account = await deps.orm.em.fork().findOne(Account, accountId);
  if (!account) throw new DoctorInputError('accountId', true, `no account "${accountId}"`);
  if (account.platform !== platform) throw new DoctorInputError('accountId', false, `account "${accountId}" is on ${account.platform}, not ${platform}`);
  return site ? checkBrowserAccount(deps, site, account) : checkApiAccount(deps.api, accountId);
}

type SelectorKey = keyof FormSite['selectors'];

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
const slug = (name: string): string => name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Signs in, then visits the upload page and the post list, never publishing. */
async function checkBrowserAccount(deps: DoctorDeps, loaded: BrowserSite, account: Account): Promise<DoctorReport> {
  const { site, baseUrl } = loaded;
  const sel = site.selectors;
  const navigationTimeout = deps.navigationTimeoutMs ?? 30_000;
  const selectorTimeout = deps.selectorTimeoutMs ?? 5_000;
  const runDir = path.join(deps.outputDir, `${site.name}-${account.id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const steps: DoctorStep[] = [];
  const report = (): DoctorReport => ({ platform: site.name, accountId: account.id, kind: 'browser', ok: steps.every((s) => s.ok), steps, published: false });

  /** The screenshot and HTML of the page as it is now; a page that cannot be photographed still gives its HTML. */
  async function evidence(page: Page, stepName: string): Promise<Pick<DoctorStep, 'screenshotPath' | 'htmlPath'>> {
    await fs.mkdir(runDir, { recursive: true });
    const base = path.join(runDir, `${steps.length + 1}-${slug(stepName)}`);
    const kept: Pick<DoctorStep, 'screenshotPath' | 'htmlPath'> = {};
    try {
      await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5_000 });
      kept.screenshotPath = `${base}.png`;
    } catch {
      // A crashed page cannot be photographed; its HTML may still be there.
    }
    try {
      await fs.writeFile(`${base}.html`, await page.content());
      kept.htmlPath = `${base}.html`;
    } catch {
      // Nothing more to keep.
    }
    return kept;
  }

  /** Whether a selector matches on the page, waiting a little for pages that render late. */
  async function lookFor(page: Page, key: SelectorKey): Promise<{ key: SelectorKey; found: boolean; detail: string }> {
    const selector = sel[key] ?? '';
    try {
      await page.locator(selector).first().waitFor({ state: 'attached', timeout: selectorTimeout });
      return { key, found: true, detail: `found ${selector}` };
    } catch (err) {
      if (err instanceof errors.TimeoutError) return { key, found: false, detail: `missing: nothing matches ${selector} on ${page.url()} (waited ${selectorTimeout / 1000} s)` };
      return { key, found: false, detail: `unusable selector ${selector}: ${firstLine(err)}` };
    }
  }

  /**
   * Records a page step and one step per selector. When anything is missing, one screenshot
   * and HTML of the page go with the page step and each missing selector.
   */
  async function record(page: Page, name: string, detail: string, looked: Awaited<ReturnType<typeof lookFor>>[], pageOk = true): Promise<boolean> {
    const missing = looked.filter((l) => !l.found);
    const ok = pageOk && missing.length === 0;
    const kept = ok ? {} : await evidence(page, name);
    const summary = missing.length ? `; missing: ${missing.map((m) => m.key).join(', ')}` : '';
    steps.push({ name, ok, detail: `${detail}${summary}`, ...kept });
    for (const l of looked) steps.push({ name: `selector ${l.key}`, ok: l.found, detail: l.detail, ...(l.found ? {} : kept) });
    return ok;
  }

  /** Opens a page of the site and looks for its selectors. */
  async function visit(page: Page, name: string, pathname: string, keys: SelectorKey[]): Promise<boolean> {
    const url = `${baseUrl}${pathname}`;
    let status: number;
    try {
      status = (await page.goto(url, { waitUntil: 'domcontentloaded', timeout: navigationTimeout }))?.status() ?? 0;
    } catch (err) {
      steps.push({ name, ok: false, detail: `cannot load ${url}: ${firstLine(err)}`, ...(await evidence(page, name)) });
      return false;
    }
    const looked = await Promise.all(keys.map((k) => lookFor(page, k)));
    const landed = page.url() === url ? '' : ` (now at ${page.url()})`;
    return record(page, name, `${url} answered HTTP ${status}${landed}`, looked, status > 0 && status < 400);
  }

  /** The first of several selectors to appear, or null when none does in time. */
  async function firstOf(page: Page, keys: SelectorKey[]): Promise<SelectorKey | null> {
    const any = keys.map((k) => page.locator(sel[k] ?? '')).reduce((a, b) => a.or(b));
    try {
      await any.first().waitFor({ state: 'attached', timeout: navigationTimeout });
    } catch {
      return null;
    }
    for (const key of keys) if ((await page.locator(sel[key] ?? '').count()) > 0) return key;
    return null;
  }

  /** Submits the sign-in form (and the one-time code when asked) as an upload would; true when signed in. */
  async function signIn(page: Page): Promise<boolean> {
    const username = account.username;
    const password = deps.secrets.decrypt(account.passwordEnc, `the password of account ${account.id}`);
    const otpCode = account.otpCodeEnc ? deps.secrets.decrypt(account.otpCodeEnc, `the one-time code of account ${account.id}`) : undefined;
    await page.fill(sel.usernameInput, username);
    await page.fill(sel.passwordInput, password);
    await page.click(sel.submit, { noWaitAfter: true, timeout: navigationTimeout });
    let outcome = await firstOf(page, ['signedInMarker', 'otpInput', 'errorMessage']);
    if (outcome === 'otpInput') {
      if (otpCode === undefined) {
        steps.push({
          name: 'sign-in',
          ok: false,
          detail: `the site asks user ${username} for a one-time code, but the account has none configured`,
          ...(await evidence(page, 'sign-in')),
        });
        return false;
      }
      if (!(await record(page, 'one-time code page', `the site asked for a one-time code at ${page.url()}`, [await lookFor(page, 'otpInput'), await lookFor(page, 'otpSubmit')])))
        return false;
      await page.fill(sel.otpInput, otpCode);
      await page.click(sel.otpSubmit, { noWaitAfter: true, timeout: navigationTimeout });
      outcome = await firstOf(page, ['signedInMarker', 'errorMessage']);
    }
    if (outcome === 'signedInMarker') {
      steps.push({ name: 'sign-in', ok: true, detail: `signed in as ${username}` }, { name: 'selector signedInMarker', ok: true, detail: `found ${sel.signedInMarker}` });
      return true;
    }
    if (outcome === 'errorMessage') {
      const shown = (await page.locator(sel.errorMessage).first().innerText()).trim();
      const rule = site.errors.find((r) => shown.toLowerCase().includes(r.text.toLowerCase()));
      steps.push({
        name: 'sign-in',
        ok: false,
        detail: `the site refused the sign-in of ${username}: "${shown}"${rule ? ` (${rule.kind})` : ''}`,
        ...(await evidence(page, 'sign-in')),
      });
      return false;
    }
    const kept = await evidence(page, 'sign-in');
    steps.push(
      {
        name: 'sign-in',
        ok: false,
        detail: `after submitting, none of signedInMarker, otpInput, errorMessage appeared within ${navigationTimeout / 1000} s (now at ${page.url()})`,
        ...kept,
      },
      { name: 'selector signedInMarker', ok: false, detail: `missing: nothing matches ${sel.signedInMarker} after signing in`, ...kept },
    );
    return false;
  }

  /** The post list: signed in, and the first post (if any) carries the attributes the adapter reads. */
  async function checkPosts(page: Page): Promise<void> {
    if (!(await visit(page, 'post list', site.paths.posts, ['signedInMarker']))) return;
    const items = page.locator(sel.postItem);
    const count = await items.count();
    if (count === 0) {
      steps.push({
        name: 'selector postItem',
        ok: true,
        detail: `no post matches ${sel.postItem}: the account has no posts yet, or the selector is wrong (check it once the account has one)`,
      });
      return;
    }
    const first = items.first();
    const wanted = [site.attributes.postId, site.attributes.postUrl, ...(site.attributes.sha256 ? [site.attributes.sha256] : [])];
    const absent: string[] = [];
    for (const attribute of wanted) if ((await first.getAttribute(attribute)) === null) absent.push(attribute);
    if (sel.postCaption && (await first.locator(sel.postCaption).count()) === 0) absent.push(`postCaption (${sel.postCaption})`);
    const detail = `${count} post(s) match ${sel.postItem}`;
    if (!absent.length) {
      steps.push({ name: 'selector postItem', ok: true, detail: `${detail}; the first carries ${wanted.join(', ')}${sel.postCaption ? ' and a caption' : ''}` });
      return;
    }
    steps.push({ name: 'selector postItem', ok: false, detail: `${detail}, but the first lacks ${absent.join(', ')}`, ...(await evidence(page, 'post list')) });
  }

  try {
    await deps.browserPool.withContext({ proxy: browserProxy(account, deps.secrets) }, async (_context, page) => {
      // A fresh context, without the stored session: the sign-in form is what is checked.
      if (!(await visit(page, 'sign-in page', site.paths.login, ['usernameInput', 'passwordInput', 'submit']))) return;
      if (!(await signIn(page))) return;
      await visit(page, 'upload page', site.paths.upload, ['fileInput', 'captionInput', 'publishButton']);
      await checkPosts(page);
      steps.push({
        name: 'not checked',
        ok: true,
        detail: `publishedMarker (${sel.publishedMarker}) and errorMessage (${sel.errorMessage}) appear only after publishing or on an error; the doctor never publishes`,
      });
    });
  } catch (err) {
    // Chromium would not start, or the page died mid-check: the check itself broke.
    steps.push({ name: 'browser', ok: false, detail: firstLine(err) });
  }
  return report();
}
