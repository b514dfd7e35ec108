import { RecordTaskStatusInputSchema, type AccountStatusUpdate, type RecordTaskStatusInput } from '../contracts/activities';
import { isFinishedTaskStatus } from '../contracts/statuses';
import type { Orm } from '../database/orm';
import { BulkUploadAccount, BulkUploadTask } from '../database/entities';
import type { ActivityDeps } from './deps';
import { parseActivityInput } from './errors';

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

/**
 * recordTaskStatus: writes the bulk's status and counts exactly as the workflow decided
 * them (the workflow counts every account, earlier runs' included). A cancelled bulk's
 * accounts that had not ended (never started, or not yet recorded) end `cancelled` too.
 */
export function makeRecordStatus({ orm }: Pick<ActivityDeps, 'orm'>) {
  return {
    async recordTaskStatus(request: RecordTaskStatusInput): Promise<void> {
      const input = parseActivityInput('recordTaskStatus', RecordTaskStatusInputSchema, request);
      const em = orm.em.fork();
      const finished = isFinishedTaskStatus(input.status);
      const updated = await em.nativeUpdate(
        BulkUploadTask,
        { id: input.taskId },
        { status: input.status, completedAccounts: input.completedAccounts, failedAccounts: input.failedAccounts, finishedAt: finished ? new Date() : null, updatedAt: new Date() },
      );
      if (updated === 0) return; // not registered (a bulk cancelled before its input was valid): nothing to record
      if (input.status === 'cancelled') {
        await em.nativeUpdate(
          BulkUploadAccount,
          { task: input.taskId, status: { $in: ['pending', 'running'] } },
          { status: 'cancelled', currentStep: 'cancelled', updatedAt: new Date() },
        );
      }
    },
  };
}
