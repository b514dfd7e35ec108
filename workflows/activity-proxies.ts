/**
 * Timeouts and retry policies of every activity, in one place. Chosen per activity:
 * uniquify is CPU-bound and long, so it heartbeats and retries a few times; an upload talks
 * to a remote site, so it heartbeats and backs off longer; log and status writes are cheap
 * and must get through, so they retry often and quickly.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Failure types a retry cannot fix (set by the activities as ApplicationFailure types). */
export const NON_RETRYABLE = ['InvalidInput', 'VideoNotFound', 'NotAVideo', 'PathOutsideMediaRoot', 'VideoTooLarge', 'UnknownAccount', 'UnknownPlatform', 'BadCredentials', 'DuplicateVideo', 'UploadRejected', 'SecretsKey', 'NoVideos', 'GoogleNotConfigured'];

export const { registerTask, recordTaskStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

export const { importDriveFolder } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
});

export const { uniquifyVideo } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
});

// Platforms fail transiently (5xx, timeouts) far more often than permanently, and every
// attempt first checks for an earlier post, so retrying often is safe.
export const { uploadViaBrowser } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

export const { appendLog, recordAccountStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 20, nonRetryableErrorTypes: NON_RETRYABLE },
});
