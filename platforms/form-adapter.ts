/**
 * A PlatformAdapter for any site with a sign-in form and an upload form, driven entirely by
 * a `FormSite` description. Each step opens a page, acts, then waits for the first of the
 * outcomes the description names (confirmation, error message, sign-in form), so a slow
 * platform is waited for and never raced.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { errors, type Page, type Response as PageResponse } from 'playwright-core';
import { PlatformError, type PlatformAdapter, type PlatformErrorKind, type PublishedPost } from './adapter';
import type { FormSite } from './form-site';

export interface FormAdapterOptions {
  /** The platform's origin, e.g. `http://127.0.0.1:3100`. */
  baseUrl: string;
  /** Page loads and sign-in answers. Default 30 s. */
  navigationTimeoutMs?: number;
  /** From clicking publish to the confirmation; covers the upload itself. Default 10 min. */
  publishTimeoutMs?: number;
}

const firstLine = (s: string): string => s.split('\n')[0] ?? s;

/** Builds the adapter for `site` at `options.baseUrl`. */
/** How often a page load answered 5xx or 429 is tried before the step fails as unavailable. */
export const PAGE_LOADS = 3;
const RELOAD_PAUSE_MS = 500;

export function createFormAdapter(site: FormSite, options: FormAdapterOptions): PlatformAdapter {
  const base = options.baseUrl.replace(/\/$/, '');
  const navigationTimeout = options.navigationTimeoutMs ?? 30_000;
  const publishTimeout = options.publishTimeoutMs ?? 10 * 60_000;
  const sel = site.selectors;

  const fail = (kind: PlatformErrorKind, detail: string, cause?: unknown): PlatformError => new PlatformError({ platform: site.name, kind, detail, cause });

  /** Turns browser failures into PlatformErrors: a timeout or refused connection is the platform being unavailable. */
  async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof PlatformError) throw err;
      const message = firstLine(err instanceof Error ? err.message : String(err));
      if (err instanceof errors.TimeoutError) throw fail('unavailable', `${what}: timed out (${message})`, err);
      if (/net::ERR_|ECONNREFUSED|ECONNRESET/.test(message)) throw fail('unavailable', `${what}: cannot reach ${base} (${message})`, err);
      throw fail('unexpected', `${what}: ${message}`, err);
    }
  }

  /**
   * Loads a page. A 5xx or 429 answer is loaded again, a few times with a short pause, as a
   * person would reload it: a page load only reads, and a flaky platform should not cost a
   * whole upload attempt (sign-in and upload forms are posted once per attempt; the
   * activity's retry decides those). Still failing, the platform is unavailable right now.
   */
  async function open(page: Page, pathname: string, what: string): Promise<void> {
    for (let load = 1; ; load++) {
      const response = await page.goto(`${base}${pathname}`, { waitUntil: 'domcontentloaded', timeout: navigationTimeout });
      const status = response?.status() ?? 0;
      if (status < 500 && status !== 429) return;
      if (load >= PAGE_LOADS) {
        const shown = await visibleError(page);
        throw fail('unavailable', `${what}: ${base}${pathname} answered HTTP ${status} ${load} times${shown ? ` (${shown})` : ''}`);
      }
      await page.waitForTimeout(RELOAD_PAUSE_MS * load);
    }
  }

  /**
   * Clicks a submit button without Playwright's wait for the navigation it starts: that
   * wait ends only when the answer arrives, and `firstOf` waits for the answer with the
   * timeout that fits the step (a large upload takes longer than a sign-in).
   */
  async function submit(page: Page, selector: string): Promise<void> {
    await page.click(selector, { noWaitAfter: true, timeout: navigationTimeout });
  }

  /** Waits for the first of several elements to appear and says which one it was. */
  async function firstOf<K extends string>(page: Page, outcomes: Record<K, string>, timeout: number): Promise<K> {
    const keys = Object.keys(outcomes) as K[];
    const any = keys.map((k) => page.locator(outcomes[k])).reduce((a, b) => a.or(b));
    await any.first().waitFor({ state: 'attached', timeout });
    for (const key of keys) if ((await page.locator(outcomes[key]).count()) > 0) return key;
    // The page moved on between the two looks; ask again.
    return firstOf(page, outcomes, timeout);
  }

  async function visibleError(page: Page): Promise<string | null> {
    const error = page.locator(sel.errorMessage).first();
    if ((await error.count()) === 0) return null;
    return (await error.innerText()).trim() || null;
  }

  function kindOf(message: string | null, status: number | null): PlatformErrorKind {
    const lower = message?.toLowerCase() ?? '';
    const rule = site.errors.find((r) => lower.includes(r.text.toLowerCase()));
    if (rule) return rule.kind;
    if (status !== null && (status >= 500 || status === 429)) return 'unavailable';
    return 'unexpected';
  }

  /** The HTTP status of the page's latest document (the answer to a form post). */
  function watchDocumentStatus(page: Page): { status(): number | null; stop(): void } {
    let last: number | null = null;
    const onResponse = (response: PageResponse): void => {
      const request = response.request();
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) last = response.status();
    };
    page.on('response', onResponse);
    return { status: () => last, stop: () => page.off('response', onResponse) };
  }

  async function postAttributes(page: Page, selector: string): Promise<PublishedPost | null> {
    const marker = page.locator(selector).first();
    const postId = await marker.getAttribute(site.attributes.postId);
    const url = await marker.getAttribute(site.attributes.postUrl);
    return postId && url ? { postId, url: new URL(url, page.url()).toString() } : null;
  }

  const adapter: PlatformAdapter = {
    name: site.name,

    isSignedIn: (page) =>
      guard('session check', async () => {
        await open(page, site.paths.posts, 'session check');
        const where = await firstOf(page, { signedIn: sel.signedInMarker, login: sel.usernameInput }, navigationTimeout);
        return where === 'signedIn';
      }),

    signIn: (page, { username, password, otpCode }) =>
      guard(`sign-in for user ${username}`, async () => {
        await open(page, site.paths.login, `sign-in for user ${username}`);
        if ((await page.locator(sel.signedInMarker).count()) > 0) return;
        const watch = watchDocumentStatus(page);
        try {
          await page.fill(sel.usernameInput, username);
          await page.fill(sel.passwordInput, password);
          await submit(page, sel.submit);
          let where = await firstOf(page, { signedIn: sel.signedInMarker, otp: sel.otpInput, error: sel.errorMessage }, navigationTimeout);
          if (where === 'otp') {
            if (otpCode === undefined) {
              throw fail('bad_credentials', `sign-in for user ${username} asks for a one-time code, but the account has none configured`);
            }
            await page.fill(sel.otpInput, otpCode);
            await submit(page, sel.otpSubmit);
            where = await firstOf(page, { signedIn: sel.signedInMarker, error: sel.errorMessage }, navigationTimeout);
          }
          if (where === 'signedIn') return;
          const message = await visibleError(page);
          const kind = kindOf(message, watch.status());
          throw fail(
            kind,
            kind === 'bad_credentials'
              ? `sign-in rejected for user ${username}: ${message ?? 'no reason given'}`
              : `sign-in for user ${username} failed: ${message ?? `HTTP ${watch.status() ?? '?'}`}`,
          );
        } finally {
          watch.stop();
        }
      }),

    findExistingPost: (page, { sha256, caption }) =>
      guard('looking for an earlier post', async () => {
        await open(page, site.paths.posts, 'looking for an earlier post');
        const where = await firstOf(page, { list: sel.signedInMarker, login: sel.usernameInput }, navigationTimeout);
        if (where === 'login') throw fail('session_expired', 'the session expired before the post list could be read; sign in again');
        const attrs = site.attributes;
        const items = await page.locator(sel.postItem).evaluateAll(
          (elements, a) =>
            elements.map((el) => ({
              postId: el.getAttribute(a.postId),
              url: el.getAttribute(a.postUrl),
              sha256: a.sha256 ? el.getAttribute(a.sha256) : null,
              caption: a.caption ? (el.querySelector(a.caption)?.textContent ?? null) : null,
            })),
          { ...attrs, caption: sel.postCaption },
        );
        // By file hash when the platform shows it; a caption is only a hint, used when it does not.
        const match = attrs.sha256 ? items.find((item) => item.sha256 === sha256) : sel.postCaption ? items.find((item) => item.caption?.trim() === caption.trim()) : undefined;
        if (!match?.postId || !match.url) return null;
        return { postId: match.postId, url: new URL(match.url, page.url()).toString() };
      }),

    publish: (page, { filePath, caption, onProgress }) => {
      const file = path.basename(filePath);
      return guard(`upload of ${file}`, async () => {
        const progress = (step: string): void => onProgress?.(step);
        const size = await stat(filePath).then(
          (s) => s.size,
          () => null,
        );
        if (size === null) throw fail('rejected', `upload of ${file}: file not found: ${filePath}`);

        progress('opening upload page');
        await open(page, site.paths.upload, `upload of ${file}`);
        const ready = await firstOf(page, { form: sel.fileInput, login: sel.usernameInput }, navigationTimeout);
        if (ready === 'login') throw fail('session_expired', `upload of ${file}: the session expired; sign in again`);

        progress('attaching file');
        await page.setInputFiles(sel.fileInput, filePath);
        progress('writing caption');
        await page.fill(sel.captionInput, caption);

        progress('publishing');
        const watch = watchDocumentStatus(page);
        try {
          await submit(page, sel.publishButton);
          let outcome: 'published' | 'error' | 'login';
          try {
            outcome = await firstOf(page, { published: sel.publishedMarker, error: sel.errorMessage, login: sel.usernameInput }, publishTimeout);
          } catch (err) {
            if (!(err instanceof errors.TimeoutError)) throw err;
            throw fail(
              'unavailable',
              `upload of ${file}: no confirmation within ${publishTimeout / 1000} s; it may still have gone through, so a retry looks for the post first`,
              err,
            );
          }
          if (outcome === 'login') throw fail('session_expired', `upload of ${file}: the session expired while publishing; sign in again`);
          if (outcome === 'error') {
            const message = await visibleError(page);
            const status = watch.status();
            throw fail(kindOf(message, status), `upload of ${file} refused: ${message ?? `HTTP ${status ?? '?'}`}`);
          }
          const post = await postAttributes(page, sel.publishedMarker);
          if (!post) throw fail('unexpected', `upload of ${file}: the confirmation carries no post id or URL`);
          progress('published');
          return post;
        } finally {
          watch.stop();
        }
      });
    },
  };
  return adapter;
}
