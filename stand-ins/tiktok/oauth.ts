/**
 * TikTok Login Kit (OAuth v2) as the stand-in plays it: the consent request
 * (`/v2/auth/authorize/`, comma-separated scopes, optional PKCE), single-use authorization codes
 * bound to client, redirect URI, user and challenge, the token endpoint's `authorization_code` and
 * `refresh_token` grants with refresh-token rotation ("Refresh a User Access Token": the previous
 * refresh token stops working once a new one is issued), revocation, and the bearer check every
 * API call goes through. Tokens are random and opaque.
 */
import { createHash } from 'node:crypto';
import { opaqueToken, redirectUriAllowed, sameSecret } from '../shared/oauth';
import { accessTokenInvalid, ConsentError, OAuthError, scopeNotAuthorized } from './errors';

/** The scopes the stand-in knows, with what the consent screen says each allows; another scope is `invalid_scope`. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'user.info.basic': 'Read your profile info (avatar, display name)',
  'user.info.profile': 'Read your additional profile info, such as your username and bio',
  'user.info.stats': 'Read your statistical data, such as likes and follower count',
  'video.list': 'Read your public videos on TikTok',
  'video.publish': 'Directly post content to your TikTok profile',
  'video.upload': 'Share content to TikTok as drafts for you to review and post',
};

/** The scope every grant carries: TikTok's consent screen does not let a person untick it. */
export const BASIC_SCOPE = 'user.info.basic';

// The docs give no lifetime for an authorization code; ten minutes is the common one.
const AUTH_CODE_TTL_MS = 10 * 60_000;
// RFC 7636 section 4.1: 43 to 128 characters of the unreserved set.
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface OAuthClient {
  clientKey: string;
  clientSecret: string;
  /** Empty: any http(s) URI on a loopback host, as the desktop Login Kit allows. */
  redirectUris: readonly string[];
}

/** One person's consent to the client: every token issued under it dies with it. */
export interface Grant {
  openId: string;
  scopes: readonly string[];
  revoked: boolean;
  /** The refresh lifetime counts from the first issuance, not from each rotation. */
  refreshExpiresAt: number;
}

/** A validated consent request; `fields` are the original query parameters, carried through the consent form. */
export interface ConsentRequest {
  clientKey: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  codeChallenge?: string;
  fields: [string, string][];
}

interface AuthCode {
  request: ConsentRequest;
  openId: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

interface AccessToken {
  grant: Grant;
  expiresAt: number;
}

interface RefreshToken {
  grant: Grant;
  /** Set when a refresh rotated it out; it works until then plus the grace. */
  rotatedAt?: number;
}

/** The token endpoint's answer. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  open_id: string;
  refresh_expires_in: number;
  refresh_token: string;
  scope: string;
  token_type: 'Bearer';
}

export interface TokenLifetimes {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** How long a rotated-out refresh token still works; TikTok's docs say it stops at once (0). */
  refreshGraceMs: number;
}

/**
 * Whether `verifier` answers `challenge`. RFC 7636's S256 is base64url(SHA-256); TikTok's Login
 * Kit for Desktop sample encodes the same digest as hex, so both are accepted.
 */
function verifierMatches(verifier: string, challenge: string): boolean {
  const digest = createHash('sha256').update(verifier).digest();
  return challenge === digest.toString('base64url') || challenge.toLowerCase() === digest.toString('hex');
}

/** The authorization server: one registered client, the users a person can sign in as, and every grant and token. */
export class OAuthServer {
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly accessTokens = new Map<string, AccessToken>();
  /** Every token ever issued, in order, so tests can look for them where they must not be. */
  readonly issued = { access: [] as string[], refresh: [] as string[] };

  constructor(
    private readonly client: OAuthClient,
    private readonly openIds: readonly string[],
    private readonly lifetimes: TokenLifetimes,
  ) {}

