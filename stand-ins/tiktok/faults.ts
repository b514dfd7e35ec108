/**
 * Misbehaviour on demand, switched on over `POST /_stand-in/faults`, so tests can watch a client
 * survive what TikTok really does: cut connections, 5xx, 429, expired and revoked tokens, a post
 * that fails processing, the daily post cap, a slow link.
 */
import { z } from 'zod';
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
export class Faults {
  private current: StandingFaults = {};

  /** Merges posted settings into the current ones and returns the token actions for the caller to apply. */
  merge(settings: FaultSettings): Pick<FaultSettings, 'expireAccessTokens' | 'revokeUser'> {
    const { expireAccessTokens, revokeUser, ...standing } = settings;
    this.current = { ...this.current, ...standing };
    return { expireAccessTokens, revokeUser };
  }

  /** Back to a well-behaved server. */
  reset(): void {
    this.current = {};
  }

  /** What is still switched on. */
  report(): StandingFaults {
    return { ...this.current };
  }

  /** The injected answer for one API or upload request, if one is due (counted down). */
  takeRequestFault(): TikTokApiError | undefined {
    const { failNext, rateLimitNext } = this.current;
    if (failNext && failNext.count > 0) {
      this.current.failNext = { ...failNext, count: failNext.count - 1 };
      return internalError(failNext.status);
    }
    if (rateLimitNext && rateLimitNext.count > 0) {
      this.current.rateLimitNext = { ...rateLimitNext, count: rateLimitNext.count - 1 };
      return rateLimitExceeded(rateLimitNext.retryAfterSeconds);
    }
    return undefined;
  }

  /** The armed cut, if any; `cutFired` disarms it once it has cut a connection. */
  get cutAfterBytes(): number | undefined {
    return this.current.cutAfterBytes;
  }

  cutFired(): void {
    delete this.current.cutAfterBytes;
  }

  /** The forced outcome of the next finished upload (one-shot). */
  takeFailReason(): FailReason | undefined {
    const reason = this.current.failNextPublish?.failReason;
    delete this.current.failNextPublish;
    return reason;
  }

  get bytesPerSecond(): number {
    return this.current.bytesPerSecond ?? 0;
  }

  get postLimitReached(): boolean {
    return this.current.postLimitReached === true;
  }
}
