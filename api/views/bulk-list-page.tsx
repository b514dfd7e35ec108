import { TASK_STATUSES } from '../../contracts/activities';
import type { BulkSummary } from '../../bulks';
import { useFormat, useT } from '../i18n';
import { Layout, ProgressBar, StatusBadge, TableHead, useStatusName } from './layout';

/** Every bulk, newest first, with its status and a bar of its accounts by outcome; filters by status and date. */
export function BulkListPage(props: { bulks: BulkSummary[]; total: number; status?: string; since?: string }) {
  const t = useT();
  const f = useFormat();
  const statusName = useStatusName();
  return (
    <Layout title={t('bulkList.title')}>
      <h1>{t('bulkList.heading')}</h1>
      <form method="get" action="/dashboard">
        <label>
          {t('bulkList.status')}{' '}
          <select name="status">
            <option value="">{t('bulkList.anyStatus')}</option>
            {TASK_STATUSES.map((s) => (
              <option value={s} selected={props.status === s}>
                {statusName(s)}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          {t('bulkList.since')} <input type="date" name="since" value={props.since ?? ''} />
        </label>{' '}
        <button type="submit">{t('bulkList.filter')}</button>
      </form>
      <p class="muted">{t('bulkList.count', { shown: props.bulks.length, total: props.total })}</p>
      <div class="table-wrap">
        <table data-bulk-list>
          <TableHead columns={[t('bulkList.col.task'), t('bulkList.col.status'), t('bulkList.col.accounts'), t('bulkList.col.platform'), t('bulkList.col.created')]} />
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
                    <ProgressBar counts={b} /> {f.number(done)}/{f.number(b.total)}
                    {b.failed ? <span class="error"> · {t('bulkList.failed', { n: b.failed })}</span> : null}
                    {b.cancelled ? <span class="muted"> · {t('bulkList.cancelled', { n: b.cancelled })}</span> : null}
                  </td>
                  <td>{b.platform}</td>
                  <td class="muted">
                    <time datetime={b.createdAt}>{f.dateTime(b.createdAt)}</time>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {props.bulks.length === 0 ? <p class="muted">{t('bulkList.empty')}</p> : null}
    </Layout>
  );
}
