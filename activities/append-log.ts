import { Context } from '@temporalio/activity';
import { AppendLogInputSchema, type AppendLogInput } from '../contracts/activities';
import type { ActivityDeps } from './deps';
import { parseActivityInput } from './errors';
import { markAccountStatus } from './record-status';

/**
 * appendLog: one line or several into Redis (task and account streams), SQLite and the
 * console, and when given, the account's status mark first. Keyed by the workflow run and
 * the call's `key` (else the activity id), plus the line's index in the call, so a retry
 * whose first attempt got through writes nothing twice.
 */
export function makeAppendLog({ logStore, orm }: Pick<ActivityDeps, 'logStore' | 'orm'>) {
  return async function appendLog(request: AppendLogInput): Promise<void> {
    // Typed for the workflows that call it, parsed for the histories and hand-started runs that may not match.
    const input = parseActivityInput('appendLog', AppendLogInputSchema, request);
    const { taskId, accountId } = input;
    if (input.accountStatus && accountId) await markAccountStatus(orm, { taskId, accountId, ...input.accountStatus });
    const lines = input.lines ?? (input.level && input.message !== undefined ? [{ level: input.level, message: input.message }] : []);
    if (lines.length === 0) return;
    const { workflowExecution: run, activityId } = Context.current().info;
    const key = run ? `${run.workflowId}/${run.runId}/${input.key ?? activityId}` : undefined;
    await logStore.appendMany(lines.map((line, i) => ({ taskId, accountId, ...line, sourceKey: key && `${key}/${i}` })));
  };
}
