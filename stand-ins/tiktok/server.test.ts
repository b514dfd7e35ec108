/**
 * The TikTok stand-in speaks TikTok's published protocol: driven here with plain fetch, exactly
 * as the Login Kit and Content Posting API docs describe the requests, with no clipfleet client
 * code in between.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tiktokFaults, tiktokState } from '../../test/fixtures/tiktok';
import { decodeHtml, mp4Like, pkcePair, sha256 } from '../shared/testing';
import { approveConsent } from './consent';
import { MB } from './posts';
import { startTikTokStandIn, type TikTokStandIn, type TikTokStandInOptions } from './server';

const CLIENT_KEY = 'clipfleet-test-client-key';
const CLIENT_SECRET = 'stand-in-test-secret';
const REDIRECT_URI = 'http://127.0.0.1:3000/oauth/callback/tiktok';
const ALL_SCOPES = 'user.info.basic,video.publish,video.upload';
const ALPHA = { openId: 'tt-open-alpha-0001', username: 'alpha.creator', displayName: 'Alpha Creator' };
const BETA = { openId: 'tt-open-beta-0002', username: 'beta.creator', displayName: 'Beta Creator', privacyLevelOptions: ['MUTUAL_FOLLOW_FRIENDS' as const, 'SELF_ONLY' as const] };
const PROCESSING_MS = 200;

interface TokenBody {
  access_token: string;
  expires_in: number;
  open_id: string;
  refresh_expires_in: number;
  refresh_token: string;
  scope: string;
  token_type: string;
}
interface Envelope<T> {
  data: T;
  error: { code: string; message: string; log_id: string };
}
interface StatusData {
  status: string;
  fail_reason?: string;
  publicaly_available_post_id: unknown[];
  uploaded_bytes: number;
}
type Source = { source: string; video_size?: number; chunk_size?: number; total_chunk_count?: number; video_url?: string };

const oneChunk = (size: number): Source => ({ source: 'FILE_UPLOAD', video_size: size, chunk_size: size, total_chunk_count: 1 });
const privatePost = { title: 'a #cat clip', privacy_level: 'SELF_ONLY', disable_duet: false, disable_comment: false, disable_stitch: false };

async function startStandIn(overrides: Partial<TikTokStandInOptions> = {}): Promise<TikTokStandIn> {
  return startTikTokStandIn({
    clientKey: CLIENT_KEY,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    users: [ALPHA, BETA],
    processingMs: PROCESSING_MS,
    ...overrides,
  });
}

function consentUrl(standIn: TikTokStandIn, params: Record<string, string> = {}): string {
  const url = new URL(standIn.authUrl);
  const defaults = { client_key: CLIENT_KEY, redirect_uri: REDIRECT_URI, response_type: 'code', scope: ALL_SCOPES, state: 'st-1' };
  for (const [key, value] of Object.entries({ ...defaults, ...params })) url.searchParams.set(key, value);
  return url.toString();
}

async function tokenRequest(standIn: TikTokStandIn, params: Record<string, string>): Promise<Response> {
  return fetch(standIn.tokenUrl, { method: 'POST', body: new URLSearchParams({ client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, ...params }) });
}

/** The whole connect flow for one account: consent with PKCE, then the code exchange. */
async function connect(standIn: TikTokStandIn, openId = ALPHA.openId, scope = ALL_SCOPES): Promise<TokenBody> {
  const { verifier, challenge } = pkcePair();
  const back = await approveConsent(consentUrl(standIn, { scope, code_challenge: challenge, code_challenge_method: 'S256' }), { openId });
  const res = await tokenRequest(standIn, { grant_type: 'authorization_code', code: back.searchParams.get('code') ?? '', redirect_uri: REDIRECT_URI, code_verifier: verifier });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as TokenBody;
}

