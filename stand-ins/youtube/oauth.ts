/**
 * Google's OAuth 2.0 web-server flow as the stand-in plays it: the consent request
 * (`/o/oauth2/v2/auth`), authorization codes bound to client, redirect URI, channel and PKCE
 * challenge (RFC 7636), the token endpoint's `authorization_code` and `refresh_token` grants,
 * revocation, and the bearer check every API call goes through. Tokens are random and opaque;
 * nothing about a token can be read from the token itself.
 */
import { createHash } from 'node:crypto';
import { opaqueToken, redirectUriAllowed, sameSecret } from '../shared/oauth';
import { ConsentError, insufficientScopes, invalidCredentials, OAuthError } from './google-errors';

/** The YouTube scopes, spelled once. */
export const SCOPES = {
  upload: 'https://www.googleapis.com/auth/youtube.upload',
  readonly: 'https://www.googleapis.com/auth/youtube.readonly',
  manage: 'https://www.googleapis.com/auth/youtube',
  forceSsl: 'https://www.googleapis.com/auth/youtube.force-ssl',
} as const;

/** Any one of these lets a token upload (videos.insert). */
export const UPLOAD_SCOPES: readonly string[] = [SCOPES.upload, SCOPES.manage, SCOPES.forceSsl];
/** Any one of these lets a token read (videos.list, channels.list). */
export const READ_SCOPES: readonly string[] = [SCOPES.readonly, SCOPES.manage, SCOPES.forceSsl];

/** What the consent screen says each scope allows; a scope not listed here is refused as `invalid_scope`. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [SCOPES.upload]: 'Upload YouTube videos',
  [SCOPES.readonly]: 'View your YouTube account',
  [SCOPES.manage]: 'Manage your YouTube account',
  [SCOPES.forceSsl]: 'See, edit, and permanently delete your YouTube videos, ratings, comments and captions',
  openid: 'Associate you with your personal info on Google',
  email: 'See your primary Google Account email address',
  profile: 'See your personal info, including any personal info you have made publicly available',
};

const AUTH_CODE_TTL_MS = 10 * 60_000;
// RFC 7636 section 4.1: 43 to 128 characters of the unreserved set.
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** Empty: any http(s) URI on a loopback host, as for a desktop client under development. */
  redirectUris: readonly string[];
}

export interface Channel {
  id: string;
  title: string;
}

/** One person's consent to one client: every token issued under it dies with it. */
export interface Grant {
  clientId: string;
  channelId: string;
  scopes: readonly string[];
  revoked: boolean;
}

/** A validated consent request; `fields` are the original query parameters, carried through the consent form. */
export interface ConsentRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  offline: boolean;
  codeChallenge?: string;
  codeChallengeMethod: 'S256' | 'plain';
  fields: [string, string][];
}

interface AuthCode {
  request: ConsentRequest;
  channelId: string;
  expiresAt: number;
  used: boolean;
}

interface AccessToken {
  grant: Grant;
  expiresAt: number;
}

/** The token response of the token endpoint. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
  token_type: 'Bearer';
}

/** The authorization server of the stand-in: one registered client, the channels a person can pick, and every grant and token. */
export class OAuthServer {
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, AccessToken>();
  /** Every token ever issued, in order, so tests can look for them where they must not be. */
  readonly issued = { access: [] as string[], refresh: [] as string[] };

  constructor(
    private readonly client: OAuthClient,
    readonly channels: readonly Channel[],
    private readonly accessTokenTtlSeconds: number,
  ) {}

  /** Validates a consent request the way Google's consent screen does, in Google's order: client, redirect URI, then the rest. */
  validateConsentRequest(params: URLSearchParams): ConsentRequest {
    const clientId = params.get('client_id');
    if (!clientId) throw new ConsentError(400, 'invalid_request', 'Missing required parameter: client_id');
    if (clientId !== this.client.clientId) throw new ConsentError(401, 'invalid_client', 'The OAuth client was not found.');

    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) throw new ConsentError(400, 'invalid_request', 'Missing required parameter: redirect_uri');
    const registered = redirectUriAllowed(this.client.redirectUris, redirectUri);
    if (!registered) {
      throw new ConsentError(400, 'redirect_uri_mismatch', `The redirect URI in the request, ${redirectUri}, does not match the ones authorized for the OAuth client.`);
    }

