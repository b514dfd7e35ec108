import { isFinishedTaskStatus, type AccountStatus } from '../../contracts/statuses';
import type { LogEntry } from '../../logs/log-store';
import type { BulkStatus } from '../../bulks';
import { localTime } from '../../scheduling/time';
import { usePageLocale, useFormat, useT } from '../i18n';
import { Layout, ProgressBar, StatusBadge, TableHead, isWebUrl, useProgressLabel } from './layout';
import { LogTable } from './log-table';

export interface BulkPageProps {
  status: BulkStatus;
  links: { status: string; logs: string; webUi: string };
  /** Temporal Web UI page of each account's child workflow. */
  childWebUi: Record<string, string>;
  /** Failure screenshot URL of each account that has one. */
  screenshots: Record<string, string>;
  entries: LogEntry[];
}

type Video = BulkStatus['accounts'][number]['videos'][number];

/** A post's state on the plan. */
export type PostState = 'planned' | 'running' | 'published' | 'failed' | 'cancelled';

/**
 * Where a post stands, from its video's and its account's status: a post whose time has come
 * on a running, unpaused account is being published (or rendered). `/assets/dashboard.js`
 * mirrors this rule.
 */
export function postState(video: Pick<Video, 'status' | 'plannedAt'>, account: AccountStatus, paused: boolean, nowMs: number): PostState {
  if (video.status === 'published' || video.status === 'failed') return video.status;
  if (account === 'cancelled' || account === 'failed') return account;
  if (video.status === 'uploaded') return 'running';
  if (account === 'running' && !paused && (!video.plannedAt || Date.parse(video.plannedAt) <= nowMs)) return 'running';
  return 'planned';
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An instant as the plan shows it in `zone`: its day (`2026-11-25`, and `Wed 2026-11-25` as
 * a heading, the day's name in `locale`: `ср 2026-11-25`), its time (`09:00`, seconds only
 * when not zero) and the value of a `datetime-local` input (`2026-11-25T09:00`).
 * `/assets/dashboard.js` mirrors this.
 */
export function planTime(iso: string, zone: string, locale = 'en'): { day: string; dayLabel: string; time: string; local: string } {
  const t = localTime(Date.parse(iso), zone);
  const day = `${t.year}-${pad(t.month)}-${pad(t.day)}`;
  const hm = `${pad(t.hour)}:${pad(t.minute)}`;
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(t.year, t.month - 1, t.day)));
  return { day, dayLabel: `${weekday} ${day}`, time: t.second ? `${hm}:${pad(t.second)}` : hm, local: `${day}T${hm}` };
}

/** One post on the plan, with the account it belongs to. */
interface PlanPost {
  accountId: string;
  accountStatus: AccountStatus;
  video: Video;
}

/** Earliest first; posts published at once last; then by account and video. `/assets/dashboard.js` sorts the same way. */
function byPlannedTime(a: PlanPost, b: PlanPost): number {
  const at = (p: PlanPost) => p.video.plannedAt ?? '~';
  return at(a).localeCompare(at(b)) || a.accountId.localeCompare(b.accountId) || a.video.videoId.localeCompare(b.video.videoId);
}

/** A phrase that tells one post's controls apart for a screen reader: " of v1 on ann". */
function SrName(props: { post: PlanPost; phrase: 'bulkPage.js.sr.postOf' | 'bulkPage.js.sr.timeFor' | 'bulkPage.js.sr.post' }) {
  const t = useT();
  return <span class="sr-only">{t(props.phrase, { video: props.post.video.videoId, account: props.post.accountId })}</span>;
}

/**
 * One post: time, account, video, state, post link or error, and (while it is planned and
 * its account runs) a form that moves it. `/assets/dashboard.js` builds the same row.
 */