async function api(standIn: TikTokStandIn, apiPath: string, token: string, body?: unknown): Promise<Response> {
  return fetch(`${standIn.apiRootUrl}${apiPath}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=UTF-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as Envelope<unknown>).error.code;
}

async function initDirect(standIn: TikTokStandIn, token: string, source: Source, postInfo: unknown = privatePost): Promise<Response> {
  return api(standIn, 'v2/post/publish/video/init/', token, { post_info: postInfo, source_info: source });
}

/** Init that must succeed: its publish_id and upload_url. */
async function opened(res: Response): Promise<{ publish_id: string; upload_url: string }> {
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as Envelope<{ publish_id: string; upload_url: string }>;
  assert.equal(body.error.code, 'ok');
  return body.data;
}

async function putChunk(uploadUrl: string, file: Buffer, first: number, end: number, contentType = 'video/mp4'): Promise<Response> {
  return fetch(uploadUrl, {
    method: 'PUT',
    headers: { 'content-type': contentType, 'content-range': `bytes ${first}-${end - 1}/${file.length}` },
    // A copy: fetch's body type wants a plain ArrayBuffer view, which a Buffer slice is not typed as.
    body: new Uint8Array(file.subarray(first, end)),
  });
}

async function fetchStatus(standIn: TikTokStandIn, token: string, publishId: string): Promise<{ data: StatusData; raw: string }> {
  const res = await api(standIn, 'v2/post/publish/status/fetch/', token, { publish_id: publishId });
  const raw = await res.text();
  assert.equal(res.status, 200, raw);
  return { data: (JSON.parse(raw) as Envelope<StatusData>).data, raw };
}

/** Polls status until processing is over, as a client does. */
async function settled(standIn: TikTokStandIn, token: string, publishId: string): Promise<{ data: StatusData; raw: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await fetchStatus(standIn, token, publishId);
    if (answer.data.status !== 'PROCESSING_UPLOAD') return answer;
    assert.ok(Date.now() < deadline, `${publishId} still processing after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Direct-posts a small file in one chunk and waits for the outcome. */
async function postSmall(standIn: TikTokStandIn, token: string, file: Buffer, postInfo: unknown = privatePost): Promise<{ publishId: string; data: StatusData; raw: string }> {
  const { publish_id, upload_url } = await opened(await initDirect(standIn, token, oneChunk(file.length), postInfo));
  const put = await putChunk(upload_url, file, 0, file.length);
  assert.equal(put.status, 201, await put.clone().text());
  return { publishId: publish_id, ...(await settled(standIn, token, publish_id)) };
}

let standIn: TikTokStandIn;
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tiktok-stand-in-test-'));
  // Validation tests call init far more often than TikTok's 6 a minute; the rate-limit suite tests the limit.
  standIn = await startStandIn({ initPerMinute: 1000, statusFetchPerMinute: 10_000, maxPendingShares: 1000, dataDir });
});

