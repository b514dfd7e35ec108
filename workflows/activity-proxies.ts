/**
 * Timeouts and retry policies of every activity, in one place. Chosen per activity:
 * uniquify is CPU-bound and long, so it heartbeats and retries a few times; an upload talks
 * to a remote site, so it heartbeats and backs off longer; log and status writes are cheap
 * and must get through, so they retry often and quickly.
 */
import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_FAILURES } from '../contracts/failure-types';

/** Failure types a retry cannot fix (set by the activities as ApplicationFailure types). */
const NON_RETRYABLE = [...NON_RETRYABLE_FAILURES];

// The long activities own processes and files (ffmpeg, a browser context, partial
// downloads): a cancelled bulk waits for them to clean up before it reports `cancelled`.
const waitForCleanup = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;

// Registration is short and does not heartbeat, so a cancel cannot stop it midway: the
// bulk waits for it to end rather than racing it (a registration still running after the
// bulk recorded `cancelled` would mark the task running again).
export const { registerTask } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  cancellationType: waitForCleanup,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

export const { importDriveFolder } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  cancellationType: waitForCleanup,
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
});

export const { uniquifyVideo } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  cancellationType: waitForCleanup,
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
});

// Platforms fail transiently (5xx, timeouts) far more often than permanently, and every
// attempt first checks for an earlier post, so retrying often is safe.
export const { uploadViaBrowser } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  cancellationType: waitForCleanup,
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

// An API upload resumes from the offset the server confirms, so a short heartbeat timeout
// costs nothing and gets a killed worker's upload going again within half a minute. Long:
// a large file, then the platform's processing, which can take many minutes.
// A 429 retries after the server's Retry-After (the failure's nextRetryDelay).
export const { uploadViaApi } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  cancellationType: waitForCleanup,
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

// Asking the account's pacer for times is quick and idempotent per post; it retries until
// the pacer answers (a pacer that is continuing as new answers a moment later).
export const { reserveSlots } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20, nonRetryableErrorTypes: NON_RETRYABLE },
});

// Log lines and status marks are small, idempotent database/Redis writes: as local
// activities they run inside the workflow task, without a round trip through the server per
// line, which is most of a child's orchestration cost (see bench/fanout.ts). They still
// retry, and appear in the history as local-activity markers.
export const { appendLog, recordTaskStatus } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 20, nonRetryableErrorTypes: NON_RETRYABLE },
});

// Checking the input is pure computation: local; bad input is non-retryable, and only an
// unexpected error (a worker shutting down) is tried again, a few times.
export const { validateBulkInput } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
});
