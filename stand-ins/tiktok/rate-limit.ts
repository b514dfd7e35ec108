/**
 * TikTok's per-access-token limits ("Each user access_token is limited to 6 requests per
 * minute" on the init endpoints, 30 on status fetch, 20 on creator info), kept as a sliding
 * window of request times per token so tests can shorten the window.
 */
import { rateLimitExceeded } from './errors';

/** One limit: at most `perWindow` requests per token within any `windowMs`. */
export class SlidingWindowLimit {
  /** Every accepted request time per access token (epoch ms), oldest first: tests read it to see a client wait. */
  readonly accepted = new Map<string, number[]>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one request for `token`, or throws 429 rate_limit_exceeded with the seconds until a slot frees. */
  take(token: string, now = Date.now()): void {
    const times = this.accepted.get(token) ?? [];
    const inWindow = times.filter((at) => at > now - this.windowMs);
    if (inWindow.length >= this.perWindow) {
      const freesAt = (inWindow[inWindow.length - this.perWindow] ?? now) + this.windowMs;
      throw rateLimitExceeded(Math.max(1, Math.ceil((freesAt - now) / 1000)));
    }
    times.push(now);
    this.accepted.set(token, times);
  }
}