    const responseType = params.get('response_type');
    if (!responseType) throw new ConsentError(400, 'invalid_request', 'Missing required parameter: response_type');
    if (responseType !== 'code') throw new ConsentError(400, 'unsupported_response_type', `Unsupported response type: ${responseType}`);

    const scopes = (params.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (scopes.length === 0) throw new ConsentError(400, 'invalid_request', 'Missing required parameter: scope');
    const unknown = scopes.filter((scope) => !(scope in SCOPE_DESCRIPTIONS));
    if (unknown.length > 0) throw new ConsentError(400, 'invalid_scope', `Some requested scopes were invalid: ${unknown.join(' ')}`);

    const accessType = params.get('access_type') ?? 'online';
    if (accessType !== 'online' && accessType !== 'offline') throw new ConsentError(400, 'invalid_request', `Invalid access_type: ${accessType}`);

    const codeChallenge = params.get('code_challenge') ?? undefined;
    const method = params.get('code_challenge_method') ?? 'plain';
    if (method !== 'S256' && method !== 'plain') throw new ConsentError(400, 'invalid_request', `Invalid code_challenge_method: ${method}`);
    if (!codeChallenge && params.has('code_challenge_method')) throw new ConsentError(400, 'invalid_request', 'Missing required parameter: code_challenge');
    if (codeChallenge && !CODE_VERIFIER.test(codeChallenge)) throw new ConsentError(400, 'invalid_request', 'Invalid code_challenge');

    return {
      clientId,
      redirectUri,
      scopes,
      state: params.get('state') ?? undefined,
      offline: accessType === 'offline',
      codeChallenge,
      codeChallengeMethod: method,
      fields: [...params.entries()],
    };
  }

  /** The person's answer on the consent page: where their browser goes next, with a code or `error=access_denied`. */
  decide(request: ConsentRequest, decision: 'allow' | 'deny', channelId: string | undefined): string {
    const target = new URL(request.redirectUri);
    if (decision === 'deny') {
      target.searchParams.set('error', 'access_denied');
    } else {
      const channel = this.channels.find((c) => c.id === channelId);
      if (!channel) throw new ConsentError(400, 'invalid_request', `Unknown channel: ${String(channelId)}`);
      const code = opaqueToken('4/', 32);
      this.codes.set(code, { request, channelId: channel.id, expiresAt: Date.now() + AUTH_CODE_TTL_MS, used: false });
      target.searchParams.set('code', code);
      target.searchParams.set('scope', request.scopes.join(' '));
    }
    if (request.state !== undefined) target.searchParams.set('state', request.state);
    return target.toString();
  }

  /** The token endpoint: client authentication (body or HTTP Basic), then the grant. */
  token(params: URLSearchParams, authorization: string | undefined): TokenResponse {
    const clientId = this.authenticateClient(params, authorization);
    const grantType = params.get('grant_type');
    if (!grantType) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: grant_type');
    if (grantType === 'authorization_code') return this.exchangeCode(params, clientId);
    if (grantType === 'refresh_token') return this.refresh(params, clientId);
    throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }

