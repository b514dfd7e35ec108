import { TASK_STATUSES } from '../../contracts/activities';
import type { BulkSummary } from '../../bulks';
import { Layout, ProgressBar, StatusBadge, TableHead } from './layout';

/** Every bulk, newest first, with its status and a bar of its accounts by outcome; filters by status and date. */
export function BulkListPage(props: { bulks: BulkSummary[]; total: number; status?: string; since?: string }) {
  return (
    <Layout title="Bulks">
      <h1>Bulk uploads</h1>
      <form method="get" action="/dashboard">
        <label>
          status{' '}
          <select name="status">
            <option value="">any</option>
            {TASK_STATUSES.map((s) => (
              <option value={s} selected={props.status === s}>
                {s}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          since <input type="date" name="since" value={props.since ?? ''} />
        </label>{' '}
        <button type="submit">Filter</button>
      </form>
      <p class="muted">
        {props.bulks.length} of {props.total} bulk(s)
      </p>
      <table data-bulk-list>
        <TableHead columns={['task', 'status', 'accounts', 'platform', 'created']} />
        <tbody>
          {props.bulks.map((b) => {
            const done = b.completed + b.failed + b.cancelled;
            return (
              <tr>
                <td>
                  <a href={`/dashboard/bulks/${encodeURIComponent(b.taskId)}`}>{b.taskId}</a>
                </td>
                <td>
                  <StatusBadge status={b.status} />
                </td>
                <td>
                  <ProgressBar counts={b} /> {done}/{b.total}
                  {b.failed ? <span class="error"> · {b.failed} failed</span> : null}
                  {b.cancelled ? <span class="muted"> · {b.cancelled} cancelled</span> : null}
                </td>
                <td>{b.platform}</td>
                <td class="muted">{b.createdAt.replace('T', ' ').slice(0, 19)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Layout>
  );
}
