/**
 * BulkUpload: the parent of a bulk. Registers the task, then runs one AccountUpload child
 * per account in a sliding window of at most `concurrency` running children. One failed
 * account never fails the others: results are counted, and the final status (completed,
 * partially_failed, failed, cancelled) is written to the database. Before the history grows
 * large it drains the window and continues as new with its counters, so one bulk can hold
 * ten thousand accounts.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  condition,
  continueAsNew,
  defineQuery,
  executeChild,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccountResult, AppendLogInput, TaskStatus } from '../contracts/activities';
import type { BulkUploadInput, BulkUploadRequest } from '../contracts/bulk-input';
import { clipText } from '../contracts/limits';
import { AccountIdAttribute, BulkTaskIdAttribute, PlatformAttribute, accountUploadWorkflowId } from '../contracts/names';
import { AccountUpload } from './account-upload';
import { appendLog, importDriveFolder, recordTaskStatus, registerTask, validateBulkInput } from './activity-proxies';

// ---- types ----

/** Counters carried across continue-as-new; small by design (no per-account lists). */
export interface BulkProgressState {
  nextIndex: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** The first failed accounts, for the summary (capped). */
  failedAccountIds: string[];
  /** Accounts with no `Account` row: failed at registration, never given a child. */
  unknownAccountIds: string[];
}

export interface BulkProgress extends BulkProgressState {
  taskId: string;
  status: TaskStatus;
  total: number;
  running: string[];
}

export interface BulkUploadResult {
  taskId: string;
  status: TaskStatus;
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  failedAccountIds: string[];
}

// ---- queries ----

export const progressQuery = defineQuery<BulkProgress>('progress');

// ---- helpers ----

/** Continue-as-new well before Temporal's own suggestion, so a drained window stays cheap. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 4_000;
const FAILED_IDS_KEPT = 100;

function finalStatus(s: BulkProgressState): TaskStatus {
  if (s.failed === 0 && s.cancelled === 0) return 'completed';
  if (s.completed === 0 && s.cancelled === 0) return 'failed';
  return 'partially_failed';
}

function historyIsLong(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_BEFORE_CONTINUE;
}

/** The checked, normalised input; bad input fails the bulk with the activity's message. */
async function validate(raw: BulkUploadRequest): Promise<BulkUploadInput> {
  try {
    return await validateBulkInput(raw);
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'InvalidInput') {
      throw ApplicationFailure.nonRetryable(err.cause.message, 'InvalidInput');
    }
    throw err;
  }
}

// ---- workflow ----

