/**
 * The operator's console as a whole, in real Chromium, on one stack with a bulk, accounts,
 * a library video and a schedule in it:
 * - every write route of the API has a page control that calls it (a form, or an element
 *   whose script calls it, marked `data-api="METHOD /path"`), unless it is listed below as
 *   API-only with the reason;
 * - every page renders completely in English and in Russian (no message key and no English
 *   message left on a Russian page), every input has a label, and holds its layout at 375 px and 1440 px wide (no
 *   sideways scrolling of the page; wide tables scroll in their own box). Screenshots of
 *   each page, language and width go to test-results/console/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { MESSAGES, LOCALE_COOKIE, type MessageKey } from '../api/i18n';
import { openApiDocument } from '../api/openapi';
import { bulkUploadWorkflowId } from '../contracts/names';
import { API_TOKEN, startTestStack, type TestStack } from './fixtures/stack';
import { waitFor } from './fixtures/wait';
import { openConsole, type ConsoleUnderTest } from './fixtures/browser';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results', 'console');
const WRITE_METHODS = ['post', 'put', 'patch', 'delete'] as const;

/** Write routes no page offers, each with the reason. */
const API_ONLY: Record<string, string> = {
  'DELETE /cache': 'the Google/Huntflow cache is an integration concern: `npm run cache:clear` and scripts clear it, operators never need to',
  'POST /bulk-uploads/import': 'imports a plan file from scripts and the CLI (`npm run bulk -- import`); in the console the New bulk form builds the same bulk',
  'POST /platforms/{platform}/check':
    "the platform doctor checks a site's selectors for whoever maintains the site description (`npm run platform -- check`); operators check their accounts' sign-in on the Accounts page",
};

/**
 * API routes whose page control posts an HTML form to a twin route of the console instead
 * (same service, a redirect or the page back instead of JSON), each with the twin and why.
 */
const FORM_TWINS: Record<string, { twin: string; why: string }> = {
  'POST /schedules': { twin: 'POST /dashboard/schedules', why: 'the form is answered with the page (its errors beside the fields), not JSON' },
  'DELETE /schedules/{name}': { twin: 'POST /dashboard/schedules/{name}/delete', why: 'an HTML form cannot send DELETE' },
  'POST /accounts/{id}/connect': {
    twin: 'POST /dashboard/accounts/{id}/connect',
    why: "the browser must follow a redirect to the platform's consent page; the JSON route answers the consent URL to a script",
  },
};

