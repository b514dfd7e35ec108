/**
 * The boundary between clipfleet's own errors and Temporal: each kind a retry cannot fix
 * becomes a non-retryable ApplicationFailure with a type the workflow can branch on and a
 * message a person can act on; everything else stays retryable.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { describeIssues } from '../contracts/bulk-input';
import { FAILURE, platformFailureType, type FailureType } from '../contracts/failure-types';
import { MediaError } from '../media';
import { PlatformError } from '../platforms/adapter';
import { UnknownPlatformError } from '../platforms/registry';
import { SecretsKeyError } from '../database/secrets';
import { PlatformNotConfiguredError, QuotaExhaustedError, RateLimitedError, ReauthorizeError } from '../platforms/official-api/errors';
import { OAuthGrantError } from '../platforms/official-api/oauth';
import type { QuotaExhaustedDetails } from '../contracts/failure-types';

const MEDIA_TYPES: Record<MediaError['kind'], FailureType | null> = {
  not_found: FAILURE.VideoNotFound,
  not_a_video: FAILURE.NotAVideo,
  unreadable: FAILURE.NotAVideo,
  outside_media_root: FAILURE.PathOutsideMediaRoot,
  too_large: FAILURE.VideoTooLarge,
  ffmpeg_failed: null,
  cancelled: null,
};

const PLATFORM_TYPES: Partial<Record<PlatformError['kind'], FailureType>> = {
  bad_credentials: FAILURE.BadCredentials,
  duplicate: FAILURE.DuplicateVideo,
  rejected: FAILURE.UploadRejected,
};

/**
 * Maps a thrown error to what the activity should throw. Once the activity is cancelled
 * (`cancellationSignal` aborted), whatever its cleanup threw ("ffmpeg was stopped", a
 * closed page) is reported as the cancellation it is, so the workflow sees a cancelled
 * activity, never a failed one.
 */
export function toActivityFailure(err: unknown, cancellationSignal?: AbortSignal): unknown {
  if (cancellationSignal?.aborted) {
    const reason: unknown = cancellationSignal.reason;
    return reason instanceof CancelledFailure ? reason : new CancelledFailure(reason instanceof Error ? reason.message : 'activity cancelled');
  }
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof MediaError) {
    const type = MEDIA_TYPES[err.kind];
    if (type) return ApplicationFailure.nonRetryable(err.message, type);
    return err;
  }
  if (err instanceof PlatformError) {
    const type = PLATFORM_TYPES[err.kind];
    if (type && !err.retryable) return ApplicationFailure.nonRetryable(err.message, type);
    return ApplicationFailure.retryable(err.message, platformFailureType(err.kind));
  }
  if (err instanceof UnknownPlatformError) return ApplicationFailure.nonRetryable(err.message, FAILURE.UnknownPlatform);
  if (err instanceof SecretsKeyError) return ApplicationFailure.nonRetryable(err.message, FAILURE.SecretsKey);
  if (err instanceof ReauthorizeError) return ApplicationFailure.nonRetryable(err.message, FAILURE.Reauthorize);
  if (err instanceof PlatformNotConfiguredError) return ApplicationFailure.nonRetryable(err.message, FAILURE.PlatformNotConfigured);
  if (err instanceof QuotaExhaustedError) {
    // Not retried by Temporal: the workflow waits for the reset on a durable timer, then asks again.
    const details: QuotaExhaustedDetails = { resetsAt: err.resetsAt.toISOString(), ...(err.limit === 'quota' ? {} : { limit: err.limit }) };
    return ApplicationFailure.create({ message: err.message, type: FAILURE.QuotaExhausted, nonRetryable: true, details: [details] });
  }
  if (err instanceof RateLimitedError) return ApplicationFailure.create({ message: err.message, type: FAILURE.RateLimited, nextRetryDelay: err.retryAfterMs });
  if (err instanceof OAuthGrantError) return ApplicationFailure.retryable(err.message, platformFailureType('oauth'));
  return err;
}

/** A non-retryable failure for a thing that does not exist or is not allowed. */
export function nonRetryable(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

/** Validates an activity's input: a workflow started by hand or an old history may send anything. */
export function parseActivityInput<T>(activity: string, schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const fields = describeIssues(result.error)
    .map((i) => `${i.field}: ${i.message}`)
    .join('; ');
  throw ApplicationFailure.nonRetryable(`${activity}: invalid input: ${fields}`, FAILURE.InvalidInput);
}
