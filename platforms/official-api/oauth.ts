/**
 * OAuth 2.0 for API platforms, as RFC 6749 and RFC 7636 (PKCE) describe it: the consent URL
 * of the authorization code flow, the code exchange and the refresh. Provider-neutral: a
 * platform gives its endpoints, scopes and extra consent parameters.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PlatformError } from '../adapter';

/** One provider's OAuth client, as registered with the provider. */
export interface OAuthClientSettings {
  /** The platform's name, for messages. */
  platform: string;
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  redirectUri: string;
  scopes: readonly string[];
  /** Send a PKCE challenge (S256) with the consent request and its verifier with the exchange. */
  pkce: boolean;
  /** Provider-specific consent parameters, e.g. Google's `access_type=offline`. */
  authParams?: Readonly<Record<string, string>>;
  /** The scopes a grant must include to be kept (default: all of `scopes`); a platform that works with either of two asks for both and requires fewer. */
  requiredScopes?: readonly string[];
  /** What the provider calls the client id in requests (TikTok: `client_key`). */
  clientIdParam?: string;
  /** How scopes are joined in the consent URL (TikTok and Meta: `,`). */
  scopeSeparator?: ' ' | ',';
  /** How the token endpoint is called: a form POST (RFC 6749), or GET with a query (Meta documents GET). */
  tokenMethod?: 'POST' | 'GET';
  /** Turns the code exchange's tokens into the ones to keep (Meta: a short-lived token into a 60-day one). */
  afterExchange?(client: OAuthClientSettings, tokens: TokenSet, signal?: AbortSignal): Promise<TokenSet>;
}

/** Tokens as the token endpoint issued them. */
export interface TokenSet {
  accessToken: string;
  /** Absent on a refresh that did not rotate it. */
  refreshToken?: string;
  expiresAt: Date;
  scope: string;
}

/** The provider refused a grant: `invalid_grant` means the code or refresh token is no good (revoked, expired, used). */
export class OAuthGrantError extends Error {
  override name = 'OAuthGrantError';
  constructor(
    readonly platform: string,
    readonly error: string,
    readonly description: string | undefined,
  ) {
    super(`${platform}: the authorization server refused: ${error}${description ? ` (${description})` : ''}`);
  }
}

/** A fresh PKCE verifier and its S256 challenge (RFC 7636 §4.1-4.2). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A random, unguessable `state` value. */
export function newState(): string {
  return randomBytes(32).toString('base64url');
}

/** The URL a person opens to grant access (authorization code flow). */
export function consentUrl(client: OAuthClientSettings, opts: { state: string; codeChallenge?: string }): string {
  const url = new URL(client.authUrl);
  const params: Record<string, string> = {
    [client.clientIdParam ?? 'client_id']: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: client.scopes.join(client.scopeSeparator ?? ' '),
    state: opts.state,
    ...client.authParams,
    ...(client.pkce && opts.codeChallenge ? { code_challenge: opts.codeChallenge, code_challenge_method: 'S256' } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});
const TokenError = z.object({ error: z.string(), error_description: z.string().optional() });
/** Meta's Graph API error body, which its token endpoint answers too. */
const GraphError = z.object({ error: z.object({ message: z.string().optional(), type: z.string().optional(), code: z.number().optional() }) });

/** The scopes of a grant, however the provider separates them (spaces per RFC 6749; commas at TikTok). */
export function grantedScopes(scope: string): string[] {
  return scope.split(/[\s,]+/).filter(Boolean);
}

/** Tokens issued without an `expires_in` are treated as lasting an hour, the common default. */
const DEFAULT_EXPIRES_IN_S = 3600;

/** Calls the token endpoint with `params` and the client's credentials. */
export async function tokenRequest(client: OAuthClientSettings, params: Record<string, string>, signal?: AbortSignal): Promise<TokenSet> {
  const form = new URLSearchParams({ ...params, [client.clientIdParam ?? 'client_id']: client.clientId, client_secret: client.clientSecret });
  const get = client.tokenMethod === 'GET';
  const url = new URL(client.tokenUrl);
  if (get) for (const [k, v] of form) url.searchParams.set(k, v);
  let res: Response;
  try {
    res = await fetch(url, {
      method: get ? 'GET' : 'POST',
      headers: { ...(get ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), accept: 'application/json' },
      ...(get ? {} : { body: form }),
      signal: signal ?? AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new PlatformError({ platform: client.platform, kind: 'unavailable', detail: `token endpoint unreachable: ${(err as Error).message}`, cause: err });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = TokenError.safeParse(json);
    if (res.status >= 500 || res.status === 429) {
      throw new PlatformError({ platform: client.platform, kind: 'unavailable', detail: `token endpoint answered ${res.status}` });
    }
    if (error.success) throw new OAuthGrantError(client.platform, error.data.error, error.data.error_description);
    const graph = GraphError.safeParse(json);
    // Meta's code 190 is its invalid_grant: the token or code is no good.
    if (graph.success) {
      const e = graph.data.error;
      throw new OAuthGrantError(client.platform, e.code === 190 ? 'invalid_grant' : `${e.type ?? 'error'} ${e.code ?? ''}`.trim(), e.message);
    }
    throw new PlatformError({ platform: client.platform, kind: 'unexpected', detail: `token endpoint answered ${res.status}: ${text.slice(0, 200)}` });
  }
  const tokens = TokenResponse.safeParse(json);
  if (!tokens.success) throw new PlatformError({ platform: client.platform, kind: 'unexpected', detail: 'token endpoint answered 200 without an access_token' });
  return {
    accessToken: tokens.data.access_token,
    ...(tokens.data.refresh_token ? { refreshToken: tokens.data.refresh_token } : {}),
    expiresAt: new Date(Date.now() + (tokens.data.expires_in ?? DEFAULT_EXPIRES_IN_S) * 1000),
    scope: tokens.data.scope ?? client.scopes.join(' '),
  };
}

/** Exchanges an authorization code (and its PKCE verifier) for tokens. */
export async function exchangeCode(client: OAuthClientSettings, code: string, codeVerifier: string | undefined, signal?: AbortSignal): Promise<TokenSet> {
  const tokens = await tokenRequest(
    client,
    { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, ...(client.pkce && codeVerifier ? { code_verifier: codeVerifier } : {}) },
    signal,
  );
  return client.afterExchange ? client.afterExchange(client, tokens, signal) : tokens;
}

/** A new access token from a refresh token; throws OAuthGrantError `invalid_grant` when it was revoked or expired. */
export function refreshTokens(client: OAuthClientSettings, refreshToken: string, signal?: AbortSignal): Promise<TokenSet> {
  return tokenRequest(client, { grant_type: 'refresh_token', refresh_token: refreshToken }, signal);
}
