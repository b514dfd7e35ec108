/**
 * The frame of every dashboard page. hono/jsx escapes every string it renders, so user
 * data (captions, log lines, errors) is text, never markup; the Content-Security-Policy
 * set by `htmlPage` allows only our own script file, so even a missed escape could not run.
 */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';

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
`;

/** A full HTML document with the navigation bar. */
export function Layout(props: { title: string; children?: Child; signedIn?: boolean }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} · clipfleet</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
        <script src="/assets/dashboard.js" defer></script>
      </head>
      <body>
        <header>
          <strong>clipfleet</strong>
          <a href="/dashboard">Bulks</a>
          <a href="/dashboard/schedules">Schedules</a>
          <a href="/dashboard/accounts">Accounts</a>
          <a href="/docs">API</a>
          {props.signedIn === false ? null : (
            <form method="post" action="/logout">
              <button type="submit">Sign out</button>
            </form>
          )}
        </header>
        <main>{props.children}</main>
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
  return c.html(page as string, status);
}

/** A status as a coloured badge; `field` names it for `/assets/dashboard.js` to update. */
export function StatusBadge(props: { status: string; field?: string }) {
  return (
    <span class={`status status-${props.status}`} data-field={props.field}>
      {props.status}
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

/** The bar's text equivalent, e.g. "3 completed, 1 failed, 1 cancelled of 5". */
export function progressLabel(counts: ProgressCounts): string {
  const parts = PROGRESS_PARTS.filter((p) => counts[p] > 0).map((p) => `${counts[p]} ${p}`);
  return parts.length ? `${parts.join(', ')} of ${counts.total}` : `0 of ${counts.total} done`;
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
  const label = progressLabel(props.counts);
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