function PlanItem(props: { post: PlanPost; zone: string; state: PostState; movable: boolean; moveUrl: string }) {
  const t = useT();
  const { locale } = usePageLocale();
  const { post, zone } = props;
  const v = post.video;
  const when = v.plannedAt ? planTime(v.plannedAt, zone, locale) : null;
  return (
    <li data-post={JSON.stringify([post.accountId, v.videoId])}>
      <time class="plan-time" data-field="time" datetime={v.plannedAt ?? undefined}>
        {when ? when.time : t('bulkPage.js.plan.atOnce')}
      </time>
      <span class="plan-what">
        <span data-field="account">{post.accountId}</span>
        {' · '}
        <span data-field="video">{v.videoId}</span>
      </span>
      <span data-field="state">
        <StatusBadge status={props.state} />
      </span>
      <span data-field="post">
        {isWebUrl(v.postUrl) ? (
          <a href={v.postUrl} target="_blank" rel="noopener">
            {t('bulkPage.js.plan.post')}
            <SrName post={post} phrase="bulkPage.js.sr.postOf" />
          </a>
        ) : null}
      </span>
      <span class="error" data-field="error">
        {v.error ?? ''}
      </span>
      <form class="plan-move" method="post" action={props.moveUrl} data-action="move" hidden={!props.movable}>
        <label>
          <span class="plan-move-label">{t('bulkPage.js.plan.newTime')}</span>
          <SrName post={post} phrase="bulkPage.js.sr.timeFor" /> <input type="datetime-local" name="publishAt" required value={when?.local ?? ''} />
        </label>
        <button type="submit">
          {t('bulkPage.js.plan.move')}
          <SrName post={post} phrase="bulkPage.js.sr.post" />
        </button>
        <span class="error" data-field="action-error" role="alert"></span>
      </form>
    </li>
  );
}

/**
 * The plan: every post by day in the bulk's zone, earliest first, with a form to move the
 * whole bulk and one per planned post. Rendered even before anything is planned (hidden),
 * so `/assets/dashboard.js` only fills it in when the accounts have reserved their slots.
 */
function PlanSection(props: { status: BulkStatus; path: string; finished: boolean; nowMs: number }) {
  const t = useT();
  const { locale } = usePageLocale();
  const s = props.status;
  const zone = s.timeZone;
  const posts = s.accounts.flatMap((a) => a.videos.map((video): PlanPost => ({ accountId: a.accountId, accountStatus: a.status, video }))).sort(byPlannedTime);
  const hasPlan = posts.some((p) => p.video.plannedAt);
  const days: { key: string; label: string; posts: PlanPost[] }[] = [];
  for (const post of posts) {
    const when = post.video.plannedAt ? planTime(post.video.plannedAt, zone, locale) : null;
    const key = when?.day ?? '';
    if (days.at(-1)?.key !== key) days.push({ key, label: when?.dayLabel ?? t('bulkPage.js.plan.unplanned'), posts: [] });
    days.at(-1)!.posts.push(post);
  }
  const state = (p: PlanPost) => postState(p.video, p.accountStatus, s.paused, props.nowMs);
  const firstOpen = posts.find((p) => p.video.plannedAt && state(p) === 'planned')?.video.plannedAt;
  const accountsUrl = `${props.path}/accounts/`;
  const moveUrl = (p: PlanPost) => `${accountsUrl}${encodeURIComponent(p.accountId)}/videos/${encodeURIComponent(p.video.videoId)}/move`;
  return (
    <section class="plan" data-plan data-accounts-url={accountsUrl} hidden={!hasPlan}>
      <h2>
        {t('bulkPage.plan')} <span class="muted">{t('bulkPage.plan.zone', { zone })}</span>
      </h2>
      <form class="plan-reschedule" method="post" action={`${props.path}/reschedule`} data-action="reschedule" hidden={props.finished}>
        <label>
          {t('bulkPage.plan.rescheduleLabel', { zone })} <input type="datetime-local" name="publishAt" required value={firstOpen ? planTime(firstOpen, zone).local : ''} />
        </label>{' '}
        <button type="submit">{t('bulkPage.plan.reschedule')}</button>
        <span class="error" data-field="action-error" role="alert"></span>
      </form>
      <div data-plan-days>
        {days.map((d) => (
          <section class="plan-day" data-day={d.key}>
            <h3>{d.label}</h3>
            <ol class="plan-list">
              {d.posts.map((p) => {
                const st = state(p);
                return (
                  <PlanItem
                    post={p}
                    zone={zone}
                    state={st}
                    movable={!props.finished && st === 'planned' && p.accountStatus === 'running' && Boolean(p.video.plannedAt)}
                    moveUrl={moveUrl(p)}
                  />
                );
              })}
            </ol>
          </section>
        ))}
      </div>
    </section>
  );
}

