/**
 * Connected accounts against the local YouTube, without Temporal: consent and callback,
 * refresh before expiry, and a refusal that marks `needs_reconnect` until a reconnect.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config';
import { Account } from '../../database/entities';
import { openDatabase, type Orm } from '../../database/orm';
import { createSecretBox } from '../../database/secrets';
import { startYouTubeStandIn, type YouTubeStandIn } from '../../stand-ins/youtube/server';
import { getApiPlatform, platformOptions } from '../registry';
import { createConnectionStore, type ConnectionStore } from './connections';
import { ReauthorizeError } from './errors';
import { approveConsent } from '../../stand-ins/youtube/consent';

const CLIENT = { id: 'connections-test.apps.googleusercontent.com', secret: 'GOCSPX-connections-test' };

describe('connected accounts (local YouTube)', () => {
  let dir: string;
  let orm: Orm;
  let youtube: YouTubeStandIn;
  let store: ConnectionStore;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-connections-'));
    orm = await openDatabase({ driver: 'sqlite', dbName: path.join(dir, 'db.sqlite'), secretsKeyFile: path.join(dir, 'secrets.key') });
    // Tokens live 30 s: less than the refresh margin, so every use refreshes first.
    youtube = await startYouTubeStandIn({ clientId: CLIENT.id, clientSecret: CLIENT.secret, accessTokenTtlSeconds: 30 });
    const config = loadConfig({
      YOUTUBE_CLIENT_ID: CLIENT.id,
      YOUTUBE_CLIENT_SECRET: CLIENT.secret,
      YOUTUBE_AUTH_URL: youtube.authUrl,
      YOUTUBE_TOKEN_URL: youtube.tokenUrl,
      YOUTUBE_API_ROOT_URL: youtube.apiRootUrl,
    });
    store = createConnectionStore({
      orm,
      secrets: createSecretBox(randomBytes(32).toString('base64')),
      stateTtlSeconds: 600,
      platform: (name) => getApiPlatform(name, platformOptions(config)),
    });
  });
  after(async () => {
    await youtube?.close();
    await orm?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Connect as a person does: consent URL, Allow on the first channel, the callback's query. */
  async function connect(accountId: string): Promise<URLSearchParams> {
    const em = orm.em.fork();
    if (!(await em.findOne(Account, accountId))) {
      em.create(Account, { id: accountId, platform: 'youtube', username: accountId, passwordEnc: '' });
      await em.flush();
    }
    const { consentUrl } = await store.begin(accountId);
    const query = (await approveConsent(consentUrl, { channel: 'UC_demo_channel_0001' })).searchParams;
    await store.complete('youtube', { code: query.get('code') ?? undefined, state: query.get('state') ?? undefined });
    return query;
  }

  const issuedAccessTokens = async () => ((await (await fetch(`${youtube.url}/_stand-in/state`)).json()) as { tokens: { access: string[] } }).tokens.access.length;

  it('refreshes a token about to expire before using it', async () => {
    await connect('fresh');
    const before = await issuedAccessTokens();
    await store.authorized('fresh');
    assert.equal(await issuedAccessTokens(), before + 1, 'a new access token was fetched before the request');
  });

  it('a state works once', async () => {
    const query = await connect('once');
    await assert.rejects(store.complete('youtube', { code: query.get('code')!, state: query.get('state')! }), /already used or is unknown/);
  });

  it('a refused refresh token marks the account needs_reconnect; a later connect clears it', async () => {
    await connect('revoked');
    await fetch(`${youtube.url}/_stand-in/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ revokeRefreshTokensOf: 'UC_demo_channel_0001' }),
    });
    await assert.rejects(store.authorized('revoked'), (err: unknown) => err instanceof ReauthorizeError && /invalid_grant/.test(err.message));
    assert.equal((await store.views(['revoked'])).get('revoked')?.status, 'needs_reconnect');
    await fetch(`${youtube.url}/_stand-in/faults`, { method: 'DELETE' });
    await connect('revoked');
    assert.equal((await store.views(['revoked'])).get('revoked')?.status, 'connected');
    await store.authorized('revoked');
  });
});
