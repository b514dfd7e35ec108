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
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccountResult, AppendLogInput, ValidatedBulkInput } from '../contracts/activities';
import { isScheduled, videosForAccount, type BulkUploadInput, type BulkUploadRequest } from '../contracts/bulk-input';
import { FAILURE } from '../contracts/failure-types';
import { clipText } from '../contracts/limits';
import { AccountIdAttribute, BulkTaskIdAttribute, PlatformAttribute, accountUploadWorkflowId, bulkUploadWorkflowId } from '../contracts/names';
import { bulkOutcome, type AccountCounts, type TaskStatus } from '../contracts/statuses';
import { AccountUpload } from './account-upload';
import { appendLog, importDriveFolder, recordTaskStatus, registerTask, validateBulkInput } from './activity-proxies';
import { pauseSignal, rescheduleSignal, resumeSignal } from './signals';

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
  /** Accounts of the task outside this bulk's runs (a retry's untouched ones), by outcome. */
  earlier: AccountCounts;
}

/**
 * How a run of BulkUpload begins:
 * - a bulk input as a person writes it (`POST /bulk-uploads`, `temporal workflow start
 *   --input-file bulk.json`): checked by the `validateBulkInput` local activity first;
 * - `retry-failed`: a finished bulk run again over its failed accounts, with the input
 *   and fingerprint the API has already checked;
 * - `continued`: the next run after continue-as-new, with the resolved input and counters.
 */
export type BulkUploadStart =
  BulkUploadRequest | { kind: 'retry-failed'; input: BulkUploadInput; fingerprint: string } | { kind: 'continued'; input: BulkUploadInput; state: BulkProgressState };

export interface BulkProgress extends BulkProgressState {
  taskId: string;
  status: TaskStatus;
  total: number;
  running: string[];
  /** Paused: no new upload starts until resumed. */
  paused: boolean;
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

/** Where the bulk stands: counters, running accounts, status. */
export const progressQuery = defineQuery<BulkProgress>('progress');

// ---- helpers ----

/** Continue-as-new well before Temporal's own suggestion, so a drained window stays cheap. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 4_000;
const FAILED_IDS_KEPT = 100;

type ResumedStart = Exclude<BulkUploadStart, BulkUploadRequest>;

/** True for a run that carries an input the API or an earlier run has already checked. */
function isResumed(start: BulkUploadStart): start is ResumedStart {
  const kind = (start as { kind?: unknown }).kind;
  return kind === 'continued' || kind === 'retry-failed';
}

function freshState(): BulkProgressState {
  return { nextIndex: 0, completed: 0, failed: 0, cancelled: 0, failedAccountIds: [], unknownAccountIds: [], earlier: { completed: 0, failed: 0, cancelled: 0 } };
}

function historyIsLong(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > limit;
}

/**
 * A started-by-hand bulk under another workflow id would run where nothing can find it:
 * status, logs and cancel look a bulk up by its task id.
 */
function wrongWorkflowId(taskId: string): string | undefined {
  const expected = bulkUploadWorkflowId(taskId);
  const actual = workflowInfo().workflowId;
  return actual === expected ? undefined : `workflow id must be ${expected} for task id "${taskId}", not ${actual}`;
}

/**
 * The checked, normalised input; bad input fails the bulk with the activity's message.
 * Resumed runs are checked too: `kind` is plain JSON that anyone starting the workflow by
 * hand could write.
 */
async function validate(request: BulkUploadRequest): Promise<ValidatedBulkInput> {
  try {
    return await validateBulkInput(request);
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === FAILURE.InvalidInput) {
      throw ApplicationFailure.nonRetryable(err.cause.message, FAILURE.InvalidInput);
    }
    throw err;
  }
}

// ---- workflow ----

