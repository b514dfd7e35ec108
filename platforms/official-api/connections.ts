/**
 * Connected accounts: the OAuth consent round trip (a single-use `state` bound to the
 * account, PKCE), the tokens it yields (encrypted at rest, refreshed before they expire and
 * once on a 401), and `needs_reconnect` when the provider refuses the refresh token. Tokens
 * never leave this module except in the Authorization header of a request to the provider.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FilterQuery } from '@mikro-orm/core';
import { Account, OAuthConnection, OAuthState, type ConnectionStatus } from '../../database/entities';
import type { Orm } from '../../database/orm';
import type { SecretBox } from '../../database/secrets';
import { platformKind } from '../../contracts/platforms';
import type { ApiPlatform, AuthorizedHttp, AuthorizedRequestInit, ConnectedIdentity } from './api-platform';
import { PlatformNotConfiguredError, ReauthorizeError } from './errors';
import { OAuthGrantError, consentUrl, exchangeCode, grantedScopes, newState, pkcePair, refreshTokens, type OAuthClientSettings, type TokenSet } from './oauth';

/** Refresh this long before the access token expires, so no request carries one that dies in flight. */
const REFRESH_MARGIN_MS = 60_000;
/**
 * A refused refresh token is looked at again after this long before the account is marked
 * `needs_reconnect`: where a provider rotates refresh tokens (TikTok), another process may
 * have just used it and be writing the new one.
 */
const ROTATION_GRACE_MS = 1_500;