  /** Revokes the grant behind a refresh or access token: Google revokes the refresh token with its access token and the reverse. */
  revoke(token: string | null): void {
    if (!token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: token');
    const grant = this.refreshTokens.get(token) ?? this.accessTokens.get(token)?.grant;
    if (!grant || grant.revoked) throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
    grant.revoked = true;
  }

  /** The grant behind a bearer token that holds one of `anyOf`; Google's 401 or 403 otherwise. */
  authenticate(token: string | undefined, anyOf: readonly string[]): Grant {
    const access = token === undefined ? undefined : this.accessTokens.get(token);
    if (!access || access.grant.revoked || access.expiresAt <= Date.now()) throw invalidCredentials();
    if (!access.grant.scopes.some((scope) => anyOf.includes(scope))) throw insufficientScopes(anyOf);
    return access.grant;
  }

  /** Fault: every access token issued so far expires now; refresh tokens keep working. */
  expireAccessTokens(): void {
    const now = Date.now();
    for (const access of this.accessTokens.values()) access.expiresAt = Math.min(access.expiresAt, now);
  }

  /** Fault: the person revoked access for this channel (e.g. in their Google Account settings). */
  revokeChannel(channelId: string): void {
    for (const grant of this.refreshTokens.values()) if (grant.channelId === channelId) grant.revoked = true;
    for (const { grant } of this.accessTokens.values()) if (grant.channelId === channelId) grant.revoked = true;
  }

  /** Returns the authenticated client's id. */
  private authenticateClient(params: URLSearchParams, authorization: string | undefined): string {
    let fromHeader: { id: string; secret: string } | undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
      // RFC 6749 section 2.3.1: both halves are form-urlencoded before they are joined.
      fromHeader = { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
    }
    const bodyId = params.get('client_id');
    if (fromHeader && bodyId && bodyId !== fromHeader.id) throw new OAuthError(400, 'invalid_request', 'The request uses more than one client authentication method.');
    const id = fromHeader?.id ?? bodyId;
    const secret = fromHeader?.secret ?? params.get('client_secret');
    if (!id) throw new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.');
    if (id !== this.client.clientId) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (!secret || !sameSecret(secret, this.client.clientSecret)) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
    return id;
  }

  private exchangeCode(params: URLSearchParams, clientId: string): TokenResponse {
    const code = params.get('code');
    if (!code) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
    const entry = this.codes.get(code);
    if (!entry) throw new OAuthError(400, 'invalid_grant', 'Malformed auth code.');
    // A code is redeemed by its first presentation, good or bad, so a leaked code cannot be tried twice.
    const firstUse = !entry.used;
    entry.used = true;
    if (!firstUse || entry.expiresAt <= Date.now()) throw new OAuthError(400, 'invalid_grant', 'Bad Request');
    const { request } = entry;
    if (request.clientId !== clientId) throw new OAuthError(400, 'invalid_grant', 'Bad Request');
    if (params.get('redirect_uri') !== request.redirectUri) throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
    if (request.codeChallenge) {
      const verifier = params.get('code_verifier');
      if (!verifier) throw new OAuthError(400, 'invalid_grant', 'Missing code verifier.');
      const derived = request.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (!CODE_VERIFIER.test(verifier) || derived !== request.codeChallenge) throw new OAuthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    const grant: Grant = { clientId: request.clientId, channelId: entry.channelId, scopes: request.scopes, revoked: false };
    const response = this.issueAccessToken(grant);
    // Google hands out a refresh token only to clients that asked for offline access.
    if (!request.offline) return response;
    const refreshToken = opaqueToken('1//', 48);
    this.refreshTokens.set(refreshToken, grant);
    this.issued.refresh.push(refreshToken);
    return { ...response, refresh_token: refreshToken };
  }

  private refresh(params: URLSearchParams, clientId: string): TokenResponse {
    const token = params.get('refresh_token');
    if (!token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const grant = this.refreshTokens.get(token);
    if (!grant || grant.revoked) throw new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    if (grant.clientId !== clientId) throw new OAuthError(400, 'unauthorized_client', 'Unauthorized');
    return this.issueAccessToken(grant);
  }

  private issueAccessToken(grant: Grant): TokenResponse {
    const token = opaqueToken('ya29.', 48);
    this.accessTokens.set(token, { grant, expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000 });
    this.issued.access.push(token);
    return { access_token: token, expires_in: this.accessTokenTtlSeconds, scope: grant.scopes.join(' '), token_type: 'Bearer' };
  }
}