after(async () => {
  await standIn.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('Login Kit consent and tokens', () => {
  test('consent with PKCE gives a code that buys a token set for the chosen account, once', async () => {
    const { verifier, challenge } = pkcePair();
    const back = await approveConsent(consentUrl(standIn, { state: 'xyz-123', code_challenge: challenge, code_challenge_method: 'S256' }), { openId: BETA.openId });
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'xyz-123');
    assert.equal(back.searchParams.get('scopes'), ALL_SCOPES);
    const exchange = { grant_type: 'authorization_code', code: back.searchParams.get('code') ?? '', redirect_uri: REDIRECT_URI, code_verifier: verifier };
    const res = await tokenRequest(standIn, exchange);
    assert.equal(res.status, 200);
    const tokens = (await res.json()) as TokenBody;
    assert.equal(tokens.open_id, BETA.openId);
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 86_400);
    assert.equal(tokens.scope, ALL_SCOPES);
    assert.ok(tokens.refresh_expires_in > 364 * 86_400);
    assert.match(tokens.access_token, /^act\./);
    assert.match(tokens.refresh_token, /^rft\./);

    const reuse = await tokenRequest(standIn, exchange);
    assert.equal(reuse.status, 400);
    assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');
  });

  test('a wrong code verifier is refused with invalid_grant and a log_id', async () => {
    const { challenge } = pkcePair();
    const back = await approveConsent(consentUrl(standIn, { code_challenge: challenge, code_challenge_method: 'S256' }));
    const res = await tokenRequest(standIn, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT_URI,
      code_verifier: pkcePair().verifier,
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; error_description: string; log_id: string };
    assert.equal(body.error, 'invalid_grant');
    assert.match(body.log_id, /^\d{14}[0-9A-F]+$/);
  });

  test('the page lists each scope and account; Cancel sends the person back with error=access_denied and the state', async () => {
    const page = await fetch(consentUrl(standIn, { state: 's<t>' }));
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Directly post content to your TikTok profile/);
    assert.match(html, /<option value="tt-open-beta-0002">Beta Creator \(@beta\.creator\)<\/option>/);
    const form = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) form.append(decodeHtml(name!), decodeHtml(value!));
    form.set('user', ALPHA.openId);
    form.set('decision', 'deny');
    const action = decodeHtml(/<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '');
    const res = await fetch(new URL(action, standIn.url), { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location') ?? '');
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.ok(back.searchParams.get('error_description'));
    assert.equal(back.searchParams.get('state'), 's<t>');
    assert.equal(back.searchParams.get('code'), null);
  });

  test('an unknown client_key or an unregistered redirect_uri gets an error page, not a redirect; a bad scope goes back as invalid_scope', async () => {
    const foreign: Record<string, string>[] = [{ client_key: 'someone-else' }, { redirect_uri: 'http://127.0.0.1:3000/elsewhere' }];
    for (const params of foreign) {
      const res = await fetch(consentUrl(standIn, params), { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /id="error"/);
    }
    const res = await fetch(consentUrl(standIn, { scope: 'user.info.basic,video.delete' }), { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(new URL(res.headers.get('location') ?? '').searchParams.get('error'), 'invalid_scope');
  });

  test('an unticked scope is not granted, and the API then answers 401 scope_not_authorized', async () => {
    const back = await approveConsent(consentUrl(standIn), { scopes: ['video.upload'] });
    assert.equal(back.searchParams.get('scopes'), 'user.info.basic,video.upload');
    const res = await tokenRequest(standIn, { grant_type: 'authorization_code', code: back.searchParams.get('code') ?? '', redirect_uri: REDIRECT_URI });
    const tokens = (await res.json()) as TokenBody;
    assert.equal(tokens.scope, 'user.info.basic,video.upload');
    const init = await initDirect(standIn, tokens.access_token, oneChunk(1000));
    assert.equal(init.status, 401);
    assert.equal(await errorCode(init), 'scope_not_authorized');
  });

  test('a wrong client secret is 401 invalid_client', async () => {
    const res = await fetch(standIn.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ client_key: CLIENT_KEY, client_secret: 'wrong', grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });

  test('a refresh rotates the refresh token: a new pair works, the old refresh token is invalid_grant', async () => {
    const first = await connect(standIn);
    const res = await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(res.status, 200);
    const second = (await res.json()) as TokenBody;
    assert.notEqual(second.access_token, first.access_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.open_id, ALPHA.openId);
    assert.equal(second.scope, ALL_SCOPES);
    assert.equal((await api(standIn, 'v2/post/publish/creator_info/query/', second.access_token)).status, 200);

    const again = await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, 'invalid_grant');
    assert.equal((await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: second.refresh_token })).status, 200);
  });

  test('with a grace period, a rotated-out refresh token works until the grace ends', async () => {
    const graceful = await startStandIn({ refreshGraceMs: 300 });
    try {
      const first = await connect(graceful);
      assert.equal((await tokenRequest(graceful, { grant_type: 'refresh_token', refresh_token: first.refresh_token })).status, 200);
      assert.equal((await tokenRequest(graceful, { grant_type: 'refresh_token', refresh_token: first.refresh_token })).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 350));
      assert.equal((await tokenRequest(graceful, { grant_type: 'refresh_token', refresh_token: first.refresh_token })).status, 400);
    } finally {
      await graceful.close();
    }
  });

  test('revoke ends the grant: the access token is 401 access_token_invalid, the refresh token invalid_grant', async () => {
    const tokens = await connect(standIn);
    const revoke = await fetch(`${standIn.apiRootUrl}v2/oauth/revoke/`, {
      method: 'POST',
      body: new URLSearchParams({ client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, token: tokens.access_token }),
    });
    assert.equal(revoke.status, 200);
    const info = await api(standIn, 'v2/post/publish/creator_info/query/', tokens.access_token);
    assert.equal(info.status, 401);
    assert.equal(await errorCode(info), 'access_token_invalid');
    const refresh = await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant');
  });

  test('user info answers basic fields with user.info.basic; username needs user.info.profile (400 scope_permission_missed)', async () => {
    const tokens = await connect(standIn);
    const get = (fields: string, token = tokens.access_token): Promise<Response> =>
      fetch(`${standIn.apiRootUrl}v2/user/info/?fields=${fields}`, { headers: { authorization: `Bearer ${token}` } });
    const basic = await get('open_id,union_id,avatar_url,display_name');
    assert.equal(basic.status, 200);
    const body = (await basic.json()) as Envelope<{ user: Record<string, string> }>;
    assert.equal(body.error.code, 'ok');
    assert.equal(body.data.user.open_id, ALPHA.openId);
    assert.equal(body.data.user.display_name, ALPHA.displayName);

    const withUsername = await get('open_id,display_name,username');
    assert.equal(withUsername.status, 400);
    assert.equal(await errorCode(withUsername), 'scope_permission_missed');
    const profile = await connect(standIn, ALPHA.openId, 'user.info.basic,user.info.profile');
    const named = (await (await get('open_id,display_name,username', profile.access_token)).json()) as Envelope<{ user: Record<string, string> }>;
    assert.equal(named.data.user.username, ALPHA.username);
  });
});

