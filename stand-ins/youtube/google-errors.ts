/**
 * The error shapes Google sends, so a client meets the stand-in's refusals exactly as it would
 * meet Google's: the Data API's `{"error":{code, message, errors:[{reason, domain}]}}` and the
 * OAuth endpoints' `{"error", "error_description"}` (RFC 6749 section 5.2). Handlers throw these;
 * the router turns them into responses in one place.
 */

export interface GoogleErrorDetails {
  /** `errors[0].domain`; Google uses `global` unless the reason belongs to a product. */
  domain?: string;
  /** The gRPC-style `status` some Google errors carry (`UNAUTHENTICATED`, ...); absent when Google omits it. */
  status?: string;
  /** `errors[0].message` when it differs from the top-level message (401 says "Invalid Credentials"). */
  itemMessage?: string;
  location?: string;
  locationType?: string;
  headers?: Record<string, string>;
}

/** A Data API or upload endpoint refusal, in Google's JSON error shape. */
export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: GoogleErrorDetails = {},
  ) {
    super(message);
  }

  /** The response body Google sends for this error. */
  body(): unknown {
    const { domain = 'global', status, itemMessage, location, locationType } = this.details;
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [{ message: itemMessage ?? this.message, domain, reason: this.reason, ...(location ? { location, locationType } : {}) }],
        ...(status ? { status } : {}),
      },
    };
  }
}

/** Shorthand for the 400s of request validation, where Google names the offending parameter. */
export function badRequest(reason: string, message: string, domain = 'global'): GoogleApiError {
  return new GoogleApiError(400, reason, message, { domain });
}

const QUOTA_MESSAGE = 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.';

/** The project's quota day is spent: Google answers every further call with this 403. */
export function quotaExceeded(): GoogleApiError {
  return new GoogleApiError(403, 'quotaExceeded', QUOTA_MESSAGE, { domain: 'youtube.quota' });
}

/** Missing, unknown, expired or revoked bearer token. */
export function invalidCredentials(): GoogleApiError {
  return new GoogleApiError(
    401,
    'authError',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    {
      itemMessage: 'Invalid Credentials',
      location: 'Authorization',
      locationType: 'header',
      status: 'UNAUTHENTICATED',
      headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    },
  );
}

/** A valid token that was not granted any of the scopes the call needs. */
export function insufficientScopes(needed: readonly string[]): GoogleApiError {
  return new GoogleApiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', {
    itemMessage: 'Insufficient Permission',
    status: 'PERMISSION_DENIED',
    headers: { 'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${needed.join(' ')}"` },
  });
}

/** A transient server-side failure (fault injection). */
export function backendError(code: 500 | 502 | 503): GoogleApiError {
  return new GoogleApiError(code, 'backendError', 'Backend Error', { status: code === 500 ? 'INTERNAL' : 'UNAVAILABLE' });
}

/** Too many requests (fault injection); the client should wait `Retry-After` seconds. */
export function rateLimitExceeded(retryAfterSeconds: number): GoogleApiError {
  return new GoogleApiError(429, 'rateLimitExceeded', 'The request cannot be completed because you have exceeded the rate limit. Retry later.', {
    domain: 'usageLimits',
    status: 'RESOURCE_EXHAUSTED',
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/** A refusal of the token or revoke endpoint: `{"error": ..., "error_description": ...}`. */
export class OAuthError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }

  /** The response body Google's token endpoint sends for this error. */
  body(): unknown {
    return { error: this.error, error_description: this.message };
  }
}

/** A refusal on the consent screen, which Google shows as an HTML page ("Error 400: redirect_uri_mismatch") rather than redirecting. */
export class ConsentError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}