/** Out of sight but still read by screen readers. */
const VISUALLY_HIDDEN = 'position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0';

/** The plan's and the page's own rules; the layout's style covers the rest. */
const PAGE_STYLE = `
.sr-only{${VISUALLY_HIDDEN}}
.status-planned{background:#fff1c2}.status-published{background:#d4f3dc}.status-paused{background:#fde8c8}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.scroll-x{overflow-x:auto}
.plan-reschedule{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.4rem 0 .6rem}
.plan-day h3{margin:.8rem 0 .25rem;font-size:14px}
.plan-list{list-style:none;margin:0;padding:0;background:#fff;border:1px solid #e3e6eb;border-bottom:0}
.plan-list li{display:flex;flex-wrap:wrap;gap:.25rem .8rem;align-items:center;padding:.35rem .5rem;border-bottom:1px solid #e3e6eb}
.plan-time{font-variant-numeric:tabular-nums;font-weight:600;min-width:3.2rem}
.plan-what{min-width:8rem}
.plan-list .error:empty{display:none}
.plan-move{margin-left:auto;display:flex;flex-wrap:wrap;gap:.3rem;align-items:center}
@media (max-width:480px){.plan-move{margin-left:0}.plan-move-label{${VISUALLY_HIDDEN}}}
input[type=datetime-local]{font:inherit;padding:.1rem .25rem}
.phase{display:flex;flex-direction:column;gap:.15rem;min-width:7rem;font-size:12px}
.phase progress{width:7rem;height:.6rem}
.previews{display:flex;flex-wrap:wrap;gap:.25rem}.previews button{white-space:nowrap}
.preview-dialog{box-sizing:border-box;width:min(96vw,1100px);max-width:96vw;padding:.8rem;border:1px solid #c9ced6;border-radius:.4rem}
.preview-dialog::backdrop{background:rgba(20,24,32,.55)}
.preview-head{display:flex;gap:.6rem;align-items:center;justify-content:space-between;margin-bottom:.5rem}
.preview-head h2{margin:0;font-size:16px}
.preview-pair{display:flex;flex-wrap:wrap;gap:.8rem}
.preview-pair figure{flex:1 1 260px;margin:0;min-width:0}
.preview-pair video{width:100%;max-height:60vh;background:#000}
.preview-pair figcaption{font-weight:600;margin-bottom:.25rem}
.action-error:empty{display:none}
@media (max-width:600px){
.accounts-table thead{${VISUALLY_HIDDEN}}
.accounts-table,.accounts-table tbody,.accounts-table tr,.accounts-table td{display:block;width:auto}
.accounts-table tr{border-bottom:2px solid #d5d9e0;padding:.3rem 0}
.accounts-table td{border:0;padding:.15rem .4rem;display:flex;gap:.5rem;flex-wrap:wrap}
.accounts-table td:empty,.accounts-table td:has(> :only-child:empty),.accounts-table td:has(> form[hidden]:only-child){display:none}
.accounts-table td::before{content:attr(data-label);color:#667;min-width:6.5rem;flex:0 0 auto}
}
`;

/** An operator's action on the bulk: a form posting to the API route, with a place for its error. */
function ActionForm(props: { action: string; dataAction: string; hidden: boolean; label: string; srName?: string; class?: string }) {
  return (
    <form class={props.class ?? 'inline'} method="post" action={props.action} data-action={props.dataAction} hidden={props.hidden}>
      <button type="submit">
        {props.label}
        {props.srName ? <span class="sr-only"> {props.srName}</span> : null}
      </button>{' '}
      <span class="error action-error" data-field="action-error" role="alert"></span>
    </form>
  );
}

/** The account table's columns, in order; `/assets/dashboard.js` adds rows with the same cells. */
const ACCOUNT_COLUMNS = [
  'bulkPage.col.account',
  'bulkPage.col.state',
  'bulkPage.col.step',
  'bulkPage.col.progress',
  'bulkPage.col.next',
  'bulkPage.col.posts',
  'bulkPage.col.preview',
  'bulkPage.col.error',
  'bulkPage.col.workflow',
  'bulkPage.col.actions',
] as const;

