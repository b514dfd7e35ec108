/**
 * Misbehaviour on demand, switched on over `POST /_stand-in/faults`, so tests can watch a client
 * survive what Google really does: cut connections, 5xx, 429, expired and revoked tokens, a
 * spent quota, a video that fails processing, a slow link.
 */
import { z } from 'zod';
import { FaultState } from '../shared/faults';
import { backendError, rateLimitExceeded, type GoogleApiError } from './google-errors';

/** `status.failureReason` values of a video resource. */
export const FAILURE_REASONS = ['codec', 'conversion', 'emptyFile', 'invalidFile', 'tooSmall', 'uploadAborted'] as const;
/** `status.rejectionReason` values of a video resource. */
export const REJECTION_REASONS = [
  'claim',
  'copyright',
  'duplicate',
  'inappropriate',
  'legal',
  'length',
  'termsOfUse',
  'trademark',
  'uploaderAccountClosed',
  'uploaderAccountSuspended',
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];
export type RejectionReason = (typeof REJECTION_REASONS)[number];
/** How a finished upload ends once processed. */
export type ProcessingOutcome = { failureReason: FailureReason } | { rejectionReason: RejectionReason };

export const FaultSettingsSchema = z.strictObject({
  /** The next upload PUT that stores this many body bytes has its connection destroyed right there, with no answer. One-shot. */
  cutAfterBytes: z.number().int().min(0).optional(),
  /** The next `count` upload or Data API requests are answered with `status` and a `backendError` body. */
  failNext: z.strictObject({ count: z.number().int().min(0), status: z.union([z.literal(500), z.literal(502), z.literal(503)]) }).optional(),
  /** The next `count` upload or Data API requests are answered 429 `rateLimitExceeded` with `Retry-After`. */
  rateLimitNext: z.strictObject({ count: z.number().int().min(0), retryAfterSeconds: z.number().int().min(0) }).optional(),
  /** Applied at once: every access token issued so far is expired; refreshing still works. */
  expireAccessTokens: z.boolean().optional(),
  /** Applied at once: this channel's refresh and access tokens are revoked. */
  revokeRefreshTokensOf: z.string().min(1).optional(),
  /** The next videos.insert is refused with 403 quotaExceeded whatever the budget. One-shot. */
  quotaExceeded: z.boolean().optional(),
  /** The next finished upload ends failed or rejected with this reason. One-shot. */
  failProcessingNext: z.union([z.strictObject({ failureReason: z.enum(FAILURE_REASONS) }), z.strictObject({ rejectionReason: z.enum(REJECTION_REASONS) })]).optional(),
  /** Upload bodies are read no faster than this; 0 or absent is unthrottled. */
  bytesPerSecond: z.number().min(0).optional(),
});
export type FaultSettings = z.infer<typeof FaultSettingsSchema>;

/** The faults that last until they are used up; the two token faults are actions, applied when posted, and never stored. */
type StandingFaults = Omit<FaultSettings, 'expireAccessTokens' | 'revokeRefreshTokensOf'>;

/** The live fault settings of one stand-in. */
export class Faults extends FaultState<StandingFaults> {
  /** Merges posted settings into the current ones and returns the token actions for the caller to apply. */
  merge(settings: FaultSettings): Pick<FaultSettings, 'expireAccessTokens' | 'revokeRefreshTokensOf'> {
    const { expireAccessTokens, revokeRefreshTokensOf, ...standing } = settings;
    this.keep(standing);
    return { expireAccessTokens, revokeRefreshTokensOf };
  }

  /** The injected answer for one upload or Data API request, if one is due (counted down). */
  takeRequestFault(): GoogleApiError | undefined {
    const failNext = this.spend('failNext');
    if (failNext) return backendError(failNext.status);
    const rateLimitNext = this.spend('rateLimitNext');
    if (rateLimitNext) return rateLimitExceeded(rateLimitNext.retryAfterSeconds);
    return undefined;
  }

  /** Whether the next videos.insert must be refused for quota (one-shot). */
  takeQuotaExceeded(): boolean {
    return this.take('quotaExceeded') === true;
  }

  /** The forced outcome of the next finished upload (one-shot). */
  takeProcessingOutcome(): ProcessingOutcome | undefined {
    return this.take('failProcessingNext');
  }
}