/** Publishes every video to every account: one AccountUpload child per account. */
export async function BulkUpload(start: BulkUploadStart): Promise<BulkUploadResult> {
  const resumed = isResumed(start) ? start : undefined;
  const continued = resumed?.kind === 'continued' ? resumed : undefined;
  let input: BulkUploadInput | undefined;
  let fingerprint: string | undefined;
  let registered = continued !== undefined;
  const state = continued?.state ?? freshState();
  const running = new Map<string, Promise<void>>();
  let status: TaskStatus = 'running';
  let paused = false;
  let pauseFlips = 0;

  /** A reschedule that came before every account was started: those started later begin from it. */
  let rescheduledTo: string | undefined;

  /**
   * Pause, resume and reschedule reach every running account. A child whose start is still
   * under way cannot be signalled yet: it is tried again a moment later, a few times.
   */
  const forward = async (send: (childId: string) => Promise<void>) => {
    const taskId = input?.taskId;
    if (!taskId) return;
    await Promise.all(
      [...running.keys()].map(async (accountId) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await send(accountUploadWorkflowId(taskId, accountId));
          } catch (err) {
            if (attempt >= 5 || !running.has(accountId)) return log.warn('could not reach an account', { accountId, error: String(err) });
            await sleep(1_000);
          }
        }
      }),
    );
  };
  setHandler(pauseSignal, async () => {
    paused = true;
    pauseFlips++;
    await forward((id) => getExternalWorkflowHandle(id).signal(pauseSignal));
  });
  setHandler(resumeSignal, async () => {
    paused = false;
    pauseFlips++;
    await forward((id) => getExternalWorkflowHandle(id).signal(resumeSignal));
  });
  setHandler(rescheduleSignal, async (to) => {
    rescheduledTo = to.publishAt;
    await forward((id) => getExternalWorkflowHandle(id).signal(rescheduleSignal, to));
  });

  // Every log write of this run has its own key, so a retried write never doubles a line.
  let logCalls = 0;
  const writeLog = (taskId: string, entry: Omit<AppendLogInput, 'taskId' | 'key'>) => appendLog({ taskId, ...entry, key: `log-${++logCalls}` });

  /** Upserts the task's rows; accounts without an `Account` row are recorded failed at once. */
  const register = async (bulk: BulkUploadInput, bulkFingerprint: string) => {
    const { unknownAccountIds, earlier } = await registerTask({ ...bulk, workflowId: workflowInfo().workflowId, fingerprint: bulkFingerprint });
    registered = true;
    state.unknownAccountIds = unknownAccountIds;
    state.earlier = earlier;
    await writeLog(bulk.taskId, {
      level: 'info',
      message: `bulk ${bulk.taskId}: ${bulk.videos.length} video(s) × ${bulk.accountIds.length} account(s) on ${bulk.platform}, concurrency ${bulk.options.concurrency}`,
    });
    for (const accountId of unknownAccountIds) {
      await writeLog(bulk.taskId, {
        accountId,
        level: 'error',
        message: `unknown account ${accountId} on ${bulk.platform}: create it first (PUT /accounts); skipped`,
        accountStatus: { status: 'failed', currentStep: 'done', error: `unknown account: ${accountId}` },
      });
    }
  };

  /** Checks the input (see {@link validate}); a retry of failed accounts keeps its bulk's fingerprint. */
  const check = async (): Promise<BulkUploadInput> => {
    const checked = await validate(resumed ? resumed.input : (start as BulkUploadRequest));
    input = checked.input;
    fingerprint = resumed?.kind === 'retry-failed' ? resumed.fingerprint : checked.fingerprint;
    return checked.input;
  };

  try {
    const bulk: BulkUploadInput = await check();
    const { taskId, accountIds } = bulk;
    const mismatch = wrongWorkflowId(taskId);
    if (mismatch) throw ApplicationFailure.nonRetryable(mismatch, FAILURE.InvalidInput);
    const historyLimit = bulk.options.historyEventsBeforeContinue ?? HISTORY_EVENTS_BEFORE_CONTINUE;

    setHandler(progressQuery, () => ({ ...state, taskId, status, total: accountIds.length, running: [...running.keys()], paused }));
    upsertSearchAttributes([
      { key: BulkTaskIdAttribute, value: taskId },
      { key: PlatformAttribute, value: bulk.platform },
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

    /**
     * A child that failed outright (or never started) has not recorded its end: the parent
     * does. A write that fails here is only logged, so it never fails the bulk.
     */
    const recordChildFailure = async (accountId: string, err: unknown) => {
      const reason = clipText(`account ${accountId}: ${err instanceof ChildWorkflowFailure && err.cause ? err.cause.message : err instanceof Error ? err.message : String(err)}`);
      try {
        await CancellationScope.nonCancellable(() =>
          writeLog(taskId, { accountId, level: 'error', message: reason, accountStatus: { status: 'failed', currentStep: 'done', error: reason } }),
        );
      } catch (writeErr) {
        log.warn('could not record a failed account', { taskId, accountId, error: String(writeErr) });
      }
    };

    const onChildDone = (accountId: string, result: AccountResult | undefined, err?: unknown) => {
      running.delete(accountId);
      if (result?.status === 'completed') state.completed++;
      else if ((err && isCancellation(err)) || result?.status === 'cancelled') state.cancelled++;
      else recordFailure(accountId);
      showProgress();
    };

    let resolved = bulk;
    if (!registered) {
      if (bulk.driveFolder) {
        // Videos from Drive are downloaded under MEDIA_ROOT before any account starts.
        const imported = await importDriveFolder({ taskId, ...bulk.driveFolder });
        resolved = input = { ...bulk, videos: [...bulk.videos, ...imported], driveFolder: undefined };
      }
      await register(resolved, fingerprint!);
    }
    const skipped = new Set(state.unknownAccountIds);
    showProgress();

    // A scheduled bulk starts every account at once: each mostly waits for its slots on a
    // timer, and the worker's own slots bound the work running at any moment.
    const scheduled = isScheduled(resolved);
    const schedule = scheduled ? (resolved.options.schedule ?? { timeZone: 'UTC', minSpacingMinutes: 0, jitterMinutes: 0 }) : undefined;
    const window = scheduled ? accountIds.length : resolved.options.concurrency;
    while (state.nextIndex < accountIds.length || running.size > 0) {
      // A scheduled bulk's accounts wait for days: it never drains its window to continue as new (its size is capped instead).
      while (!paused && running.size < window && state.nextIndex < accountIds.length && (scheduled || !historyIsLong(historyLimit))) {
        const accountId = accountIds[state.nextIndex++]!;
        if (skipped.has(accountId)) {
          recordFailure(accountId);
          continue;
        }
        // Not awaiting the start: a window of children is started by one workflow task
        // instead of one task per child.
        const child = executeChild(AccountUpload, {
          workflowId: accountUploadWorkflowId(taskId, accountId),
          args: [
            {
              taskId,
              accountId,
              platform: resolved.platform,
              videos: videosForAccount(resolved.videos, accountId),
              preset: resolved.options.uniquifyPreset,
              ...(schedule ? { schedule: rescheduledTo ? { ...schedule, publishAt: rescheduledTo } : schedule } : {}),
              ...(resolved.options.dryRun ? { dryRun: true } : {}),
              ...(resolved.options.youtube ? { youtube: resolved.options.youtube } : {}),
              ...(resolved.options.tiktok ? { tiktok: resolved.options.tiktok } : {}),
              ...(resolved.options.instagram ? { instagram: resolved.options.instagram } : {}),
            },
          ],
          // Cancelling or terminating the bulk cancels its accounts: nothing keeps uploading unseen.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          typedSearchAttributes: [
            { key: BulkTaskIdAttribute, value: taskId },
            { key: AccountIdAttribute, value: accountId },
            { key: PlatformAttribute, value: resolved.platform },
          ],
          staticSummary: `Account ${accountId}: ${videosForAccount(resolved.videos, accountId).length} video(s) to ${resolved.platform}`,
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
      if (running.size === 0) {
        // Paused between accounts: nothing runs, the rest wait for resume.
        if (!paused || state.nextIndex >= accountIds.length) break;
        await condition(() => !paused);
        continue;
      }
      // Wait for any child to finish. `condition` is re-checked after each activation at no
      // cost, where racing every running child's promise would chain a new promise onto each
      // of them every turn. It throws when the bulk is cancelled: children swallow their
      // own cancellation (they are counted, not thrown), so without that the bulk would not
      // notice its own.
      const runningBefore = running.size;
      const flipsBefore = pauseFlips;
      await condition(() => running.size < runningBefore || (pauseFlips !== flipsBefore && !paused));
    }

    if (state.nextIndex < accountIds.length) {
      // History is long: every child of this run has finished, so nothing is left behind.
      // The resolved input: a Drive folder is not listed again.
      await continueAsNew<typeof BulkUpload>({ kind: 'continued', input: resolved, state });
    }

    const total: AccountCounts = {
      completed: state.completed + state.earlier.completed,
      failed: state.failed + state.earlier.failed,
      cancelled: state.cancelled + state.earlier.cancelled,
    };
    status = bulkOutcome(total);
    await recordTaskStatus({ taskId, status, completedAccounts: total.completed, failedAccounts: total.failed });
    const earlier = total.completed + total.failed + total.cancelled - (state.completed + state.failed + state.cancelled);
    await writeLog(taskId, {
      level: status === 'completed' ? 'info' : 'error',
      message:
        `bulk ${taskId}: ${status}: ${total.completed} completed, ${total.failed} failed, ${total.cancelled} cancelled` +
        (earlier ? ` (${earlier} account(s) from earlier runs)` : '') +
        ` of ${accountIds.length + earlier} account(s)`,
    });
    const { completed, failed, cancelled, failedAccountIds } = state;
    return { taskId, status, total: accountIds.length, completed, failed, cancelled, failedAccountIds };
  } catch (err) {
    if (!isCancellation(err)) throw err;
    status = 'cancelled';
    await CancellationScope.nonCancellable(async () => {
      await Promise.allSettled(running.values());
      try {
        // Cancelled before the task was registered: register it now, so that every one of
        // its accounts shows `cancelled` however early the cancel came.
        const bulk = input ?? (await check());
        if (!registered && !wrongWorkflowId(bulk.taskId)) await register(bulk, fingerprint!);
      } catch (registerErr) {
        log.warn('a bulk cancelled before registration could not be registered', { error: String(registerErr) });
      }
      // Nothing of this run was registered (bad input, or the task id belongs to another
      // bulk): there is no row of its own to mark.
      if (!input || !registered) return;
      await recordTaskStatus({ taskId: input.taskId, status, completedAccounts: state.completed + state.earlier.completed, failedAccounts: state.failed + state.earlier.failed });
      await writeLog(input.taskId, { level: 'warn', message: `bulk ${input.taskId}: cancelled after ${state.completed} completed and ${state.failed} failed account(s)` });
    });
    throw err;
  }
}
