/**
 * The states of a bulk, of an account within it and of one video for one account, and the
 * rules that read them. Free of zod and Node modules: workflows, the database entities, the
 * API and the dashboard all import these same lists.
 */

export const TASK_STATUSES = ['pending', 'running', 'completed', 'partially_failed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A bulk in one of these states has stopped: nothing more will happen until it is retried. */
export const FINISHED_TASK_STATUSES = ['completed', 'partially_failed', 'failed', 'cancelled'] as const satisfies readonly TaskStatus[];
export type FinishedTaskStatus = (typeof FINISHED_TASK_STATUSES)[number];

/** True when a bulk in this state has stopped. */
export function isFinishedTaskStatus(status: string): status is FinishedTaskStatus {
  return (FINISHED_TASK_STATUSES as readonly string[]).includes(status);
}

export const ACCOUNT_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** An account's part in a bulk after its child workflow has ended. */
export type AccountOutcome = Extract<AccountStatus, 'completed' | 'failed' | 'cancelled'>;

/** `uploaded`: an API platform created the video but has not said it is live yet (see uploadViaApi). */
export const VIDEO_STATUSES = ['pending', 'uniquified', 'uploaded', 'published', 'failed'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** How many accounts of a bulk ended each way. */
export interface AccountCounts {
  completed: number;
  failed: number;
  cancelled: number;
}

/**
 * A finished bulk's status from its accounts: `completed` when every account published,
 * `failed` when every one failed, `cancelled` when every one was cancelled (one by one),
 * `partially_failed` for any mix. A bulk cancelled as a whole is `cancelled` whatever its
 * counts: the workflow decides that, not this rule.
 */
export function bulkOutcome(counts: AccountCounts): FinishedTaskStatus {
  if (counts.failed === 0 && counts.cancelled === 0) return 'completed';
  if (counts.completed === 0 && counts.failed === 0) return 'cancelled';
  if (counts.completed === 0 && counts.cancelled === 0) return 'failed';
  return 'partially_failed';
}
