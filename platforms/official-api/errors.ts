/**
 * What an API platform can answer that is not a plain failure: an authorization a person
 * must renew, a quota that is spent until a known time, a request to slow down. The activity
 * boundary (activities/errors.ts) turns each into the Temporal failure the workflow expects.
 */

/** The account's authorization is missing, revoked or expired; only a person can renew it (Connect in the dashboard). */
export class ReauthorizeError extends Error {
  override name = 'ReauthorizeError';
  constructor(
    readonly accountId: string,
    reason: string,
  ) {
    super(`account ${accountId} must be connected again (${reason}): open the dashboard's Accounts page and press Connect, or POST /accounts/${accountId}/connect`);
  }
}

/** The provider refused a call for a permission the person did not grant (a scope left out at consent). */
export class MissingPermissionError extends Error {
  override name = 'MissingPermissionError';
  constructor(
    readonly platform: string,
    readonly detail: string,
  ) {
    super(`${platform}: permission missing: ${detail}`);
  }
}

/** The provider says the account's grant is gone (revoked, expired, password changed) on an API call, not at a refresh (Meta's error 190). */
export class GrantRevokedError extends Error {
  override name = 'GrantRevokedError';
  constructor(
    readonly platform: string,
    readonly detail: string,
  ) {
    super(`${platform}: the authorization is no longer valid: ${detail}`);
  }
}

/** The platform is not set up on this installation (its OAuth client is missing). */
export class PlatformNotConfiguredError extends Error {
  override name = 'PlatformNotConfiguredError';
  constructor(
    readonly platform: string,
    settings: string,
  ) {
    super(`${platform} is not configured: set ${settings} (see the README, "Platforms")`);
  }
}

/**
 * A platform limit is spent (the project's quota, an account's posts per day, its inits per
 * minute); it comes back at `resetsAt`. The workflow waits on a durable timer, then asks again.
 */
export class QuotaExhaustedError extends Error {
  override name = 'QuotaExhaustedError';
  constructor(
    readonly platform: string,
    readonly resetsAt: Date,
    why: string,
    /** Which limit, for the status line; `quota` when not given. */
    readonly limit = 'quota',
  ) {
    super(`${platform}: ${why}; waiting for ${limit} until ${resetsAt.toISOString()}`);
  }
}

/** The provider said the quota is spent (e.g. YouTube's 403 `quotaExceeded`), whatever we counted. */
export class ProviderQuotaExceededError extends Error {
  override name = 'ProviderQuotaExceededError';
  constructor(
    readonly platform: string,
    readonly detail: string,
  ) {
    super(`${platform}: quota exceeded: ${detail}`);
  }
}

/** The provider asked us to slow down (429); try again after `retryAfterMs`. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(
    readonly platform: string,
    readonly retryAfterMs: number,
    detail: string,
  ) {
    super(`${platform}: rate limited (${detail}); trying again in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}
