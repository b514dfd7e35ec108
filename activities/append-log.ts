import { Context } from '@temporalio/activity';
import { AppendLogInputSchema } from '../contracts/activities';
import type { ActivityDeps } from './deps';
import { parseActivityInput } from './errors';

/**
 * appendLog: one line into Redis (task and account streams), SQLite and the console.
 * Keyed by the workflow run and activity id, so a retry whose first attempt got through
 * writes nothing twice.
 */
export function makeAppendLog({ logStore }: Pick<ActivityDeps, 'logStore'>) {
  return async function appendLog(raw: unknown): Promise<void> {
    const input = parseActivityInput('appendLog', AppendLogInputSchema, raw);
    const { workflowExecution: run, activityId } = Context.current().info;
    await logStore.append({ ...input, sourceKey: run ? `${run.workflowId}/${run.runId}/${activityId}` : undefined });
  };
}