describe('creator info and init validation', () => {
  let token: string;
  before(async () => {
    token = (await connect(standIn)).access_token;
  });

  test("creator info carries the account's options in the docs' shape", async () => {
    const res = await api(standIn, 'v2/post/publish/creator_info/query/', token);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Envelope<Record<string, unknown>>;
    assert.equal(body.error.code, 'ok');
    assert.deepEqual(
      { ...body.data, creator_avatar_url: typeof body.data.creator_avatar_url },
      {
        creator_avatar_url: 'string',
        creator_username: ALPHA.username,
        creator_nickname: ALPHA.displayName,
        privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'],
        comment_disabled: false,
        duet_disabled: false,
        stitch_disabled: false,
        max_video_post_duration_sec: 600,
      },
    );
  });

  test('the chunk rules of the Media Transfer Guide, MB being 1024 * 1024 bytes', async () => {
    const accepted: Source[] = [
      oneChunk(5 * MB - 1),
      oneChunk(5 * MB),
      oneChunk(64 * MB),
      { source: 'FILE_UPLOAD', video_size: 64 * MB + 1, chunk_size: 32 * MB, total_chunk_count: 2 },
      { source: 'FILE_UPLOAD', video_size: 200 * MB, chunk_size: 64 * MB, total_chunk_count: 3 },
      { source: 'FILE_UPLOAD', video_size: 50_000_123, chunk_size: 10_000_000, total_chunk_count: 5 },
    ];
    for (const source of accepted) assert.equal((await initDirect(standIn, token, source)).status, 200, JSON.stringify(source));

    const refused: [Source, RegExp][] = [
      [{ source: 'FILE_UPLOAD', video_size: 4 * MB, chunk_size: 2 * MB, total_chunk_count: 2 }, /chunk_size must equal video_size/],
      [{ source: 'FILE_UPLOAD', video_size: 4 * MB, chunk_size: 4 * MB, total_chunk_count: 2 }, /total_chunk_count must be 1/],
      [{ source: 'FILE_UPLOAD', video_size: 20 * MB, chunk_size: 5 * MB - 1, total_chunk_count: 4 }, /chunk_size must be between/],
      [{ source: 'FILE_UPLOAD', video_size: 200 * MB, chunk_size: 64 * MB + 1, total_chunk_count: 3 }, /chunk_size must be between/],
      [{ source: 'FILE_UPLOAD', video_size: 50_000_123, chunk_size: 10_000_000, total_chunk_count: 6 }, /total_chunk_count must be video_size \/ chunk_size rounded down \(5\)/],
      [{ source: 'FILE_UPLOAD', video_size: 64 * MB + 1, chunk_size: 64 * MB, total_chunk_count: 1 }, /multiple chunks/],
      [{ source: 'FILE_UPLOAD', video_size: 4096 * MB + 1, chunk_size: 64 * MB, total_chunk_count: 64 }, /over the 4 GB maximum/],
      [{ source: 'FILE_UPLOAD', video_size: 10 * MB, total_chunk_count: 2 }, /source_info\.chunk_size is required/],
      [{ source: 'FILE_UPLOAD', video_size: -1, chunk_size: 1, total_chunk_count: 1 }, /source_info\.video_size must be a positive integer/],
    ];
    for (const [source, message] of refused) {
      const res = await initDirect(standIn, token, source);
      assert.equal(res.status, 400, JSON.stringify(source));
      const body = (await res.json()) as Envelope<unknown>;
      assert.equal(body.error.code, 'invalid_param');
      assert.match(body.error.message, message);
    }
  });

  test('PULL_FROM_URL is refused as an unverified URL (403 url_ownership_unverified)', async () => {
    const res = await initDirect(standIn, token, { source: 'PULL_FROM_URL', video_url: 'https://example.com/a.mp4' });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'url_ownership_unverified');
  });

  test('a privacy level outside the creator options, or none, is 403 privacy_level_option_mismatch', async () => {
    const beta = (await connect(standIn, BETA.openId)).access_token;
    for (const postInfo of [{ ...privatePost, privacy_level: 'FOLLOWER_OF_CREATOR' }, { title: 'no level' }]) {
      const res = await initDirect(standIn, beta, oneChunk(1000), postInfo);
      assert.equal(res.status, 403);
      assert.equal(await errorCode(res), 'privacy_level_option_mismatch');
    }
  });

  test('an unaudited client may post SELF_ONLY only: anything else is 403 unaudited_client_can_only_post_to_private_accounts', async () => {
    const res = await initDirect(standIn, token, oneChunk(1000), { ...privatePost, privacy_level: 'PUBLIC_TO_EVERYONE' });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'unaudited_client_can_only_post_to_private_accounts');
    assert.equal((await initDirect(standIn, token, oneChunk(1000))).status, 200);
  });

  test('a title over 2200 UTF-16 units is invalid_param naming post_info.title', async () => {
    const res = await initDirect(standIn, token, oneChunk(1000), { ...privatePost, title: 'x'.repeat(2201) });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as Envelope<unknown>).error.message, /post_info\.title/);
  });
});

