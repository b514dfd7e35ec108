import type { LogEntry } from '../../logs/log-store';
import { Layout } from './layout';
import { LogTable } from './log-table';

/** The logs endpoint as a page: the lines so far, then live. */
export function LogsPage(props: { taskId: string; accountId?: string; entries: LogEntry[] }) {
  const base = `/bulk-upload/${encodeURIComponent(props.taskId)}/logs/`;
  const streamUrl = props.accountId ? `${base}?account=${encodeURIComponent(props.accountId)}` : base;
  return (
    <Layout title={`Logs ${props.taskId}`}>
      <h1>
        Log of <a href={`/dashboard/bulks/${encodeURIComponent(props.taskId)}`}>{props.taskId}</a>
        {props.accountId ? ` / ${props.accountId}` : ''}
      </h1>
      <LogTable entries={props.entries} streamUrl={streamUrl} showAccount={!props.accountId} />
    </Layout>
  );
}