/** The soonest post of an account still to come, if it has a planned time. */
function nextPlanned(account: BulkStatus['accounts'][number]): string | null {
  const open = account.videos.filter((v) => v.plannedAt && v.status !== 'published' && v.status !== 'failed').map((v) => v.plannedAt!);
  return open.sort()[0] ?? null;
}

/**
 * The preview player: the original and one account's variant side by side (stacked on a
 * narrow screen). `/assets/dashboard.js` opens it from a row's Preview button and sets the
 * two sources; the files come from the dashboard's video routes (with Range, so they seek).
 */
function PreviewDialog(props: { originalsUrl: string; variantsUrl: string }) {
  const t = useT();
  return (
    <dialog class="preview-dialog" data-preview data-originals-url={props.originalsUrl} data-variants-url={props.variantsUrl} aria-labelledby="preview-title">
      <div class="preview-head">
        <h2 id="preview-title">
          {t('bulkPage.preview.dialog')}: <span data-field="preview-of"></span>
        </h2>
        <form method="dialog">
          <button type="submit" data-action="preview-close">
            {t('bulkPage.preview.close')}
          </button>
        </form>
      </div>
      <div class="preview-pair">
        <figure>
          <figcaption>{t('bulkPage.preview.original')}</figcaption>
          <video data-field="preview-original" controls preload="metadata" playsinline></video>
        </figure>
        <figure>
          <figcaption>{t('bulkPage.preview.variant')}</figcaption>
          <video data-field="preview-variant" controls preload="metadata" playsinline></video>
        </figure>
      </div>
      <p class="error" data-field="preview-error" role="alert"></p>
    </dialog>
  );
}

/**
 * One bulk: progress, pause or resume and cancel (while it runs) or retry (once it ended
 * with failures), the plan of a scheduled bulk, one row per account (state, current step,
 * how far its render or upload is, next planned post, post links, variant previews, error,
 * screenshot, Web UI link, cancel while it runs), and the live log.
 * `/assets/dashboard.js` refreshes all of it while the bulk runs (the status endpoint, the
 * progress endpoint, and at once when a log line or the end arrives on the pushed log
 * stream); the `data-field`/`data-action` attributes are its hooks. Every action is a form
 * posting to the API route a script client would call: the script sends it with `fetch`
 * and shows the answer in place (without a script it is a plain post, answered with a
 * redirect back here).
 */
