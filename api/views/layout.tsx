/**
 * The frame of every dashboard page. hono/jsx escapes every string it renders, so user
 * data (captions, log lines, errors) is text, never markup; the Content-Security-Policy
 * set by `htmlPage` allows only our own script file, so even a missed escape could not run.
 */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { LOCALES, LocaleContext, MESSAGES, localeOf, scriptMessages, usePageLocale, useT, type MessageKey } from '../i18n';
import { statusKey } from '../i18n/messages/common';

/**
 * CSP for dashboard pages: scripts only from this origin, no inline script at all. Forms post
 * to this origin; `formTargets` are origins a form's answer may redirect to (Chromium checks
 * `form-action` on every redirect of a form post), e.g. a provider's consent page.
 */
export function pageCsp(formTargets: readonly string[] = []): string {
  const formAction = ["'self'", ...formTargets].join(' ');
  return `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action ${formAction}; frame-ancestors 'none'`;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}
header a{color:#cfe1ff;text-decoration:none} header form{margin-left:auto}
main{padding:1rem 1.2rem;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff} th,td{border-bottom:1px solid #e3e6eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}
.status{display:inline-block;padding:0 .45rem;border-radius:.6rem;background:#e3e6eb;font-size:12px}
.status-completed{background:#d4f3dc}.status-failed{background:#fbd9d9}.status-partially_failed{background:#fde8c8}
.status-running{background:#d9e8fb}.status-cancelled{background:#e6e0f5}
.status-connected{background:#d4f3dc}.status-needs_reconnect{background:#fbd9d9} tr.needs-reconnect td{background:#fff3e0}
.notice{background:#d4f3dc;padding:.4rem .6rem;border-radius:.3rem}
.bar{display:inline-flex;width:10rem;height:.8rem;vertical-align:middle;background:#e3e6eb;border-radius:.4rem;overflow:hidden}
.bar-completed{background:#4caf6e}.bar-failed{background:#d9534f}.bar-cancelled{background:#8e7cc3}.bar-running{background:#6aa0e0}
[hidden]{display:none!important}
.log{font:12px/1.4 ui-monospace,monospace;max-height:28rem;overflow:auto;background:#fff}
.log td{padding:.1rem .5rem;border:0;white-space:nowrap}
.log td.msg{white-space:pre-wrap;word-break:break-word;width:100%}
.lvl-error{color:#b00020}.lvl-warn{color:#8a5a00}.lvl-debug{color:#777}
.error{color:#b00020;white-space:pre-wrap}
.muted{color:#667}
form.inline{display:inline}
button{cursor:pointer}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;color:#1d2330;padding:.3rem .6rem;z-index:10}
header nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem}
header .tools{margin-left:auto;display:flex;gap:.6rem;align-items:center}
header .tools form{margin:0}
input,select,textarea,button{font:inherit;max-width:100%}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:2px solid #2b6cd4;outline-offset:2px}
.table-wrap{overflow-x:auto}
pre{white-space:pre-wrap;overflow-wrap:anywhere} h1 code,h2 code,h3 code,p code{overflow-wrap:anywhere}
.field-error{color:#b00020;display:block;font-size:13px}
@media (max-width:600px){main{padding:.8rem .6rem} th,td{padding:.3rem .3rem} .bar{width:6rem}}
`;

/** The console's pages, in the navigation's order. */
const NAV: { href: string; label: MessageKey }[] = [
  { href: '/dashboard', label: 'common.nav.bulks' },
  { href: '/dashboard/bulks/new', label: 'common.nav.newBulk' },
  { href: '/dashboard/videos', label: 'common.nav.videos' },
  { href: '/dashboard/accounts', label: 'common.nav.accounts' },
  { href: '/dashboard/schedules', label: 'common.nav.schedules' },
  { href: '/docs', label: 'common.nav.api' },
];

/** Each language named in itself, for the switch. */
const LANGUAGE_NAMES: Record<(typeof LOCALES)[number], string> = { en: 'English', ru: 'Русский' };

/** The path the language switch posts to. */
export const LOCALE_PATH = '/locale';

/**
 * A full HTML document with the navigation bar and the language switch. The page's
 * messages for scripts ride on `<body data-messages>`.
 */
export function Layout(props: { title: string; children?: Child; signedIn?: boolean }) {
  const t = useT();
  const { locale } = usePageLocale();
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · clipfleet`}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
        <script src="/assets/dashboard.js" defer></script>
      </head>
      <body data-messages={JSON.stringify(scriptMessages(locale))} data-locale={locale}>
        <a class="skip" href="#main">
          {t('common.skipToContent')}
        </a>
        <header>
          <strong>{t('common.appName')}</strong>
          {props.signedIn === false ? null : (
            <nav aria-label={t('common.nav')}>
              {NAV.map((item) => (
                <a href={item.href}>{t(item.label)}</a>
              ))}
            </nav>
          )}
          <span class="tools">
            <form method="post" action={LOCALE_PATH}>
              <label>
                <span class="sr-only">{t('common.language')}</span>
                <select name="locale">
                  {LOCALES.map((l) => (
                    <option value={l} selected={l === locale}>
                      {LANGUAGE_NAMES[l]}
                    </option>
                  ))}
                </select>
              </label>{' '}
              <button type="submit">{t('common.language.switch')}</button>
            </form>
            {props.signedIn === false ? null : (
              <form method="post" action="/logout">
                <button type="submit">{t('common.signOut')}</button>
              </form>
            )}
          </span>
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

/** Renders a page with the dashboard's security headers. */
export function htmlPage(c: Context, page: Child, status: 200 | 400 | 401 | 404 | 409 | 502 | 503 = 200, formTargets: readonly string[] = []) {
  c.header('Content-Security-Policy', pageCsp(formTargets));
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
  c.header('Cache-Control', 'no-store');
  c.header('Content-Language', localeOf(c).locale);
  c.header('Vary', 'Accept-Language, Cookie');
  return c.html((<LocaleContext.Provider value={localeOf(c)}>{page}</LocaleContext.Provider>) as string, status);
}

/** A status's name in the page's language (an unknown status as it is). */
export function useStatusName(): (status: string) => string {
  const t = useT();
  return (status) => {
    const key = statusKey(status);
    return key in MESSAGES.en ? t(key as MessageKey) : status;
  };
}

/** A status as a coloured badge; `field` names it for `/assets/dashboard.js` to update. */
export function StatusBadge(props: { status: string; field?: string }) {
  const name = useStatusName();
  return (
    <span class={`status status-${props.status}`} data-field={props.field} data-status={props.status}>
      {name(props.status)}
    </span>
  );
}

/** A table's header row, one cell a column. */
export function TableHead(props: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) => (
          <th>{c}</th>
        ))}
      </tr>
    </thead>
  );
}

/** The parts of a progress bar, in drawing order; the bar's empty rest is accounts not yet done. */
export const PROGRESS_PARTS = ['completed', 'failed', 'cancelled', 'running'] as const;
export type ProgressCounts = Record<(typeof PROGRESS_PARTS)[number], number> & { total: number };

/** The bar's text equivalent in the page's language, e.g. "3 completed, 1 failed, 1 cancelled of 5". `/assets/dashboard.js` mirrors it. */
export function useProgressLabel(): (counts: ProgressCounts) => string {
  const t = useT();
  const partKey = { completed: 'bulkPage.js.bar.completed', failed: 'bulkPage.js.bar.failed', cancelled: 'bulkPage.js.bar.cancelled', running: 'bulkPage.js.bar.running' } as const;
  return (counts) => {
    const parts = PROGRESS_PARTS.filter((p) => counts[p] > 0).map((p) => t(partKey[p], { n: counts[p] }));
    return parts.length ? t('bulkPage.js.bar.of', { parts: parts.join(', '), total: counts.total }) : t('bulkPage.js.bar.none', { total: counts.total });
  };
}

/** A part's share of the bar as a CSS width, to a tenth of a percent. */
export function progressWidth(count: number, total: number): string {
  return `${total > 0 ? Math.round((count / total) * 1000) / 10 : 0}%`;
}

/**
 * Accounts by outcome as one bar of coloured parts (a `<progress>` has a single colour, so
 * failures would look like success); screen readers and hover get the counts as text.
 */
export function ProgressBar(props: { counts: ProgressCounts }) {
  const label = useProgressLabel()(props.counts);
  return (
    <span class="bar" data-field="progress" role="img" aria-label={label} title={label}>
      {PROGRESS_PARTS.map((p) => (
        <span class={`bar-${p}`} data-part={p} style={`width:${progressWidth(props.counts[p], props.counts.total)}`}></span>
      ))}
    </span>
  );
}

/** Only web links become anchors: a `javascript:` URL from a platform must stay text. */
export function isWebUrl(url: string | null | undefined): url is string {
  return typeof url === 'string' && /^https?:\/\//i.test(url);
}
