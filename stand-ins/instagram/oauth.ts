/**
 * Facebook Login's manually built flow as the stand-in plays it ("Facebook Login — Manually
 * Build a Login Flow", "Long-Lived Access Tokens"): the Login dialog's request, codes bound to
 * the app, redirect URI and person, the code exchange at `oauth/access_token` for a short-lived
 * user token, the `fb_exchange_token` grant for a 60-day one (there are no refresh tokens), and
 * the token check every Graph call goes through. Tokens are random and opaque.
 */
import { randomBytes } from 'node:crypto';
import { opaqueToken, redirectUriAllowed, sameSecret } from '../shared/oauth';
import { DialogError, expiredToken, GraphError, invalidParameter, invalidToken, missingPermission, missingToken, revokedToken } from './graph-errors';

/** The permissions clipfleet asks for, spelled once. */
export const PERMISSIONS = {
  instagramBasic: 'instagram_basic',
  contentPublish: 'instagram_content_publish',
  pagesShowList: 'pages_show_list',
  pagesReadEngagement: 'pages_read_engagement',
  businessManagement: 'business_management',
} as const;

/** What the dialog says each permission allows; a scope not listed here is refused as invalid. */
export const PERMISSION_DESCRIPTIONS: Readonly<Record<string, string>> = {
  public_profile: 'Your name and profile picture',
  email: 'Your email address',
  [PERMISSIONS.instagramBasic]: 'Access profile and posts from the Instagram account connected to your Page',
  [PERMISSIONS.contentPublish]: 'Create content on the Instagram account connected to your Page',
  [PERMISSIONS.pagesShowList]: 'Show a list of the Pages you manage',
  [PERMISSIONS.pagesReadEngagement]: 'Read content posted on the Page',
  [PERMISSIONS.businessManagement]: 'Manage your business',
  instagram_manage_insights: 'Access insights for the Instagram account connected to your Page',
  instagram_manage_comments: 'Manage comments for the Instagram account connected to your Page',
};

// Facebook grants public_profile with every login.
const ALWAYS_GRANTED = 'public_profile';
const CODE_TTL_MS = 10 * 60_000;

export interface InstagramAccount {
  id: string;
  username: string;
}

export interface FacebookPage {
  id: string;
  name: string;
  instagramAccount?: InstagramAccount;
}

export interface FacebookUser {
  id: string;
  name: string;
  pages: FacebookPage[];
}

export interface LoginApp {
  appId: string;
  appSecret: string;
  /** Empty: any http(s) URI on a loopback host, as for an app in development. */
  redirectUris: readonly string[];
}

/** One person's login to the app: every token issued under it dies with it. */
export interface Grant {
  appId: string;
  userId: string;
  granted: readonly string[];
  declined: readonly string[];
  revoked: boolean;
}

/** A validated dialog request; `fields` are its original parameters, carried through the consent form. */
export interface DialogRequest {
  appId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  fields: [string, string][];
}

interface AuthCode {
  request: DialogRequest;
  userId: string;
  granted: string[];
  expiresAt: number;
  used: boolean;
}

export type TokenKind = 'short' | 'long';

interface AccessToken {
  grant: Grant;
  kind: TokenKind;
  expiresAt: number;
}

/** What `oauth/access_token` answers. */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

/** The Login side of the stand-in: one registered app, the people who can log in, and every grant and token. */
export class LoginServer {
  private readonly codes = new Map<string, AuthCode>();
  /** Every token ever issued, in order (a Map keeps insertion order), so tests can look for them where they must not be. */
  private readonly tokens = new Map<string, AccessToken>();

  constructor(
    private readonly app: LoginApp,
    readonly users: readonly FacebookUser[],
    private readonly ttlSeconds: Record<TokenKind, number>,
  ) {}

  /** Validates a dialog request in the order Facebook reports problems: app, redirect URI, then the rest. */
  validateDialog(params: URLSearchParams): DialogRequest {
    const appId = params.get('client_id');
    if (!appId) throw new DialogError(400, 'Missing client_id', 'The parameter client_id is required.');
    if (appId !== this.app.appId) throw new DialogError(400, 'Invalid App ID', 'The provided app ID does not look like a valid app ID.');

    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) throw new DialogError(400, 'Missing redirect_uri', 'The parameter redirect_uri is required.');
    const registered = redirectUriAllowed(this.app.redirectUris, redirectUri);
    if (!registered) {
      throw new DialogError(
        400,
        'URL blocked',
        "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs.",
      );
    }

    // The manual-flow guide: response_type defaults to code; the token flows are not played here.
    const responseType = params.get('response_type') ?? 'code';
    if (responseType !== 'code') throw new DialogError(400, 'Unsupported response_type', `The stand-in implements response_type=code only, not ${responseType}.`);

    // Facebook takes scope comma-separated (the guide's form); spaces are tolerated as its dialog does.
    const scopes = (params.get('scope') ?? '').split(/[,\s]+/).filter(Boolean);
    const unknown = scopes.filter((scope) => !(scope in PERMISSION_DESCRIPTIONS));
    if (unknown.length > 0) throw new DialogError(400, 'Invalid Scopes', `Invalid Scopes: ${unknown.join(', ')}. This message is only shown to developers.`);