describe('upload and status', () => {
  let token: string;
  before(async () => {
    token = (await connect(standIn)).access_token;
  });

  test('chunks in order: 206, 416 for a chunk out of order or resent, 201 for the last; status runs to PUBLISH_COMPLETE with the file', async () => {
    const file = mp4Like(11 * MB);
    const plan = { source: 'FILE_UPLOAD', video_size: file.length, chunk_size: 5 * MB, total_chunk_count: 2 };
    const { publish_id, upload_url } = await opened(await initDirect(standIn, token, plan));
    assert.ok(upload_url.startsWith(`${standIn.url}/upload/?upload_id=`), upload_url);
    assert.equal((await fetchStatus(standIn, token, publish_id)).data.status, 'PROCESSING_UPLOAD');

    const early = await putChunk(upload_url, file, 5 * MB, file.length);
    assert.equal(early.status, 416);
    assert.equal(early.headers.get('content-range'), `bytes */${file.length}`);
    const firstChunk = await putChunk(upload_url, file, 0, 5 * MB);
    assert.equal(firstChunk.status, 206);
    assert.equal(firstChunk.headers.get('content-range'), `bytes 0-${5 * MB - 1}/${file.length}`);
    const progress = await fetchStatus(standIn, token, publish_id);
    assert.deepEqual([progress.data.status, progress.data.uploaded_bytes], ['PROCESSING_UPLOAD', 5 * MB]);
    assert.equal((await putChunk(upload_url, file, 0, 5 * MB)).status, 416);
    const last = await putChunk(upload_url, file, 5 * MB, file.length);
    assert.equal(last.status, 201);
    assert.equal(last.headers.get('content-range'), `bytes 0-${file.length - 1}/${file.length}`);

    const done = await settled(standIn, token, publish_id);
    assert.equal(done.data.status, 'PUBLISH_COMPLETE');
    assert.equal(done.data.uploaded_bytes, file.length);
    // A private post gets no public post id.
    assert.deepEqual(done.data.publicaly_available_post_id, []);
    const post = (await tiktokState(standIn)).posts.find((p) => p.publishId === publish_id);
    assert.equal(post?.sha256, sha256(file));
    assert.equal(post?.chunksReceived, 2);
    assert.equal(post?.mode, 'direct');
    assert.equal(post?.postInfo?.title, privatePost.title);
    const onDisk = await readFile(path.join(dataDir, `${new URL(upload_url).searchParams.get('upload_id')}.upload`));
    assert.equal(sha256(onDisk), sha256(file), 'the server holds the same bytes');
  });

  test('a public post of an audited client gets its post id, as a JSON int64 digit for digit', async () => {
    const audited = await startStandIn({ audited: true });
    try {
      const tokens = await connect(audited);
      const { raw, data } = await postSmall(audited, tokens.access_token, mp4Like(4096), { ...privatePost, privacy_level: 'PUBLIC_TO_EVERYONE' });
      assert.equal(data.status, 'PUBLISH_COMPLETE');
      const postId = (await tiktokState(audited)).posts[0]?.postId ?? '';
      assert.match(postId, /^7\d{18}$/);
      assert.ok(raw.includes(`"publicaly_available_post_id":[${postId}]`), raw);
    } finally {
      await audited.close();
    }
  });

  test('inbox mode ends SEND_TO_USER_INBOX; the sixth pending share in a day is 403 spam_risk_too_many_pending_share', async () => {
    const inboxOnly = await startStandIn({ maxPendingShares: 5, initPerMinute: 100 });
    try {
      const tokens = await connect(inboxOnly, ALPHA.openId, 'user.info.basic,video.upload');
      const file = mp4Like(2048);
      const init = (): Promise<Response> => api(inboxOnly, 'v2/post/publish/inbox/video/init/', tokens.access_token, { source_info: oneChunk(file.length) });
      const { publish_id, upload_url } = await opened(await init());
      assert.match(publish_id, /^v_inbox_file~/);
      assert.equal((await putChunk(upload_url, file, 0, file.length)).status, 201);
      assert.equal((await settled(inboxOnly, tokens.access_token, publish_id)).data.status, 'SEND_TO_USER_INBOX');
      assert.equal((await tiktokState(inboxOnly)).posts[0]?.mode, 'inbox');
      for (let i = 0; i < 4; i += 1) await opened(await init());
      const sixth = await init();
      assert.equal(sixth.status, 403);
      assert.equal(await errorCode(sixth), 'spam_risk_too_many_pending_share');
    } finally {
      await inboxOnly.close();
    }
  });

  test("an unknown publish_id is 400 invalid_publish_id; another user's is token_not_authorized_for_specified_publish_id", async () => {
    const unknown = await api(standIn, 'v2/post/publish/status/fetch/', token, { publish_id: 'v_pub_file~v2-1.0' });
    assert.equal(unknown.status, 400);
    assert.equal(await errorCode(unknown), 'invalid_publish_id');
    const { publish_id } = await opened(await initDirect(standIn, token, oneChunk(1000)));
    const beta = (await connect(standIn, BETA.openId)).access_token;
    const foreign = await api(standIn, 'v2/post/publish/status/fetch/', beta, { publish_id });
    assert.equal(await errorCode(foreign), 'token_not_authorized_for_specified_publish_id');
  });

  test('an upload_url past its lifetime is 403; an unknown one 404; a Content-Type other than video/* 400', async () => {
    const shortLived = await startStandIn({ uploadUrlTtlMs: 100 });
    try {
      const tokens = await connect(shortLived);
      const file = mp4Like(1000);
      const { upload_url } = await opened(await initDirect(shortLived, tokens.access_token, oneChunk(file.length)));
      assert.equal((await putChunk(upload_url, file, 0, file.length, 'application/octet-stream')).status, 400);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal((await putChunk(upload_url, file, 0, file.length)).status, 403);
      const other = new URL(upload_url);
      other.searchParams.set('upload_token', 'forged');
      assert.equal((await putChunk(other.toString(), file, 0, file.length)).status, 404);
    } finally {
      await shortLived.close();
    }
  });

  test('a file that is no video container ends FAILED with file_format_check_failed', async () => {
    const { data } = await postSmall(standIn, token, Buffer.alloc(4096, 7));
    assert.deepEqual([data.status, data.fail_reason], ['FAILED', 'file_format_check_failed']);
  });
});

