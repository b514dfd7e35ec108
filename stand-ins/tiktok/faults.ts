/**
 * Misbehaviour on demand, switched on over `POST /_stand-in/faults`, so tests can watch a client
 * survive what TikTok really does: cut connections, 5xx, 429, expired and revoked tokens, a post
 * that fails processing, the daily post cap, a slow link.
 */
import { z } from 'zod';
import { FaultState } from '../shared/faults';
import { internalError, rateLimitExceeded, type TikTokApiError } from './errors';

/** `fail_reason` values of Get Post Status ("Fail reasons" in the docs). */
export const FAIL_REASONS = [
  'file_format_check_failed',
  'duration_check_failed',
  'frame_rate_check_failed',
  'picture_size_check_failed',
  'internal',
  'video_pull_failed',
  'photo_pull_failed',
  'publish_cancelled',
  'auth_removed',
  'spam_risk_too_many_posts',
  'spam_risk_user_banned_from_posting',
  'spam_risk_text',
  'spam_risk',
] as const;
export type FailReason = (typeof FAIL_REASONS)[number];

export const FaultSettingsSchema = z.strictObject({
  /** The next upload PUT has its connection destroyed once this many of its body bytes have arrived, with no answer. One-shot. */
  cutAfterBytes: z.number().int().min(0).optional(),
  /** The next `count` API or upload requests are answered with `status` (API: `internal_error`). */
  failNext: z.strictObject({ count: z.number().int().min(0), status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]) }).optional(),
  /** The next `count` API or upload requests are answered 429 `rate_limit_exceeded` with `Retry-After`. */
  rateLimitNext: z.strictObject({ count: z.number().int().min(0), retryAfterSeconds: z.number().int().min(0) }).optional(),
  /** Applied at once: every access token issued so far is expired (401 access_token_invalid); refreshing still works. */
  expireAccessTokens: z.boolean().optional(),
  /** Applied at once: this open_id removed the app's access: refresh is invalid_grant, tokens are 401, posts in flight fail with auth_removed. */
  revokeUser: z.string().min(1).optional(),
  /** The next upload to finish ends FAILED with this fail_reason. One-shot. */
  failNextPublish: z.strictObject({ failReason: z.enum(FAIL_REASONS) }).optional(),
  /** Upload bodies are read no faster than this; 0 or absent is unthrottled. */
  bytesPerSecond: z.number().min(0).optional(),
  /** Until cleared: the user's daily post cap is reached (direct init 403 spam_risk_too_many_posts; creator info says so with HTTP 200, as the docs have it). */
  postLimitReached: z.boolean().optional(),
});
export type FaultSettings = z.infer<typeof FaultSettingsSchema>;

/** Faults that stay until used up or cleared; the two token faults are actions, applied when posted, never stored. */
type StandingFaults = Omit<FaultSettings, 'expireAccessTokens' | 'revokeUser'>;

/** The live fault settings of one stand-in. */
export class Faults extends FaultState<StandingFaults> {
  /** Merges posted settings into the current ones and returns the token actions for the caller to apply. */
  merge(settings: FaultSettings): Pick<FaultSettings, 'expireAccessTokens' | 'revokeUser'> {
    const { expireAccessTokens, revokeUser, ...standing } = settings;
    this.keep(standing);
    return { expireAccessTokens, revokeUser };
  }

  /** The injected answer for one API or upload request, if one is due (counted down). */
  takeRequestFault(): TikTokApiError | undefined {
    const failNext = this.spend('failNext');
    if (failNext) return internalError(failNext.status);
    const rateLimitNext = this.spend('rateLimitNext');
    if (rateLimitNext) return rateLimitExceeded(rateLimitNext.retryAfterSeconds);
    return undefined;
  }

  /** The forced outcome of the next finished upload (one-shot). */
  takeFailReason(): FailReason | undefined {
    return this.take('failNextPublish')?.failReason;
  }

  get postLimitReached(): boolean {
    return this.current.postLimitReached === true;
  }
}