  /** Validates a consent request: client and redirect URI first (an error page), then the rest (sent back to the redirect URI). */
  validateConsentRequest(params: URLSearchParams): ConsentRequest | { redirect: string } {
    const clientKey = params.get('client_key');
    if (!clientKey) throw new ConsentError(400, 'invalid_request', 'Missing required parameter: client_key');
    if (clientKey !== this.client.clientKey) throw new ConsentError(400, 'invalid_client', `Unknown client_key: ${clientKey}`);
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) throw new ConsentError(400, 'invalid_request', 'Missing required parameter: redirect_uri');
    const registered = redirectUriAllowed(this.client.redirectUris, redirectUri);
    if (!registered) throw new ConsentError(400, 'redirect_uri', `The redirect_uri ${redirectUri} is not registered for this client.`);

    const state = params.get('state') ?? undefined;
    const back = (error: string, description: string): { redirect: string } => ({ redirect: this.errorRedirect(redirectUri, error, description, state) });
    if (params.get('response_type') !== 'code') return back('unsupported_response_type', 'response_type must be code');
    const scopes = [
      ...new Set(
        (params.get('scope') ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];
    if (scopes.length === 0) return back('invalid_scope', 'Missing required parameter: scope');
    const unknown = scopes.filter((scope) => !(scope in SCOPE_DESCRIPTIONS));
    if (unknown.length > 0) return back('invalid_scope', `Unknown scope: ${unknown.join(',')}`);
    const codeChallenge = params.get('code_challenge') ?? undefined;
    const method = params.get('code_challenge_method');
    if (codeChallenge && method !== 'S256') return back('invalid_request', 'code_challenge_method must be S256');
    if (!codeChallenge && method) return back('invalid_request', 'Missing required parameter: code_challenge');
    return { clientKey, redirectUri, scopes, state, codeChallenge, fields: [...params.entries()] };
  }

  /** The person's answer: where their browser goes next, with `code`, `scopes` and `state`, or `error=access_denied`. */
  decide(request: ConsentRequest, decision: 'allow' | 'deny', openId: string | undefined, granted: readonly string[]): string {
    if (decision === 'deny') return this.errorRedirect(request.redirectUri, 'access_denied', 'The user cancelled the authorization.', request.state);
    if (!openId || !this.openIds.includes(openId)) throw new ConsentError(400, 'invalid_request', `Unknown user: ${String(openId)}`);
    const scopes = request.scopes.filter((scope) => scope === BASIC_SCOPE || granted.includes(scope));
    const code = opaqueToken('', 32);
    this.codes.set(code, { request, openId, scopes, expiresAt: Date.now() + AUTH_CODE_TTL_MS, used: false });
    const target = new URL(request.redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('scopes', scopes.join(','));
    if (request.state !== undefined) target.searchParams.set('state', request.state);
    return target.toString();
  }

  /** The token endpoint: client credentials in the form, then the grant. */
  token(params: URLSearchParams): TokenResponse {
    this.authenticateClient(params);
    const grantType = params.get('grant_type');
    if (!grantType) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: grant_type');
    if (grantType === 'authorization_code') return this.exchangeCode(params);
    if (grantType === 'refresh_token') return this.refresh(params);
    throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant_type: ${grantType}`);
  }

  /** `/v2/oauth/revoke/`: ends the grant behind an access (or refresh) token, with every token under it. */
  revoke(params: URLSearchParams): void {
    this.authenticateClient(params);
    const token = params.get('token');
    if (!token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: token');
    const grant = this.accessTokens.get(token)?.grant ?? this.refreshTokens.get(token)?.grant;
    // RFC 7009: an unknown or already-revoked token is not an error for the client.
    if (grant) grant.revoked = true;
  }

  /** The grant behind a bearer token that holds one of `anyOf`; 401 access_token_invalid or scope_not_authorized otherwise. */
  authenticate(token: string | undefined, anyOf: readonly string[]): Grant {
    const access = token === undefined ? undefined : this.accessTokens.get(token);
    if (!access || access.grant.revoked || access.expiresAt <= Date.now()) throw accessTokenInvalid();
    if (!access.grant.scopes.some((scope) => anyOf.includes(scope))) throw scopeNotAuthorized(anyOf);
    return access.grant;
  }

  /** Fault: every access token issued so far expires now; refresh tokens keep working. */
  expireAccessTokens(): void {
    const now = Date.now();
    for (const access of this.accessTokens.values()) access.expiresAt = Math.min(access.expiresAt, now);
  }

  /** Fault: the person removed the app's access (in TikTok's settings): every grant of theirs ends. */
  revokeUser(openId: string): void {
    for (const { grant } of [...this.refreshTokens.values(), ...this.accessTokens.values()]) if (grant.openId === openId) grant.revoked = true;
  }

  /** The open_id an access token was issued for, if it is known at all. */
  openIdOf(token: string): string | undefined {
    return this.accessTokens.get(token)?.grant.openId;
  }

  private errorRedirect(redirectUri: string, error: string, description: string, state: string | undefined): string {
    const target = new URL(redirectUri);
    target.searchParams.set('error', error);
    target.searchParams.set('error_description', description);
    if (state !== undefined) target.searchParams.set('state', state);
    return target.toString();
  }

  private authenticateClient(params: URLSearchParams): void {
    const key = params.get('client_key');
    const secret = params.get('client_secret');
    if (!key || !secret) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: client_key or client_secret');
    if (key !== this.client.clientKey || !sameSecret(secret, this.client.clientSecret)) {
      throw new OAuthError(401, 'invalid_client', 'Client key or secret is incorrect.');
    }
  }

  private exchangeCode(params: URLSearchParams): TokenResponse {
    const code = params.get('code');
    if (!code) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
    const entry = this.codes.get(code);
    if (!entry) throw new OAuthError(400, 'invalid_grant', 'Authorization code is invalid.');
    // A code is spent by its first presentation, good or bad, so a leaked code cannot be tried twice.
    const firstUse = !entry.used;
    entry.used = true;
    if (!firstUse || entry.expiresAt <= Date.now()) throw new OAuthError(400, 'invalid_grant', 'Authorization code is expired or already used.');
    if (params.get('redirect_uri') !== entry.request.redirectUri) throw new OAuthError(400, 'invalid_grant', 'redirect_uri does not match the one of the authorization request.');
    if (entry.request.codeChallenge) {
      const verifier = params.get('code_verifier');
      if (!verifier) throw new OAuthError(400, 'invalid_grant', 'Missing code_verifier.');
      if (!CODE_VERIFIER.test(verifier) || !verifierMatches(verifier, entry.request.codeChallenge)) {
        throw new OAuthError(400, 'invalid_grant', 'Code verifier or code challenge is invalid.');
      }
    }
    const grant: Grant = {
      openId: entry.openId,
      scopes: entry.scopes,
      revoked: false,
      refreshExpiresAt: Date.now() + this.lifetimes.refreshTokenTtlSeconds * 1000,
    };
    return this.issue(grant);
  }

  private refresh(params: URLSearchParams): TokenResponse {
    const token = params.get('refresh_token');
    if (!token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const entry = this.refreshTokens.get(token);
    const now = Date.now();
    const rotatedOut = entry?.rotatedAt !== undefined && entry.rotatedAt + this.lifetimes.refreshGraceMs <= now;
    if (!entry || entry.grant.revoked || rotatedOut || entry.grant.refreshExpiresAt <= now) {
      throw new OAuthError(400, 'invalid_grant', 'Refresh token is invalid, expired or revoked.');
    }
    entry.rotatedAt ??= now;
    return this.issue(entry.grant);
  }

  private issue(grant: Grant): TokenResponse {
    const now = Date.now();
    const access = opaqueToken('act.', 36);
    const refresh = opaqueToken('rft.', 36);
    this.accessTokens.set(access, { grant, expiresAt: now + this.lifetimes.accessTokenTtlSeconds * 1000 });
    this.refreshTokens.set(refresh, { grant });
    this.issued.access.push(access);
    this.issued.refresh.push(refresh);
    return {
      access_token: access,
      expires_in: this.lifetimes.accessTokenTtlSeconds,
      open_id: grant.openId,
      refresh_expires_in: Math.max(0, Math.floor((grant.refreshExpiresAt - now) / 1000)),
      refresh_token: refresh,
      scope: grant.scopes.join(','),
      token_type: 'Bearer',
    };
  }
}