describe('the console: every action has its control; English and Russian at 375 and 1440 px', { timeout: 300_000 }, () => {
  let stack: TestStack;
  let ui: ConsoleUnderTest | undefined;
  let base: string;
  let browser: Browser;
  const suffix = randomBytes(3).toString('hex');
  const taskId = `console-${suffix}`;

  before(async () => {
    stack = await startTestStack({ youtube: {} });
    ui = await openConsole(stack.app.fetch, stack.config.browser.executablePath);
    ({ base, browser } = ui);
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });

    // Something on every page: accounts of both kinds, a finished bulk with a failed account, a schedule.
    await stack.addAccount({ id: `ann-${suffix}` });
    await stack.addAccount({ id: `bob-${suffix}`, platformPassword: 'right', password: 'wrong' });
    await stack.connectYouTube(`yt-${suffix}`);
    const video = await stack.addVideo(`console-${suffix}.mp4`, { durationSec: 1 });
    const start = await stack.api('POST', '/bulk-uploads', { taskId, videos: [{ path: video, caption: 'hello' }], accountIds: [`ann-${suffix}`, `bob-${suffix}`] });
    assert.equal(start.status, 202, await start.clone().text());
    await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result();
    const folder = `incoming-${suffix}`;
    await fs.mkdir(path.join(stack.config.media.root, folder));
    await fs.copyFile(path.join(stack.config.media.root, video), path.join(stack.config.media.root, folder, 'a.mp4'));
    // Two schedules, one paused, so the page offers both pause and resume.
    for (const name of [`nightly-${suffix}`, `paused-${suffix}`]) {
      const body = { name, spec: { cron: '0 3 * * *' }, platform: 'demo', accountIds: [`ann-${suffix}`], source: { folder }, newest: 1, paused: name.startsWith('paused') };
      const schedule = await stack.api('POST', '/schedules', body);
      assert.equal(schedule.status, 201, await schedule.clone().text());
    }
    // Temporal lists schedules from its visibility store, a moment behind.
    await waitFor('both schedules listed, one paused', async () => {
      const { schedules } = (await (await stack.api('GET', '/schedules')).json()) as { schedules: { name: string; paused: boolean }[] };
      return schedules.some((x) => x.name === `nightly-${suffix}` && !x.paused) && schedules.some((x) => x.name === `paused-${suffix}` && x.paused);
    });
  });
  after(async () => {
    for (const name of [`nightly-${suffix}`, `paused-${suffix}`]) await stack?.api('DELETE', `/schedules/${name}`);
    await ui?.close();
    await stack?.close();
  });

  /** A browser context signed in through the form, in `locale`, `width` px wide. */
  async function signedIn(locale: 'en' | 'ru', width: number): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: locale === 'ru' ? 'ru-RU' : 'en-US', timezoneId: 'Europe/Moscow' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name=token]', API_TOKEN);
    await Promise.all([page.waitForURL(`${base}/dashboard`), page.click('form[action="/login"] button[type=submit]')]);
    await page.close();
    return context;
  }

  /** The console's pages, with a bulk page of a real bulk. */
  const pages = () => [
    '/dashboard',
    '/dashboard/bulks/new',
    `/dashboard/bulks/${taskId}`,
    '/dashboard/videos',
    '/dashboard/accounts',
    '/dashboard/schedules',
    '/docs',
    `/bulk-upload/${taskId}/logs/`,
  ];

  it('every write route of the API is called by a page control, or is API-only for a stated reason', async () => {
    const doc = openApiDocument(stack.app, base);
    const writeRoutes = Object.entries(doc.paths ?? {}).flatMap(([p, item]) => WRITE_METHODS.filter((m) => item?.[m]).map((m) => `${m.toUpperCase()} ${p}`));
    assert.ok(writeRoutes.length > 15, `the route table is read (${writeRoutes.length} write routes)`);

    const context = await signedIn('en', 1440);
    const used: { method: string; path: string; page: string }[] = [];
    for (const target of pages()) {
      const page = await context.newPage();
      await page.goto(`${base}${target}`);
      const controls = await page.evaluate(() => {
        const out: { method: string; path: string }[] = [];
        document.querySelectorAll('form').forEach((f) => {
          const action = new URL(f.action, location.href);
          if (action.origin !== location.origin) return;
          out.push({ method: (f.getAttribute('data-method') ?? f.getAttribute('method') ?? 'get').toUpperCase(), path: action.pathname });
        });
        document.querySelectorAll('[data-api]').forEach((e) => {
          for (const one of (e.getAttribute('data-api') ?? '').split(',')) {
            const [method = '', p = ''] = one.trim().split(/\s+/);
            out.push({ method: method.toUpperCase(), path: new URL(p, location.href).pathname });
          }
        });
        return out;
      });
      used.push(...controls.map((c) => ({ ...c, page: target })));
      await page.close();
    }
    // The sign-in page is outside the session.
    const anonymous = await browser.newPage();
    await anonymous.goto(`${base}/login`);
    used.push(
      ...(await anonymous.$$eval('form', (forms) => forms.map((f) => ({ method: (f.getAttribute('method') ?? 'get').toUpperCase(), path: new URL(f.action).pathname })))).map(
        (c) => ({ ...c, page: '/login' }),
      ),
    );
    await anonymous.close();
    await context.close();

    const matches = (route: string, control: { method: string; path: string }) => {
      const [method, template = ''] = route.split(' ');
      const pattern = new RegExp(
        `^${template
          .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          .replace(/\\?\{[^}]+\\?\}/g, '[^/]+')
          .replace(/\{[^}]+\}/g, '[^/]+')}/?$`,
      );
      return control.method === method && pattern.test(decodeURIComponent(control.path));
    };
    const offered = (route: string) => used.some((c) => matches(route, c)) || (FORM_TWINS[route] !== undefined && used.some((c) => matches(FORM_TWINS[route]!.twin, c)));
    const unused = writeRoutes.filter((route) => !API_ONLY[route] && !offered(route));
    assert.deepEqual(unused, [], `write routes no page uses (add a control, or list the route in API_ONLY with the reason)`);
    const stale = Object.keys(API_ONLY).filter((route) => !writeRoutes.includes(route));
    assert.deepEqual(stale, [], 'API_ONLY names only routes that exist');
  });

  it('every page renders completely in English and Russian, and holds at 375 and 1440 px', async () => {
    const keys = Object.keys(MESSAGES.en) as MessageKey[];
    // English texts that would give away an untranslated Russian page (long enough to be telling).
    // Phrases, not single words: a single word (`platform`, `Schedules`) also names data, a CSV column or another product's page.
    const englishTexts = keys.map((k) => MESSAGES.en[k]).filter((text, i) => text !== MESSAGES.ru[keys[i]!] && /[a-z]{3,}\s+[a-z]{3,}/i.test(text) && !text.includes('{'));
    const problems: string[] = [];
    for (const locale of ['en', 'ru'] as const) {
      for (const width of [375, 1440]) {
        const context = await signedIn(locale, width);
        for (const target of pages()) {
          const page = await context.newPage();
          const res = await page.goto(`${base}${target}`);
          assert.equal(res?.status(), 200, `${target} answers`);
          await page.waitForLoadState('networkidle');
          // Named after the page, not the run's ids, so a new run replaces the last one's.
          const name = `${target
            .replace(taskId, 'bulk')
            .replace(/^\//, '')
            .replace(/[^\w-]+/g, '_')}-${locale}-${width}.png`;
          await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true });
          // Log lines are data the workers wrote (in English); everything else is the page's.
          const { text, logText, lang, overflow, unlabelled } = await page.evaluate(() => ({
            text: Array.from(document.body.children)
              .map((e) => (e as HTMLElement).innerText)
              .join('\n')
              .replace(/\u00a0/g, ' '),
            logText: Array.from(document.querySelectorAll<HTMLElement>('.log')).map((e) => e.innerText),
            lang: document.documentElement.lang,
            overflow: document.scrollingElement!.scrollWidth - window.innerWidth,
            // Inputs a person fills in without a name a screen reader can say.
            unlabelled: Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input:not([type=hidden]), select, textarea'))
              .filter((e) => !e.labels?.length && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
              .map((e) => e.outerHTML.slice(0, 120)),
          }));
          if (lang !== locale) problems.push(`${target} ${locale}: <html lang="${lang}">`);
          if (unlabelled.length) problems.push(`${target} ${locale}: inputs without a label: ${unlabelled.join(' | ')}`);
          if (overflow > 1) problems.push(`${target} ${locale} ${width}px: the page scrolls sideways by ${overflow}px`);
          const leftKeys = keys.filter((k) => text.includes(k));
          const pageText = logText.reduce((all, log) => all.replace(log, ''), text);
          if (leftKeys.length) problems.push(`${target} ${locale}: message keys shown: ${leftKeys.join(', ')}`);
          if (locale === 'ru' && target !== '/docs') {
            const english = englishTexts.filter((t) => pageText.includes(t));
            if (english.length) problems.push(`${target} ru: English left: ${english.join(' | ')}`);
          }
          await page.close();
        }
        await context.close();
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the language switch changes the language and stays chosen', async () => {
    const context = await signedIn('en', 1440);
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/accounts`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.selectOption('select[name=locale]', 'ru');
    await Promise.all([page.waitForURL(`${base}/dashboard/accounts`), page.click('form[action="/locale"] button[type=submit]')]);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');
    assert.ok((await context.cookies()).some((c) => c.name === LOCALE_COOKIE && c.value === 'ru'));
    await page.goto(`${base}/dashboard`);
    assert.equal(await page.locator('nav a').first().textContent(), MESSAGES.ru['common.nav.bulks']);
    await context.close();
  });
});
