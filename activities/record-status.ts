import { RecordTaskStatusInputSchema, type AccountStatusUpdate } from '../contracts/activities';
import type { Orm } from '../database/orm';
import { BulkUploadAccount, BulkUploadTask } from '../database/entities';
import type { ActivityDeps } from './deps';
import { parseActivityInput } from './errors';

const FINISHED = new Set(['completed', 'partially_failed', 'failed', 'cancelled']);

/**
 * Sets an account's status (and step) in one UPDATE; `appendLog` calls it for a mark that
 * comes with the step's lines. A `failed` mark without an error keeps
 * the error already recorded; any other status without one clears it.
 */
export async function markAccountStatus(orm: Orm, input: AccountStatusUpdate): Promise<void> {
  await orm.em.fork().nativeUpdate(
    BulkUploadAccount,
    { task: input.taskId, accountId: input.accountId },
    {
      status: input.status,
      ...(input.currentStep !== undefined ? { currentStep: input.currentStep } : {}),
      ...(input.error !== undefined ? { error: input.error } : input.status !== 'failed' ? { error: null } : {}),
      updatedAt: new Date(),
    },
  );
}

/** recordTaskStatus: the database's view of where a bulk stands. */
export function makeRecordStatus({ orm }: Pick<ActivityDeps, 'orm'>) {
  return {
    async recordTaskStatus(raw: unknown): Promise<void> {
      const input = parseActivityInput('recordTaskStatus', RecordTaskStatusInputSchema, raw);
      const em = orm.em.fork();
      const task = await em.findOne(BulkUploadTask, input.taskId);
      if (!task) return; // not registered yet (the very first "running" mark); registerTask sets it
      task.status = input.status;
      if (input.status === 'completed' || input.status === 'partially_failed' || input.status === 'failed') {
        // From every account row, not only this run's: a retry of the failed accounts runs
        // over a subset, and the task's outcome is that of all its accounts.
        const completed = await em.count(BulkUploadAccount, { task, status: 'completed' });
        const failed = await em.count(BulkUploadAccount, { task, status: { $ne: 'completed' } });
        task.completedAccounts = completed;
        task.failedAccounts = failed;
        task.status = failed === 0 ? 'completed' : completed === 0 ? 'failed' : 'partially_failed';
      } else {
        if (input.completedAccounts !== undefined) task.completedAccounts = input.completedAccounts;
        if (input.failedAccounts !== undefined) task.failedAccounts = input.failedAccounts;
      }
      task.finishedAt = FINISHED.has(input.status) ? new Date() : null;
      await em.flush();
      if (input.status === 'cancelled') {
        // Accounts whose child never started (or had not recorded its end) end cancelled too.
        await em.nativeUpdate(BulkUploadAccount, { task: input.taskId, status: { $in: ['pending', 'running'] } }, { status: 'cancelled', currentStep: 'cancelled' });
      }
    },
  };
}