describe('rate limits', () => {
  test('init is limited per access token across direct and inbox; the 429 says when to come back, and the window frees it', async () => {
    const strict = await startStandIn({ initPerMinute: 2, statusFetchPerMinute: 2, rateWindowMs: 1000 });
    try {
      const tokens = await connect(strict);
      const other = await connect(strict, BETA.openId);
      assert.equal((await initDirect(strict, tokens.access_token, oneChunk(1000))).status, 200);
      assert.equal((await api(strict, 'v2/post/publish/inbox/video/init/', tokens.access_token, { source_info: oneChunk(1000) })).status, 200);
      const third = await initDirect(strict, tokens.access_token, oneChunk(1000));
      assert.equal(third.status, 429);
      assert.equal(third.headers.get('retry-after'), '1');
      assert.equal(await errorCode(third), 'rate_limit_exceeded');
      assert.equal((await initDirect(strict, other.access_token, oneChunk(1000))).status, 200, 'another token has its own budget');
      await new Promise((resolve) => setTimeout(resolve, 1050));
      const { publish_id } = await opened(await initDirect(strict, tokens.access_token, oneChunk(1000)));
      const inits = (await tiktokState(strict)).inits.find((entry) => entry.accessToken === tokens.access_token);
      assert.equal(inits?.at.length, 3);
      assert.equal(inits?.openId, ALPHA.openId);

      await fetchStatus(strict, tokens.access_token, publish_id);
      await fetchStatus(strict, tokens.access_token, publish_id);
      const limited = await api(strict, 'v2/post/publish/status/fetch/', tokens.access_token, { publish_id });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    } finally {
      await strict.close();
    }
  });
});