    return { appId, redirectUri, scopes, state: params.get('state') ?? undefined, fields: [...params.entries()] };
  }

  /**
   * The person's answer in the dialog: where their browser goes next. `granted` is what they
   * left ticked (all requested scopes when not given).
   */
  decide(request: DialogRequest, decision: 'continue' | 'cancel', userId: string | undefined, granted: readonly string[] | undefined): string {
    const target = new URL(request.redirectUri);
    if (decision === 'cancel') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_code', '200');
      target.searchParams.set('error_description', 'Permissions error');
      target.searchParams.set('error_reason', 'user_denied');
    } else {
      const user = this.users.find((u) => u.id === userId);
      if (!user) throw new DialogError(400, 'Unknown user', `No Facebook user ${String(userId)} can log in here.`);
      const code = opaqueToken('', 48);
      const kept = request.scopes.filter((scope) => granted === undefined || granted.includes(scope));
      this.codes.set(code, { request, userId: user.id, granted: kept, expiresAt: Date.now() + CODE_TTL_MS, used: false });
      target.searchParams.set('code', code);
    }
    if (request.state !== undefined) target.searchParams.set('state', request.state);
    return target.toString();
  }

  /** `oauth/access_token`: the code exchange, or with `grant_type=fb_exchange_token` the long-lived exchange. */
  exchange(params: URLSearchParams): TokenResponse {
    this.authenticateApp(params);
    const grantType = params.get('grant_type');
    if (grantType === 'fb_exchange_token') return this.exchangeForLongLived(params);
    if (grantType !== null && grantType !== 'authorization_code') throw invalidParameter(`Unsupported grant_type: ${grantType}`);
    return this.exchangeCode(params);
  }

  /** The grant behind a token; Meta's code 104 or 190 otherwise. */
  authenticate(token: string | undefined): Grant {
    if (token === undefined) throw missingToken();
    const access = this.tokens.get(token);
    if (!access) throw invalidToken();
    if (access.grant.revoked) throw revokedToken(access.grant.appId);
    const now = Date.now();
    if (access.expiresAt <= now) throw expiredToken(access.expiresAt, now);
    return access.grant;
  }

  /** Fault: every token issued so far expires now. */
  expireAll(): void {
    const now = Date.now();
    for (const access of this.tokens.values()) access.expiresAt = Math.min(access.expiresAt, now);
  }

  /** The person removed the app (fault, or `DELETE /me/permissions`): `who` is their Facebook user id or an Instagram account of theirs. */
  revokeUser(who: string): void {
    const owner = this.users.find((u) => u.id === who || u.pages.some((p) => p.instagramAccount?.id === who));
    if (!owner) throw new Error(`no Facebook user or Instagram account ${who}`);
    for (const { grant } of this.tokens.values()) if (grant.userId === owner.id) grant.revoked = true;
  }

  /** Every token issued, in order, with its kind and standing, for the state endpoint. */
  report(): { token: string; kind: TokenKind; userId: string; expiresAt: string; revoked: boolean }[] {
    return [...this.tokens.entries()].map(([token, a]) => ({
      token,
      kind: a.kind,
      userId: a.grant.userId,
      expiresAt: new Date(a.expiresAt).toISOString(),
      revoked: a.grant.revoked,
    }));
  }

  private authenticateApp(params: URLSearchParams): void {
    const appId = params.get('client_id');
    if (!appId) throw new GraphError(400, 101, 'Missing client_id parameter.');
    if (appId !== this.app.appId) throw new GraphError(400, 101, 'Error validating application. Invalid application ID.');
    const secret = params.get('client_secret');
    if (!secret) throw new GraphError(400, 1, 'Missing client_secret parameter.');
    if (!sameSecret(secret, this.app.appSecret)) throw new GraphError(400, 1, 'Error validating client secret.');
  }

  private exchangeCode(params: URLSearchParams): TokenResponse {
    const code = params.get('code');
    if (!code) throw invalidParameter('Missing authorization code');
    const redirectUri = params.get('redirect_uri');
    if (redirectUri === null) throw invalidParameter('Missing redirect_uri parameter.');
    const entry = this.codes.get(code);
    if (!entry) throw invalidParameter('Invalid verification code format.', 36007);
    // A code is redeemed by its first presentation, good or bad, so a leaked code cannot be tried twice.
    const firstUse = !entry.used;
    entry.used = true;
    if (!firstUse) throw invalidParameter('This authorization code has been used.', 36009);
    if (entry.expiresAt <= Date.now()) throw invalidParameter('This authorization code has expired.', 36007);
    if (redirectUri !== entry.request.redirectUri) {
      throw invalidParameter('Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request', 36008);
    }
    const granted = [ALWAYS_GRANTED, ...entry.granted.filter((s) => s !== ALWAYS_GRANTED)];
    const declined = entry.request.scopes.filter((s) => !granted.includes(s));
    return this.issue({ appId: this.app.appId, userId: entry.userId, granted, declined, revoked: false }, 'short');
  }

  private exchangeForLongLived(params: URLSearchParams): TokenResponse {
    const token = params.get('fb_exchange_token');
    if (!token) throw invalidParameter('Missing fb_exchange_token parameter.');
    // The same checks as any call: an expired or revoked token cannot be exchanged.
    return this.issue(this.authenticate(token), 'long');
  }

  private issue(grant: Grant, kind: TokenKind): TokenResponse {
    const token = `EAA${randomBytes(60).toString('base64url').replace(/[-_]/g, '')}`;
    const ttl = this.ttlSeconds[kind];
    this.tokens.set(token, { grant, kind, expiresAt: Date.now() + ttl * 1000 });
    return { access_token: token, token_type: 'bearer', expires_in: ttl };
  }
}

/** Throws code 10 unless the grant holds `permission`. */
export function requirePermission(grant: Grant, permission: string): void {
  if (!grant.granted.includes(permission)) throw missingPermission(permission);
}

/** The person's Instagram professional accounts, through their Pages. */
export function instagramAccountsOf(user: FacebookUser): InstagramAccount[] {
  return user.pages.flatMap((page) => (page.instagramAccount ? [page.instagramAccount] : []));
}
