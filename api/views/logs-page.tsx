import type { LogEntry } from '../../logs/log-store';
import { useT } from '../i18n';
import { Layout } from './layout';
import { LogTable } from './log-table';

/** The logs endpoint as a page: the lines so far, then live. */
export function LogsPage(props: { taskId: string; accountId?: string; entries: LogEntry[] }) {
  const t = useT();
  const base = `/bulk-upload/${encodeURIComponent(props.taskId)}/logs/`;
  const streamUrl = props.accountId ? `${base}?account=${encodeURIComponent(props.accountId)}` : base;
  return (
    <Layout title={t('common.logs.title', { taskId: props.taskId })}>
      <h1>
        {t('common.logs.of')} <a href={`/dashboard/bulks/${encodeURIComponent(props.taskId)}`}>{props.taskId}</a>
        {props.accountId ? ` / ${props.accountId}` : ''}
      </h1>
      <LogTable entries={props.entries} streamUrl={streamUrl} showAccount={!props.accountId} />
    </Layout>
  );
}