/** Why a connect could not start or finish, with the HTTP status the API answers. */
export class ConnectError extends Error {
  override name = 'ConnectError';
  constructor(
    readonly status: 400 | 404 | 409 | 502 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** What the API and the dashboard show of a connection: never a token. */
export interface ConnectionView {
  status: ConnectionStatus;
  /** Who the account acts as on the platform, e.g. a channel's title. */
  externalName: string | null;
  externalId: string | null;
  connectedAt: string;
  /** Why it must be reconnected, in the provider's words. */
  lastError: string | null;
}

export interface ConnectionStore {
  /** Starts connecting an account: the provider's consent URL, whose `state` works once and until `expiresAt`. */
  begin(accountId: string): Promise<{ consentUrl: string; expiresAt: Date }>;
  /** Finishes a consent round trip from the callback's query; the state is used up whatever happens. */
  complete(platform: string, query: { code?: string; state?: string; error?: string }): Promise<{ accountId: string; externalName: string }>;
  /** Requests as the account; throws ReauthorizeError when it is not connected or must reconnect. */
  authorized(accountId: string): Promise<AuthorizedHttp>;
  /** Who a connected account is on its platform; throws ReauthorizeError when it is not connected. */
  identity(accountId: string): Promise<ConnectedIdentity>;
  /** Refreshes the account's access token now (the doctor's check); the new token's expiry, or ReauthorizeError. */
  refreshNow(accountId: string): Promise<{ expiresAt: Date; refreshed: boolean }>;
  /** Marks an account `needs_reconnect` (e.g. its grant lacks a permission uploading needs). */
  markNeedsReconnect(accountId: string, reason: string): Promise<void>;
  /** The connections of these accounts, by account id. */
  views(accountIds: string[]): Promise<Map<string, ConnectionView>>;
}

export interface ConnectionStoreDeps {
  orm: Orm;
  secrets: SecretBox;
  stateTtlSeconds: number;
  /** The API platform of a name (throws for a name that is not one). */
  platform(name: string): ApiPlatform;
}

function send(url: string, init: AuthorizedRequestInit = {}, token: string): Promise<Response> {
  const body = typeof init.body === 'function' ? init.body() : init.body;
  return fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...init.headers, authorization: `${init.authScheme ?? 'Bearer'} ${token}` },
    body,
    signal: init.signal,
    // A stream body goes out as it is read (Node's fetch asks to be told).
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

function stateId(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

/** Builds the store over the database and the secret box. */
export function createConnectionStore(deps: ConnectionStoreDeps): ConnectionStore {
  const { orm, secrets } = deps;
  /** One refresh at a time per account in this process: concurrent uploads share its result. */
  const refreshing = new Map<string, Promise<string>>();

  function clientOf(platform: ApiPlatform): OAuthClientSettings {
    if (!platform.oauth) throw new PlatformNotConfiguredError(platform.name, platform.settings);
    return platform.oauth;
  }

  function seal(connection: OAuthConnection, tokens: TokenSet): void {
    connection.accessTokenEnc = secrets.encrypt(tokens.accessToken);
    if (tokens.refreshToken) connection.refreshTokenEnc = secrets.encrypt(tokens.refreshToken);
    connection.accessTokenExpiresAt = tokens.expiresAt;
    connection.scope = tokens.scope;
  }

  /** A valid access token for the account, refreshed first when it expires soon (or `force`). */
  async function accessToken(accountId: string, force: boolean): Promise<string> {
    const connection = await orm.em.fork().findOne(OAuthConnection, { accountId });
    if (!connection) throw new ReauthorizeError(accountId, 'it was never connected');
    if (connection.status === 'needs_reconnect') throw new ReauthorizeError(accountId, connection.lastError ?? 'its authorization was revoked');
    if (!force && connection.accessTokenExpiresAt.getTime() - REFRESH_MARGIN_MS > Date.now()) {
      return secrets.decrypt(connection.accessTokenEnc, `the access token of account ${accountId}`);
    }
    const running = refreshing.get(accountId);
    if (running) return running;
    const refresh = refreshWith(connection).finally(() => refreshing.delete(accountId));
    refreshing.set(accountId, refresh);
    return refresh;
  }

  /**
   * Refreshes with the connection's refresh token as read. Every write is conditional on
   * that token still being the stored one: a person who reconnected meanwhile (a new grant)
   * is never overwritten, nor marked `needs_reconnect` for the old grant's refusal.
   */
  async function refreshWith(connection: OAuthConnection): Promise<string> {
    const { accountId } = connection;
    const platform = deps.platform(connection.platform);
    const usedEnc = connection.refreshTokenEnc;
    const sameGrant = { accountId, refreshTokenEnc: usedEnc ?? null };
    if (!usedEnc) {
      const reason = 'the access token expired and no refresh token was granted';
      await markNeedsReconnect(accountId, reason, sameGrant);
      throw new ReauthorizeError(accountId, reason);
    }
    let tokens: TokenSet;
    try {
      tokens = await refreshTokens(clientOf(platform), secrets.decrypt(usedEnc, `the refresh token of account ${accountId}`));
    } catch (err) {
      if (err instanceof OAuthGrantError && err.error === 'invalid_client') {
        throw new PlatformNotConfiguredError(platform.name, `${platform.settings} correctly (${platform.name} refused the client: invalid_client)`);
      }
      // invalid_grant: revoked, expired, or the password changed. Nothing but a person can fix it.
      if (err instanceof OAuthGrantError && (err.error === 'invalid_grant' || err.error === 'unauthorized_client')) {
        await sleep(ROTATION_GRACE_MS);
        const now = await orm.em.fork().findOne(OAuthConnection, { accountId });
        if (now && now.refreshTokenEnc !== usedEnc && now.status === 'connected') return accessToken(accountId, false);
        const reason = `${platform.name} refused its refresh token: ${err.error}${err.description ? `, ${err.description}` : ''}`;
        const marked = await markNeedsReconnect(accountId, reason, sameGrant);
        // Not marked: a new grant arrived while this refresh ran; use it.
        if (!marked) return accessToken(accountId, false);
        throw new ReauthorizeError(accountId, reason);
      }
      throw err;
    }
    seal(connection, tokens);
    await orm.em.fork().nativeUpdate(OAuthConnection, sameGrant, {
      accessTokenEnc: connection.accessTokenEnc,
      refreshTokenEnc: connection.refreshTokenEnc,
      accessTokenExpiresAt: connection.accessTokenExpiresAt,
      scope: connection.scope,
      updatedAt: new Date(),
    });
    return tokens.accessToken;
  }

  /** Marks the connection (only the grant in `where`, when given); true when a row changed. */
  async function markNeedsReconnect(accountId: string, reason: string, where: FilterQuery<OAuthConnection> = { accountId }): Promise<boolean> {
    return (await orm.em.fork().nativeUpdate(OAuthConnection, where, { status: 'needs_reconnect', lastError: reason, updatedAt: new Date() })) > 0;
  }

  /** Requests with a token that is looked up (and refreshed when due) for each request, and once more after a 401. */
  function httpAs(accountId: string): AuthorizedHttp {
    return {
      async fetch(url, init = {}) {
        const first = await send(url, init, await accessToken(accountId, false));
        if (first.status !== 401) return first;
        // Without a refresh token (Meta's 60-day tokens) there is nothing to refresh: the
        // platform's own error says whether the grant is gone.
        const connection = await orm.em.fork().findOne(OAuthConnection, { accountId });
        if (!connection?.refreshTokenEnc) return first;
        // An access token can die before its time (revoked, rotated, clock skew): refresh once and send again.
        await first.body?.cancel();
        return send(url, init, await accessToken(accountId, true));
      },
    };
  }

  /** Requests with one fixed token: a grant not stored yet (while connecting). */
  function httpWith(token: string): AuthorizedHttp {
    return { fetch: (url, init = {}) => send(url, init, token) };
  }

  return {
    async begin(accountId) {
      const em = orm.em.fork();
      const account = await em.findOne(Account, accountId);
      if (!account) throw new ConnectError(404, `no account "${accountId}"`);
      if (platformKind(account.platform) !== 'api') {
        throw new ConnectError(
          409,
          `account "${accountId}" is on ${account.platform}, a browser platform: it signs in with its username and password, there is nothing to connect`,
        );
      }
      const platform = deps.platform(account.platform);
      if (!platform.oauth) throw new ConnectError(503, new PlatformNotConfiguredError(platform.name, platform.settings).message);
      const state = newState();
      const pkce = pkcePair();
      const expiresAt = new Date(Date.now() + deps.stateTtlSeconds * 1000);
      // Old, unused states of any account go now: they could never be used anyway.
      await em.nativeDelete(OAuthState, { expiresAt: { $lt: new Date() } });
      em.create(OAuthState, { id: stateId(state), accountId, platform: platform.name, codeVerifierEnc: secrets.encrypt(pkce.verifier), expiresAt });
      await em.flush();
      return { consentUrl: consentUrl(platform.oauth, { state, codeChallenge: pkce.challenge }), expiresAt };
    },

    async complete(platformName, query) {
      if (!query.state) throw new ConnectError(400, 'the callback has no state: start again from the Connect button');
      const em = orm.em.fork();
      const id = stateId(query.state);
      const pending = await em.findOne(OAuthState, id);
      // Deleting is the claim: of two callbacks with one state, only the one that deletes the row goes on.
      const claimed = pending ? await em.nativeDelete(OAuthState, { id }) : 0;
      if (!pending || claimed === 0) throw new ConnectError(400, 'this consent link was already used or is unknown: start again from the Connect button');
      if (pending.platform !== platformName) throw new ConnectError(400, `this consent was started for ${pending.platform}, not ${platformName}`);
      if (pending.expiresAt.getTime() < Date.now()) throw new ConnectError(400, 'this consent link expired: start again from the Connect button');
      if (query.error) throw new ConnectError(400, `${platformName} did not grant access (${query.error}); account ${pending.accountId} is unchanged`);
      if (!query.code) throw new ConnectError(400, 'the callback has neither a code nor an error');
      const platform = deps.platform(platformName);
      let tokens: TokenSet;
      try {
        tokens = await exchangeCode(clientOf(platform), query.code, secrets.decrypt(pending.codeVerifierEnc, 'the PKCE verifier'));
      } catch (err) {
        if (err instanceof OAuthGrantError) throw new ConnectError(400, `${err.message}: start again from the Connect button`);
        throw new ConnectError(502, `${platformName}: could not exchange the code: ${(err as Error).message}`);
      }
      const client = clientOf(platform);
      const granted = grantedScopes(tokens.scope);
      const missing = (client.requiredScopes ?? client.scopes).filter((scope) => !granted.includes(scope));
      if (missing.length) {
        throw new ConnectError(
          400,
          `${platformName}: access was granted without ${missing.join(' and ')}; connect again and leave every permission ticked. Account ${pending.accountId} is unchanged`,
        );
      }
      const identity = await platform.identify(httpWith(tokens.accessToken)).catch((err: unknown) => {
        throw new ConnectError(502, `${platformName}: connected, but could not read who the account is: ${(err as Error).message}`);
      });
      const existing = await em.findOne(OAuthConnection, { accountId: pending.accountId });
      const connection =
        existing ?? em.create(OAuthConnection, { accountId: pending.accountId, platform: platformName, accessTokenEnc: '', accessTokenExpiresAt: tokens.expiresAt, scope: '' });
      // A new grant replaces the old one entirely: a refresh token from before is not kept.
      connection.refreshTokenEnc = null;
      seal(connection, tokens);
      Object.assign(connection, { status: 'connected', externalId: identity.id, externalName: identity.name, lastError: null, connectedAt: new Date() });
      await em.flush();
      return { accountId: pending.accountId, externalName: identity.name };
    },

    async authorized(accountId) {
      // Looked up now, so an account that must reconnect fails before any work starts.
      await accessToken(accountId, false);
      return httpAs(accountId);
    },

    async identity(accountId) {
      const connection = await orm.em.fork().findOne(OAuthConnection, { accountId });
      if (!connection || connection.status !== 'connected') throw new ReauthorizeError(accountId, connection?.lastError ?? 'it was never connected');
      return { id: connection.externalId ?? '', name: connection.externalName ?? '' };
    },

    async refreshNow(accountId) {
      const connection = await orm.em.fork().findOne(OAuthConnection, { accountId });
      if (!connection) throw new ReauthorizeError(accountId, 'it was never connected');
      // A grant without a refresh token (Meta's 60-day tokens) is checked by using it, not refreshed.
      const refreshed = Boolean(connection.refreshTokenEnc);
      await accessToken(accountId, refreshed);
      const after = await orm.em.fork().findOneOrFail(OAuthConnection, { accountId });
      return { expiresAt: after.accessTokenExpiresAt, refreshed };
    },

    async markNeedsReconnect(accountId, reason) {
      await markNeedsReconnect(accountId, reason);
    },

    async views(accountIds) {
      const rows = accountIds.length ? await orm.em.fork().find(OAuthConnection, { accountId: { $in: accountIds } }) : [];
      return new Map(
        rows.map((c) => [
          c.accountId,
          { status: c.status, externalName: c.externalName ?? null, externalId: c.externalId ?? null, connectedAt: c.connectedAt.toISOString(), lastError: c.lastError ?? null },
        ]),
      );
    },
  };
}