export function BulkPage(props: BulkPageProps) {
  const t = useT();
  const f = useFormat();
  const progressLabel = useProgressLabel();
  const s = props.status;
  const path = `/bulk-uploads/${encodeURIComponent(s.taskId)}`;
  const dashboard = `/dashboard/bulks/${encodeURIComponent(s.taskId)}`;
  const logs = `/bulk-upload/${encodeURIComponent(s.taskId)}/logs/`;
  const cancelled = s.accounts.filter((a) => a.status === 'cancelled').length;
  const counts = { total: s.total, completed: s.completed, failed: s.failed, cancelled, running: s.running };
  const finished = isFinishedTaskStatus(s.status);
  // Each cell names its column too: on a narrow screen a row is a card of labelled lines.
  const columns = ACCOUNT_COLUMNS.map((key) => t(key));
  const label = (i: number) => columns[i];
  return (
    <Layout title={t('bulkPage.title', { taskId: s.taskId })}>
      <style dangerouslySetInnerHTML={{ __html: PAGE_STYLE }} />
      <h1>
        {t('bulkPage.heading')} {s.taskId} <StatusBadge status={s.status} field="status" />{' '}
        <span data-field="paused" hidden={!s.paused || finished}>
          <StatusBadge status="paused" />
        </span>
      </h1>
      <p data-status-url={path} data-progress-url={`${dashboard}/progress`} data-screenshots-url={`${dashboard}/screenshots/`}>
        <ProgressBar counts={counts} />{' '}
        <span data-field="counts" data-label={progressLabel(counts)}>
          {t('bulkPage.js.counts', { ...counts, done: s.completed + s.failed + cancelled })}
        </span>
        {' · '}
        <a href={props.links.webUi} target="_blank" rel="noopener">
          {t('bulkPage.webUi')}
        </a>
        {' · '}
        <a href={logs}>{t('bulkPage.fullLog')}</a>
      </p>
      <div class="actions">
        {/* Every form is always there, so the script only has to show or hide them. */}
        <ActionForm action={`${path}/pause`} dataAction="pause" hidden={finished || s.paused} label={t('bulkPage.pause')} />
        <ActionForm action={`${path}/resume`} dataAction="resume" hidden={finished || !s.paused} label={t('bulkPage.resume')} />
        <ActionForm action={`${path}/cancel`} dataAction="cancel" hidden={finished} label={t('bulkPage.cancel')} />
        <ActionForm action={`${path}/retry-failed`} dataAction="retry" hidden={!finished || s.status === 'completed'} label={t('bulkPage.retry')} />
      </div>
      <PlanSection status={s} path={path} finished={finished} nowMs={Date.now()} />
      <h2>{t('bulkPage.accounts')}</h2>
      <div class="scroll-x">
        <table class="accounts-table" data-accounts data-account-log-url={`${logs}?account=`} data-accounts-url={`${path}/accounts/`}>
          <TableHead columns={columns} />
          <tbody>
            {s.accounts.map((a) => {
              const next = nextPlanned(a);
              return (
                <tr data-account={a.accountId}>
                  <td data-label={label(0)}>
                    <a href={`${logs}?account=${encodeURIComponent(a.accountId)}`}>{a.accountId}</a>
                  </td>
                  <td data-field="status" data-label={label(1)}>
                    <StatusBadge status={a.status} />
                  </td>
                  <td data-field="currentStep" data-label={label(2)}>
                    {a.currentStep ?? ''}
                  </td>
                  <td data-field="phase" data-label={label(3)}></td>
                  <td data-field="next" data-label={label(4)}>
                    {next ? <time datetime={next}>{f.dateTime(next)}</time> : null}
                  </td>
                  <td data-field="posts" data-label={label(5)}>
                    {a.videos
                      .filter((v) => isWebUrl(v.postUrl))
                      .map((v) => (
                        <>
                          <a href={v.postUrl!} target="_blank" rel="noopener">
                            {v.videoId}
                          </a>{' '}
                        </>
                      ))}
                  </td>
                  <td data-field="previews" class="previews" data-label={label(6)}>
                    {a.videos
                      .filter((v) => v.filePath)
                      .map((v) => (
                        <button type="button" data-preview-video={v.videoId}>
                          {t('bulkPage.js.preview')} {v.videoId}
                          <span class="sr-only">{t('bulkPage.js.sr.onAccount', { account: a.accountId })}</span>
                        </button>
                      ))}
                  </td>
                  <td class="error" data-field="error" data-label={label(7)}>
                    <span data-field="error-text">{a.error ?? ''}</span>
                    {props.screenshots[a.accountId] ? (
                      <>
                        {' '}
                        <a href={props.screenshots[a.accountId]} target="_blank" data-field="screenshot">
                          {t('bulkPage.js.screenshot')}
                        </a>
                      </>
                    ) : null}
                  </td>
                  <td data-label={label(8)}>
                    {props.childWebUi[a.accountId] ? (
                      <a href={props.childWebUi[a.accountId]} target="_blank" rel="noopener">
                        {t('bulkPage.webUiShort')}
                      </a>
                    ) : null}
                  </td>
                  <td data-label={label(9)}>
                    <ActionForm
                      action={`${path}/accounts/${encodeURIComponent(a.accountId)}/cancel`}
                      dataAction="cancel-account"
                      hidden={finished || a.status !== 'running'}
                      label={t('bulkPage.js.cancelAccount')}
                      srName={a.accountId}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <PreviewDialog originalsUrl={`${dashboard}/originals/`} variantsUrl={`${dashboard}/variants/`} />
      <h2>{t('bulkPage.liveLog')}</h2>
      <LogTable entries={props.entries} streamUrl={logs} showAccount={true} />
    </Layout>
  );
}
