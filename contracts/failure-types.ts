/**
 * The types of every failure an activity raises on purpose: the `type` of its
 * `ApplicationFailure`. Activities set them, workflows branch on them, the retry policies
 * list the ones a retry cannot fix. Spelled here once; free of Node modules (workflows import it).
 */
export const FAILURE = {
  /** An activity's input did not match its schema (a hand-started workflow, an old history). */
  InvalidInput: 'InvalidInput',
  VideoNotFound: 'VideoNotFound',
  NotAVideo: 'NotAVideo',
  PathOutsideMediaRoot: 'PathOutsideMediaRoot',
  VideoTooLarge: 'VideoTooLarge',
  UnknownAccount: 'UnknownAccount',
  UnknownPlatform: 'UnknownPlatform',
  BadCredentials: 'BadCredentials',
  DuplicateVideo: 'DuplicateVideo',
  UploadRejected: 'UploadRejected',
  SecretsKey: 'SecretsKey',
  NoVideos: 'NoVideos',
  GoogleNotConfigured: 'GoogleNotConfigured',
  /** An upload made no progress for too long: retryable, the next attempt starts afresh. */
  UploadStalled: 'UploadStalled',
  /** An API account's authorization is missing, revoked or expired: a person must connect it again. */
  Reauthorize: 'Reauthorize',
  /** The platform is not configured on this installation (no OAuth client): an operator must set it up. */
  PlatformNotConfigured: 'PlatformNotConfigured',
  /**
   * The platform project's quota for the period is spent. Not an error: the workflow waits
   * (a durable timer) until the time in the failure's details, `{ resetsAt }`, and tries again.
   */
  QuotaExhausted: 'QuotaExhausted',
  /** The platform asked us to slow down (429): retried after its Retry-After. */
  RateLimited: 'RateLimited',
  /** No time within the planning horizon meets a schedule (slots, spacing, daily maximum): the posts are not planned. */
  NoSlot: 'NoSlot',
} as const;

export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

/** Failures a retry cannot fix: the retry policies stop at them. */
export const NON_RETRYABLE_FAILURES: readonly FailureType[] = [
  FAILURE.InvalidInput,
  FAILURE.VideoNotFound,
  FAILURE.NotAVideo,
  FAILURE.PathOutsideMediaRoot,
  FAILURE.VideoTooLarge,
  FAILURE.UnknownAccount,
  FAILURE.UnknownPlatform,
  FAILURE.BadCredentials,
  FAILURE.DuplicateVideo,
  FAILURE.UploadRejected,
  FAILURE.SecretsKey,
  FAILURE.NoVideos,
  FAILURE.GoogleNotConfigured,
  FAILURE.Reauthorize,
  FAILURE.PlatformNotConfigured,
  FAILURE.QuotaExhausted,
  FAILURE.NoSlot,
];

/** What a `QuotaExhausted` failure carries: when the quota period ends (ISO 8601), and which limit it is. */
export interface QuotaExhaustedDetails {
  resetsAt: string;
  /** What is spent, in words for the status line (`quota`, `TikTok's 6 video inits per minute`, `Instagram's 50 posts per 24 hours`); `quota` when absent. */
  limit?: string;
}

/** Failures after which no other video of the same account can succeed. */
export const ACCOUNT_FATAL_FAILURES: readonly FailureType[] = [
  FAILURE.BadCredentials,
  FAILURE.UnknownAccount,
  FAILURE.UnknownPlatform,
  FAILURE.SecretsKey,
  FAILURE.Reauthorize,
  FAILURE.PlatformNotConfigured,
];

/** The type of a retryable platform failure, e.g. `Platform_timeout`. */
export function platformFailureType(kind: string): string {
  return `Platform_${kind}`;
}
