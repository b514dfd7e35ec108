/**
 * The answers TikTok gives when it refuses, so a client meets the stand-in's refusals exactly as
 * it would meet TikTok's: the Open API's envelope `{data, error: {code, message, log_id}}`
 * (developers.tiktok.com/doc/tiktok-api-v2-error-handling), the OAuth endpoints'
 * `{error, error_description, log_id}` (doc/oauth-error-handling), the upload host's bare HTTP
 * statuses (Media Transfer Guide), and an error page on the consent screen. Handlers throw these;
 * the router turns them into responses in one place.
 */
import { randomBytes } from 'node:crypto';

/** A request id in TikTok's shape: `yyyyMMddHHmmss` and hex, e.g. 202210112248442CB9319E1FB30C1073F3. */
export function logId(now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return stamp + randomBytes(10).toString('hex').toUpperCase();
}

/** A Content Posting API or Display API refusal. */
export class TikTokApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The response body TikTok sends for this error. */
  body(): unknown {
    return { data: {}, error: { code: this.code, message: this.message, log_id: logId() } };
  }
}

/** One or more fields of the request are invalid; the message names the field. */
export function invalidParam(message: string): TikTokApiError {
  return new TikTokApiError(400, 'invalid_param', message);
}

/** Missing, unknown, expired or revoked bearer token. */
export function accessTokenInvalid(): TikTokApiError {
  return new TikTokApiError(401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
}

/** The token's grant lacks every scope that would allow the call. */
export function scopeNotAuthorized(anyOf: readonly string[]): TikTokApiError {
  return new TikTokApiError(401, 'scope_not_authorized', `The access_token does not bear user's grant on ${anyOf.join(' or ')} scope.`);
}

/** Over a per-token limit: 429 with Retry-After in seconds (the docs name no header; HTTP allows it, and it tells a client how long to wait). */
export function rateLimitExceeded(retryAfterSeconds: number): TikTokApiError {
  return new TikTokApiError(429, 'rate_limit_exceeded', 'Your request is blocked due to exceeding the API rate limit.', {
    'retry-after': String(retryAfterSeconds),
  });
}

/** TikTok's generic 5xx. */
export function internalError(status = 500): TikTokApiError {
  return new TikTokApiError(status, 'internal_error', 'TikTok server or network error. Try again later.');
}

/** A token endpoint refusal (`/v2/oauth/token/`, `/v2/oauth/revoke/`). */
export class OAuthError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }

  body(): unknown {
    return { error: this.error, error_description: this.message, log_id: logId() };
  }
}

/** A consent request that cannot be sent back to the client (unknown client_key, unregistered redirect_uri): an error page, no redirect. */
export class ConsentError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

/** An upload host refusal: the Media Transfer Guide gives only the HTTP status (400, 403, 404, 416, 5xx). */
export class UploadError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): unknown {
    return { error: { code: String(this.httpStatus), message: this.message, log_id: logId() } };
  }
}
