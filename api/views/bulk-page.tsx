import { isFinishedTaskStatus, type AccountStatus } from '../../contracts/statuses';
import type { LogEntry } from '../../logs/log-store';
import type { BulkStatus } from '../../bulks';
import { localTime } from '../../scheduling/time';
import { Layout, ProgressBar, StatusBadge, TableHead, isWebUrl } from './layout';
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

/** Day names of the plan's headings; `/assets/dashboard.js` is given the same list. */
export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** The heading of the posts a scheduled bulk publishes at once (no planned time). */
export const UNPLANNED_HEADING = 'Not planned: published at once';
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An instant as the plan shows it in `zone`: its day (`2026-11-25`, and `Wed 2026-11-25` as
 * a heading), its time (`09:00`, seconds only when not zero) and the value of a
 * `datetime-local` input (`2026-11-25T09:00`). `/assets/dashboard.js` mirrors this.
 */
export function planTime(iso: string, zone: string): { day: string; dayLabel: string; time: string; local: string } {
  const t = localTime(Date.parse(iso), zone);
  const day = `${t.year}-${pad(t.month)}-${pad(t.day)}`;
  const hm = `${pad(t.hour)}:${pad(t.minute)}`;
  return { day, dayLabel: `${WEEKDAYS[new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay()]} ${day}`, time: t.second ? `${hm}:${pad(t.second)}` : hm, local: `${day}T${hm}` };
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

/** A phrase that tells one post's controls apart for a screen reader: "v1 on ann". */
function SrName(props: { post: PlanPost; prefix: string }) {
  return (
    <span class="sr-only">
      {props.prefix}
      {props.post.video.videoId} on {props.post.accountId}
    </span>
  );
}

/**
 * One post: time, account, video, state, post link or error, and (while it is planned and
 * its account runs) a form that moves it. `/assets/dashboard.js` builds the same row.
 */
function PlanItem(props: { post: PlanPost; zone: string; state: PostState; movable: boolean; moveUrl: string }) {
  const { post, zone } = props;
  const v = post.video;
  const when = v.plannedAt ? planTime(v.plannedAt, zone) : null;
  return (
    <li data-post={JSON.stringify([post.accountId, v.videoId])}>
      <time class="plan-time" data-field="time" datetime={v.plannedAt ?? undefined}>
        {when ? when.time : 'at once'}
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
            post
            <SrName post={post} prefix=" of " />
          </a>
        ) : null}
      </span>
      <span class="error" data-field="error">
        {v.error ?? ''}
      </span>
      <form class="plan-move" method="post" action={props.moveUrl} data-action="move" hidden={!props.movable}>
        <label>
          <span class="plan-move-label">New time</span>
          <SrName post={post} prefix=" for " /> <input type="datetime-local" name="publishAt" required value={when?.local ?? ''} />
        </label>
        <button type="submit">
          Move
          <SrName post={post} prefix=" " />
        </button>
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
  const s = props.status;
  const zone = s.timeZone;
  const posts = s.accounts.flatMap((a) => a.videos.map((video): PlanPost => ({ accountId: a.accountId, accountStatus: a.status, video }))).sort(byPlannedTime);
  const hasPlan = posts.some((p) => p.video.plannedAt);
  const days: { key: string; label: string; posts: PlanPost[] }[] = [];
  for (const post of posts) {
    const when = post.video.plannedAt ? planTime(post.video.plannedAt, zone) : null;
    const key = when?.day ?? '';
    if (days.at(-1)?.key !== key) days.push({ key, label: when?.dayLabel ?? UNPLANNED_HEADING, posts: [] });
    days.at(-1)!.posts.push(post);
  }
  const state = (p: PlanPost) => postState(p.video, p.accountStatus, s.paused, props.nowMs);
  const firstOpen = posts.find((p) => p.video.plannedAt && state(p) === 'planned')?.video.plannedAt;
  const accountsUrl = `${props.path}/accounts/`;
  const moveUrl = (p: PlanPost) => `${accountsUrl}${encodeURIComponent(p.accountId)}/videos/${encodeURIComponent(p.video.videoId)}/move`;
  return (
    <section class="plan" data-plan data-accounts-url={accountsUrl} hidden={!hasPlan}>
      <h2>
        Plan <span class="muted">times in {zone}</span>
      </h2>
      <form class="plan-reschedule" method="post" action={`${props.path}/reschedule`} data-action="reschedule" hidden={props.finished}>
        <label>
          Move bulk: new start for the posts not yet published ({zone}){' '}
          <input type="datetime-local" name="publishAt" required value={firstOpen ? planTime(firstOpen, zone).local : ''} />
        </label>{' '}
        <button type="submit">Reschedule</button>
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
`;

/** The counts line beside the bar; `/assets/dashboard.js` writes the same line. */
function countsText(c: { done: number; total: number; completed: number; failed: number; cancelled: number; running: number }): string {
  return `${c.done}/${c.total} done · ${c.completed} completed · ${c.failed} failed · ${c.cancelled} cancelled · ${c.running} running`;
}

/**
 * One bulk: progress, pause or resume and cancel (while it runs) or retry (once it ended
 * with failures), the plan of a scheduled bulk, one row per account (state, current step,
 * post links, error, screenshot, Web UI link, cancel while it runs), and the live log.
 * `/assets/dashboard.js` refreshes all of it from the status endpoint while the bulk runs
 * and once more when the log stream says it has ended, and appends log lines as they
 * arrive; the `data-field`/`data-action` attributes are its hooks. Every action is a plain
 * form post, answered with a redirect back here.
 */
export function BulkPage(props: BulkPageProps) {
  const s = props.status;
  const path = `/bulk-uploads/${encodeURIComponent(s.taskId)}`;
  const logs = `/bulk-upload/${encodeURIComponent(s.taskId)}/logs/`;
  const cancelled = s.accounts.filter((a) => a.status === 'cancelled').length;
  const counts = { total: s.total, completed: s.completed, failed: s.failed, cancelled, running: s.running };
  const finished = isFinishedTaskStatus(s.status);
  return (
    <Layout title={`Bulk ${s.taskId}`}>
      <style dangerouslySetInnerHTML={{ __html: PAGE_STYLE }} />
      <h1>
        Bulk {s.taskId} <StatusBadge status={s.status} field="status" />{' '}
        <span class="status status-paused" data-field="paused" hidden={!s.paused || finished}>
          paused
        </span>
      </h1>
      <p data-status-url={path}>
        <ProgressBar counts={counts} /> <span data-field="counts">{countsText({ ...counts, done: s.completed + s.failed + cancelled })}</span>
        {' · '}
        <a href={props.links.webUi} target="_blank" rel="noopener">
          Temporal Web UI
        </a>
        {' · '}
        <a href={logs}>full log</a>
      </p>
      <div class="actions">
        {/* Every form is always there, so the script only has to show or hide them. */}
        <form class="inline" method="post" action={`${path}/pause`} data-action="pause" hidden={finished || s.paused}>
          <button type="submit">Pause</button>
        </form>
        <form class="inline" method="post" action={`${path}/resume`} data-action="resume" hidden={finished || !s.paused}>
          <button type="submit">Resume</button>
        </form>
        <form class="inline" method="post" action={`${path}/cancel`} data-action="cancel" hidden={finished}>
          <button type="submit">Cancel bulk</button>
        </form>
        <form class="inline" method="post" action={`${path}/retry-failed`} data-action="retry" hidden={!finished || s.status === 'completed'}>
          <button type="submit">Retry failed accounts</button>
        </form>
      </div>
      <PlanSection status={s} path={path} finished={finished} nowMs={Date.now()} />
      <h2>Accounts</h2>
      <div class="scroll-x">
        <table data-accounts data-account-log-url={`${logs}?account=`} data-accounts-url={`${path}/accounts/`}>
          <TableHead columns={['account', 'state', 'current step', 'posts', 'error', 'workflow', 'actions']} />
          <tbody>
            {s.accounts.map((a) => (
              <tr data-account={a.accountId}>
                <td>
                  <a href={`${logs}?account=${encodeURIComponent(a.accountId)}`}>{a.accountId}</a>
                </td>
                <td data-field="status">
                  <StatusBadge status={a.status} />
                </td>
                <td data-field="currentStep">{a.currentStep ?? ''}</td>
                <td data-field="posts">
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
                <td class="error" data-field="error">
                  {a.error ?? ''}
                  {props.screenshots[a.accountId] ? (
                    <>
                      {' '}
                      <a href={props.screenshots[a.accountId]} target="_blank">
                        screenshot
                      </a>
                    </>
                  ) : null}
                </td>
                <td>
                  {props.childWebUi[a.accountId] ? (
                    <a href={props.childWebUi[a.accountId]} target="_blank" rel="noopener">
                      Web UI
                    </a>
                  ) : null}
                </td>
                <td>
                  <form
                    class="inline"
                    method="post"
                    action={`${path}/accounts/${encodeURIComponent(a.accountId)}/cancel`}
                    data-action="cancel-account"
                    hidden={finished || a.status !== 'running'}
                  >
                    <button type="submit">
                      Cancel account<span class="sr-only"> {a.accountId}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Live log</h2>
      <LogTable entries={props.entries} streamUrl={logs} showAccount={true} />
    </Layout>
  );
}
