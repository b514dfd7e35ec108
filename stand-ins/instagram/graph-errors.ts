/**
 * The error shapes Meta sends, so a client meets the stand-in's refusals as it would meet Meta's:
 * the Graph API's `{"error":{message, type, code, error_subcode?, fbtrace_id}}` (Graph API
 * "Handling Errors" and the Instagram Platform "Error Codes" reference), the rupload host's
 * `{"debug_info":{retriable, type, message}}` (the resumable-upload guide's failure sample), and
 * the Login dialog's error page, which never redirects. Handlers throw these; the router turns
 * them into responses in one place.
 */
import { randomBytes } from 'node:crypto';

export interface GraphErrorDetails {
  subcode?: number;
  /** `error_user_title` / `error_user_msg`, which the Instagram error reference fills for publishing errors. */
  userTitle?: string;
  userMessage?: string;
  isTransient?: boolean;
  headers?: Record<string, string>;
}

/** A Graph API refusal: HTTP status plus Meta's JSON error body. */
export class GraphError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly details: GraphErrorDetails = {},
    readonly type = 'OAuthException',
  ) {
    super(message);
  }

  /** The response body Meta sends for this error; `fbtrace_id` is fresh per answer, as Meta's is. */
  body(): unknown {
    const { subcode, userTitle, userMessage, isTransient } = this.details;
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.code,
        ...(subcode !== undefined ? { error_subcode: subcode } : {}),
        ...(isTransient !== undefined ? { is_transient: isTransient } : {}),
        ...(userTitle !== undefined ? { error_user_title: userTitle } : {}),
        ...(userMessage !== undefined ? { error_user_msg: userMessage } : {}),
        fbtrace_id: randomBytes(8).toString('base64url'),
      },
    };
  }
}

/** Code 100, the Graph API's "Invalid parameter". */
export function invalidParameter(message: string, subcode?: number): GraphError {
  return new GraphError(400, 100, message, subcode === undefined ? {} : { subcode });
}

/** An object that does not exist, or that this token may not see: Meta does not say which. */
export function unsupportedRequest(method: string, id: string): GraphError {
  return invalidParameter(
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    33,
  );
}

/** A field the node type does not have. */
export function nonexistingField(field: string, nodeType: string): GraphError {
  return invalidParameter(`(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`);
}

/** No token at all. */
export function missingToken(): GraphError {
  return new GraphError(400, 104, 'An access token is required to request this resource.');
}

const invalidTokenHeaders = (message: string): Record<string, string> => ({
  'www-authenticate': `OAuth "Facebook Platform" "invalid_token" "${message}"`,
});

/** An access token the server never issued. */
export function invalidToken(): GraphError {
  const message = 'Invalid OAuth access token - Cannot parse access token';
  return new GraphError(400, 190, message, { headers: invalidTokenHeaders(message) });
}

/** Code 190 subcode 463: the token's lifetime is over. */
export function expiredToken(expiredAt: number, now: number): GraphError {
  const message = `Error validating access token: Session has expired on ${new Date(expiredAt).toUTCString()}. The current time is ${new Date(now).toUTCString()}.`;
  return new GraphError(400, 190, message, { subcode: 463, headers: invalidTokenHeaders(message) });
}

/** Code 190 subcode 458 ("App Not Installed"): the person removed the app or its access. */
export function revokedToken(appId: string): GraphError {
  const message = `Error validating access token: The user has not authorized application ${appId}.`;
  return new GraphError(400, 190, message, { subcode: 458, headers: invalidTokenHeaders(message) });
}

/** Code 10: the token lacks a permission the call needs. */
export function missingPermission(permission: string): GraphError {
  return new GraphError(403, 10, '(#10) Application does not have permission for this action', {
    userMessage: `This action needs the ${permission} permission.`,
  });
}

/** Meta's transient server errors: code 1 ("API Unknown") for 500, code 2 ("API Service") otherwise. */
export function serverError(status: 500 | 502 | 503): GraphError {
  return status === 500
    ? new GraphError(500, 1, 'An unknown error has occurred.', { isTransient: true })
    : new GraphError(status, 2, 'An unexpected error has occurred. Please retry your request later.', { isTransient: true });
}

/** The throttling codes of the rate-limiting guide, each with the usage header Meta sends beside it. */
export const RATE_LIMIT_CODES = [4, 17, 32, 80002] as const;
export type RateLimitCode = (typeof RATE_LIMIT_CODES)[number];

const RATE_LIMIT_MESSAGES: Record<RateLimitCode, string> = {
  4: '(#4) Application request limit reached',
  17: '(#17) User request limit reached',
  32: '(#32) Page request limit reached',
  80002: '(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.',
};

/** A throttled call. `Retry-After` is not in Meta's docs (they describe usage headers); the stand-in adds it so a test can steer the wait. */
export function rateLimited(code: RateLimitCode, httpStatus: number, retryAfterSeconds: number): GraphError {
  const full = JSON.stringify({ call_count: 100, total_cputime: 100, total_time: 100 });
  const usage: Record<RateLimitCode, Record<string, string>> = {
    4: { 'x-app-usage': full },
    17: { 'x-app-usage': full },
    32: { 'x-page-usage': full },
    80002: {
      'x-business-use-case-usage': JSON.stringify({
        stand_in: [{ type: 'instagram', call_count: 100, total_cputime: 100, total_time: 100, estimated_time_to_regain_access: Math.ceil(retryAfterSeconds / 60) }],
      }),
    },
  };
  return new GraphError(httpStatus, code, RATE_LIMIT_MESSAGES[code], {
    isTransient: true,
    headers: { 'retry-after': String(retryAfterSeconds), ...usage[code] },
  });
}

/** A refusal of the rupload host, in the resumable-upload guide's `debug_info` shape. */
export class RuploadError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly retriable: boolean,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The guide's failure body: the inner message is itself a JSON document, as in the sample. */
  body(): unknown {
    return {
      debug_info: {
        retriable: this.retriable,
        type: 'ProcessingFailedError',
        message: JSON.stringify({ success: false, error: { message: this.message } }),
      },
    };
  }
}

/** What the Login dialog shows instead of redirecting (unknown app, unregistered redirect URI, bad scope). */
export class DialogError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly title: string,
    description: string,
  ) {
    super(description);
  }
}