/** Publishes every video to every account: one AccountUpload child per account. */
export async function BulkUpload(request: BulkUploadRequest, carried?: BulkProgressState): Promise<BulkUploadResult> {
  // A continued run gets the input its first run checked and resolved.
  let input = carried ? (request as BulkUploadInput) : await validate(request);
  const { taskId, accountIds } = input;
  const state: BulkProgressState = carried ?? { nextIndex: 0, completed: 0, failed: 0, cancelled: 0, failedAccountIds: [], unknownAccountIds: [] };
  const running = new Map<string, Promise<void>>();
  let status: TaskStatus = 'running';

  setHandler(progressQuery, () => ({ ...state, taskId, status, total: accountIds.length, running: [...running.keys()] }));
  upsertSearchAttributes([
    { key: BulkTaskIdAttribute, value: taskId },
    { key: PlatformAttribute, value: input.platform },
  ]);

  const showProgress = () =>
    setCurrentDetails(
      `**${state.completed + state.failed + state.cancelled}/${accountIds.length}** accounts done ` +
        `(${state.completed} completed, ${state.failed} failed), ${running.size} running`,
    );

  const recordFailure = (accountId: string) => {
    state.failed++;
    if (state.failedAccountIds.length < FAILED_IDS_KEPT) state.failedAccountIds.push(accountId);
  };

  // Every log write of this run has its own key, so a retried write never doubles a line.
  let logCalls = 0;
  const writeLog = (entry: Omit<AppendLogInput, 'taskId' | 'key'>) => appendLog({ taskId, ...entry, key: `log-${++logCalls}` });

  /**
   * A child that failed outright (or never started) has not recorded its end: the parent
   * does. A write that fails here is only logged, so it never fails the bulk.
   */
  const recordChildFailure = async (accountId: string, err: unknown) => {
    const reason = clipText(`account ${accountId}: ${err instanceof ChildWorkflowFailure && err.cause ? err.cause.message : err instanceof Error ? err.message : String(err)}`);
    try {
      await CancellationScope.nonCancellable(() => writeLog({ accountId, level: 'error', message: reason, accountStatus: { status: 'failed', currentStep: 'done', error: reason } }));
    } catch (writeErr) {
      log.warn('could not record a failed account', { taskId, accountId, error: String(writeErr) });
    }
  };

  const onChildDone = (accountId: string, result: AccountResult | undefined, err?: unknown) => {
    running.delete(accountId);
    if (result?.status === 'completed') state.completed++;
    else if (err && isCancellation(err)) state.cancelled++;
    else recordFailure(accountId);
    showProgress();
  };

  try {
    if (!carried) {
      if (input.driveFolder) {
        // Videos from Drive are downloaded under MEDIA_ROOT before any account starts.
        const imported = await importDriveFolder({ taskId, ...input.driveFolder });
        input = { ...input, videos: [...input.videos, ...imported], driveFolder: undefined };
      }
      const { unknownAccountIds } = await registerTask({ ...input, workflowId: workflowInfo().workflowId });
      await writeLog({ level: 'info', message: `bulk ${taskId}: ${input.videos.length} video(s) × ${accountIds.length} account(s) on ${input.platform}, concurrency ${input.options.concurrency}` });
      for (const accountId of unknownAccountIds) {
        await writeLog({
          accountId,
          level: 'error',
          message: `unknown account ${accountId}: create it first (POST /accounts); skipped`,
          accountStatus: { status: 'failed', currentStep: 'done', error: `unknown account: ${accountId}` },
        });
      }
      state.unknownAccountIds = unknownAccountIds;
    }
    const skipped = new Set(state.unknownAccountIds);
    showProgress();

    while (state.nextIndex < accountIds.length || running.size > 0) {
      while (running.size < input.options.concurrency && state.nextIndex < accountIds.length && !historyIsLong()) {
        const accountId = accountIds[state.nextIndex++]!;
        if (skipped.has(accountId)) {
          recordFailure(accountId);
          continue;
        }
        // Not awaiting the start: a window of children is started by one workflow task
        // instead of one task per child.
        const child = executeChild(AccountUpload, {
          workflowId: accountUploadWorkflowId(taskId, accountId),
          args: [{ taskId, accountId, platform: input.platform, videos: input.videos, preset: input.options.uniquifyPreset, ...(input.options.dryRun ? { dryRun: true } : {}) }],
          // Cancelling or terminating the bulk cancels its accounts: nothing keeps uploading unseen.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          typedSearchAttributes: [
            { key: BulkTaskIdAttribute, value: taskId },
            { key: AccountIdAttribute, value: accountId },
            { key: PlatformAttribute, value: input.platform },
          ],
          staticSummary: `Account ${accountId}: ${input.videos.length} video(s) to ${input.platform}`,
          staticDetails: `Part of bulk ${taskId}.`,
        });
        running.set(
          accountId,
          child.then(
            (result) => onChildDone(accountId, result),
            async (err: unknown) => {
              if (!isCancellation(err)) await recordChildFailure(accountId, err);
              onChildDone(accountId, undefined, err);
            },
          ),
        );
        showProgress();
      }
      if (running.size === 0) break;
      // Wait for any child to finish. `condition` is re-checked after each activation at no
      // cost, where racing every running child's promise would chain a new promise onto each
      // of them every turn. It throws when the bulk is cancelled: children swallow their
      // own cancellation (they are counted, not thrown), so without that the bulk would not
      // notice its own.
      const runningBefore = running.size;
      await condition(() => running.size < runningBefore);
    }

    if (state.nextIndex < accountIds.length) {
      // History is long: every child of this run has finished, so nothing is left behind.
      // The resolved input: a Drive folder is not listed again.
      await continueAsNew<typeof BulkUpload>(input, state);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    status = 'cancelled';
    await CancellationScope.nonCancellable(async () => {
      await Promise.allSettled(running.values());
      await recordTaskStatus({ taskId, status, completedAccounts: state.completed, failedAccounts: state.failed });
      await writeLog({ level: 'warn', message: `bulk ${taskId}: cancelled after ${state.completed} completed and ${state.failed} failed account(s)` });
    });
    throw err;
  }

  status = finalStatus(state);
  await recordTaskStatus({ taskId, status, completedAccounts: state.completed, failedAccounts: state.failed });
  await writeLog({
    level: status === 'completed' ? 'info' : 'error',
    message: `bulk ${taskId}: ${status}: ${state.completed} completed, ${state.failed} failed of ${accountIds.length} account(s)`,
  });
  const { completed, failed, cancelled, failedAccountIds } = state;
  return { taskId, status, total: accountIds.length, completed, failed, cancelled, failedAccountIds };
}