describe('faults', () => {
  let tokens: TokenBody;
  before(async () => {
    tokens = await connect(standIn);
  });
  after(async () => {
    await tiktokFaults(standIn, null);
  });

  test('a connection cut mid-chunk keeps nothing of that chunk; the whole chunk resent completes the upload', async () => {
    const file = mp4Like(64 * 1024);
    const { publish_id, upload_url } = await opened(await initDirect(standIn, tokens.access_token, oneChunk(file.length)));
    const before = (await tiktokState(standIn)).uploadBytesReceived;
    await tiktokFaults(standIn, { cutAfterBytes: 10_000 });
    await assert.rejects(putChunk(upload_url, file, 0, file.length));
    const cut = (await tiktokState(standIn)).posts.find((p) => p.publishId === publish_id);
    assert.deepEqual([cut?.chunksReceived, cut?.uploadedBytes, cut?.bytesReceived], [0, 0, 10_000]);
    assert.equal((await fetchStatus(standIn, tokens.access_token, publish_id)).data.uploaded_bytes, 0);

    assert.equal((await putChunk(upload_url, file, 0, file.length)).status, 201);
    const state = await tiktokState(standIn);
    const post = state.posts.find((p) => p.publishId === publish_id);
    assert.equal(post?.sha256, sha256(file));
    assert.equal(post?.bytesReceived, 10_000 + file.length);
    assert.equal(state.uploadBytesReceived - before, 10_000 + file.length);
  });

  test('on a throttled link a client that gives up mid-chunk leaves no chunk; its resend takes over', async () => {
    const file = mp4Like(256 * 1024);
    const { publish_id, upload_url } = await opened(await initDirect(standIn, tokens.access_token, oneChunk(file.length)));
    await tiktokFaults(standIn, { bytesPerSecond: 256 * 1024 });
    const gaveUp = new AbortController();
    const slow = fetch(upload_url, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp4', 'content-range': `bytes 0-${file.length - 1}/${file.length}` },
      body: new Uint8Array(file),
      signal: gaveUp.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    gaveUp.abort();
    await assert.rejects(slow);
    await tiktokFaults(standIn, { bytesPerSecond: 0 });
    assert.equal((await putChunk(upload_url, file, 0, file.length)).status, 201);
    const post = (await tiktokState(standIn)).posts.find((p) => p.publishId === publish_id);
    assert.equal(post?.sha256, sha256(file));
    assert.ok((post?.bytesReceived ?? 0) > file.length, 'the abandoned bytes are counted too');
  });

  test('injected 5xx and 429 come in the envelope, 429 with Retry-After; then the server behaves', async () => {
    await tiktokFaults(standIn, { failNext: { count: 1, status: 503 }, rateLimitNext: { count: 1, retryAfterSeconds: 7 } });
    const failed = await api(standIn, 'v2/post/publish/creator_info/query/', tokens.access_token);
    assert.equal(failed.status, 503);
    assert.equal(await errorCode(failed), 'internal_error');
    const limited = await api(standIn, 'v2/post/publish/creator_info/query/', tokens.access_token);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal((await api(standIn, 'v2/post/publish/creator_info/query/', tokens.access_token)).status, 200);

    const file = mp4Like(2048);
    const { upload_url } = await opened(await initDirect(standIn, tokens.access_token, oneChunk(file.length)));
    await tiktokFaults(standIn, { failNext: { count: 1, status: 502 } });
    assert.equal((await putChunk(upload_url, file, 0, file.length)).status, 502);
    assert.equal((await putChunk(upload_url, file, 0, file.length)).status, 201);
  });

  test('expired access tokens are 401 access_token_invalid; a refresh still works', async () => {
    const own = await connect(standIn);
    await tiktokFaults(standIn, { expireAccessTokens: true });
    const res = await api(standIn, 'v2/post/publish/creator_info/query/', own.access_token);
    assert.equal(res.status, 401);
    assert.equal(await errorCode(res), 'access_token_invalid');
    const refreshed = (await (await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: own.refresh_token })).json()) as TokenBody;
    assert.equal((await api(standIn, 'v2/post/publish/creator_info/query/', refreshed.access_token)).status, 200);
    tokens = await connect(standIn);
  });

  test("a revoked user's refresh is invalid_grant, tokens are 401, and a post in flight fails with auth_removed", async () => {
    const beta = await connect(standIn, BETA.openId);
    const { publish_id } = await opened(await initDirect(standIn, beta.access_token, oneChunk(1000)));
    await tiktokFaults(standIn, { revokeUser: BETA.openId });
    assert.equal((await api(standIn, 'v2/post/publish/creator_info/query/', beta.access_token)).status, 401);
    const refresh = await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: beta.refresh_token });
    assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_grant');
    const post = (await tiktokState(standIn)).posts.find((p) => p.publishId === publish_id);
    assert.deepEqual([post?.status, post?.failReason], ['FAILED', 'auth_removed']);
    assert.equal((await api(standIn, 'v2/post/publish/creator_info/query/', tokens.access_token)).status, 200, 'other users are untouched');
  });

  test('a forced processing failure ends the next post FAILED with that fail_reason, once', async () => {
    await tiktokFaults(standIn, { failNextPublish: { failReason: 'duration_check_failed' } });
    const failed = await postSmall(standIn, tokens.access_token, mp4Like(2048));
    assert.deepEqual([failed.data.status, failed.data.fail_reason], ['FAILED', 'duration_check_failed']);
    assert.equal((await postSmall(standIn, tokens.access_token, mp4Like(2048))).data.status, 'PUBLISH_COMPLETE');
  });

  test('over the daily post cap, direct init is 403 spam_risk_too_many_posts and creator info says so with 200', async () => {
    await tiktokFaults(standIn, { postLimitReached: true });
    const init = await initDirect(standIn, tokens.access_token, oneChunk(1000));
    assert.equal(init.status, 403);
    assert.equal(await errorCode(init), 'spam_risk_too_many_posts');
    const info = await api(standIn, 'v2/post/publish/creator_info/query/', tokens.access_token);
    assert.equal(info.status, 200);
    assert.equal(await errorCode(info), 'spam_risk_too_many_posts');
    await tiktokFaults(standIn, null);
    assert.equal((await initDirect(standIn, tokens.access_token, oneChunk(1000))).status, 200);
  });

  test('a faults body with an unknown switch is refused with the reason', async () => {
    const res = await fetch(`${standIn.url}/_stand-in/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ explode: true }) });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /explode/);
  });
});

describe('inspection and lifecycle', () => {
  test('state lists every issued token and logs request paths without query strings', async () => {
    const tokens = await connect(standIn);
    const state = await tiktokState(standIn);
    assert.ok(state.tokens.access.includes(tokens.access_token));
    assert.ok(state.tokens.refresh.includes(tokens.refresh_token));
    assert.equal(state.tokenCounts.access, state.tokens.access.length);
    assert.ok(state.requests.some((r) => r.method === 'POST' && r.path === '/v2/oauth/token/' && r.status === 200));
    assert.ok(state.requests.every((r) => !r.path.includes('?')));
  });

  test('close() ends an upload held by a slow throttle at once instead of waiting for it', async () => {
    const slow = await startStandIn();
    const tokens = await connect(slow);
    const file = mp4Like(64 * 1024);
    const { upload_url } = await opened(await initDirect(slow, tokens.access_token, oneChunk(file.length)));
    await tiktokFaults(slow, { bytesPerSecond: 1024 });
    const put = putChunk(upload_url, file, 0, file.length).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await slow.close();
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
    assert.ok((await put) instanceof Error);
  });
});
