import { isFinishedTaskStatus } from '../../contracts/statuses';
import type { LogEntry } from '../../logs/log-store';
import type { BulkStatus } from '../../bulks';
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

/** The counts line beside the bar; `/assets/dashboard.js` writes the same line. */
function countsText(c: { done: number; total: number; completed: number; failed: number; cancelled: number; running: number }): string {
  return `${c.done}/${c.total} done · ${c.completed} completed · ${c.failed} failed · ${c.cancelled} cancelled · ${c.running} running`;
}

/**
 * One bulk: progress, one row per account (state, current step, post links, error,
 * screenshot, Web UI link), cancel (while it runs) or retry (once it ended with failures),
 * and the live log. `/assets/dashboard.js` refreshes all of it from the status endpoint
 * while the bulk runs and once more when the log stream says it has ended, and appends
 * log lines as they arrive; the `data-field`/`data-action` attributes are its hooks.
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
      <h1>
        Bulk {s.taskId} <StatusBadge status={s.status} field="status" />
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
      <p>
        {/* Both forms are always there, so the script only has to show or hide them. */}
        <form class="inline" method="post" action={`${path}/cancel`} data-action="cancel" hidden={finished}>
          <button type="submit">Cancel bulk</button>
        </form>
        <form class="inline" method="post" action={`${path}/retry-failed`} data-action="retry" hidden={!finished || s.status === 'completed'}>
          <button type="submit">Retry failed accounts</button>
        </form>
      </p>
      <table data-accounts data-account-log-url={`${logs}?account=`}>
        <TableHead columns={['account', 'state', 'current step', 'posts', 'error', 'workflow']} />
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
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Live log</h2>
      <LogTable entries={props.entries} streamUrl={logs} showAccount={true} />
    </Layout>
  );
}
