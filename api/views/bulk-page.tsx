import type { LogEntry } from '../../logs/log-store';
import type { BulkStatus } from '../bulk-service';
import { Layout, StatusBadge, isWebUrl } from './layout';
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

const FINISHED = new Set(['completed', 'partially_failed', 'failed', 'cancelled']);

/**
 * One bulk: progress, one row per account (state, current step, post links, error,
 * screenshot, Web UI link), a cancel button and the live log. `/assets/dashboard.js`
 * refreshes the rows from the status endpoint and appends log lines as they arrive.
 */
export function BulkPage(props: BulkPageProps) {
  const s = props.status;
  const path = `/bulk-uploads/${encodeURIComponent(s.taskId)}`;
  const done = s.completed + s.failed + s.accounts.filter((a) => a.status === 'cancelled').length;
  return (
    <Layout title={`Bulk ${s.taskId}`}>
      <h1>
        Bulk {s.taskId} <StatusBadge status={s.status} />
      </h1>
      <p data-status-url={path}>
        <progress data-field="progress" value={done} max={Math.max(s.total, 1)} /> <span data-field="counts">{`${done}/${s.total} done · ${s.completed} completed · ${s.failed} failed · ${s.running} running`}</span>
        {' · '}
        <a href={props.links.webUi} target="_blank" rel="noopener">
          Temporal Web UI
        </a>
        {' · '}
        <a href={`/bulk-upload/${encodeURIComponent(s.taskId)}/logs/`}>full log</a>
      </p>
      <p>
        {FINISHED.has(s.status) ? null : (
          <form class="inline" method="post" action={`${path}/cancel`}>
            <button type="submit">Cancel bulk</button>
          </form>
        )}
        {FINISHED.has(s.status) && s.status !== 'completed' ? (
          <form class="inline" method="post" action={`${path}/retry-failed`}>
            <button type="submit">Retry failed accounts</button>
          </form>
        ) : null}
      </p>
      <table data-accounts>
        <thead>
          <tr>
            <th>account</th>
            <th>state</th>
            <th>current step</th>
            <th>posts</th>
            <th>error</th>
            <th>workflow</th>
          </tr>
        </thead>
        <tbody>
          {s.accounts.map((a) => (
            <tr data-account={a.accountId}>
              <td>
                <a href={`/bulk-upload/${encodeURIComponent(s.taskId)}/logs/?account=${encodeURIComponent(a.accountId)}`}>{a.accountId}</a>
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
      <LogTable entries={props.entries} streamUrl={`/bulk-upload/${encodeURIComponent(s.taskId)}/logs/`} showAccount={true} />
    </Layout>
  );
}
