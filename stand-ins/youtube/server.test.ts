/**
 * The YouTube stand-in speaks Google's protocols: driven here with plain fetch, exactly as the
 * guides describe the requests, with no clipfleet client code in between.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeSampleVideo } from '../../media/sample-video';
import { decodeHtml, mp4Like, pkcePair, sha256 } from '../shared/testing';
import { CHUNK_GRANULARITY } from './uploads';
import { startYouTubeStandIn, type YouTubeStandIn, type YouTubeStandInOptions } from './server';

const CLIENT_ID = 'clipfleet-test.apps.googleusercontent.com';
const CLIENT_SECRET = 'stand-in-test-secret';
const REDIRECT_URI = 'http://127.0.0.1:3000/oauth/callback/youtube';
const UPLOAD_SCOPE = 'https://www.googleapis.com/auth/youtube.upload';
const READ_SCOPE = 'https://www.googleapis.com/auth/youtube.readonly';
const ALPHA = { id: 'UC_alpha_channel_00001', title: 'Alpha Channel' };
const BETA = { id: 'UC_beta_channel_000001', title: 'Beta Channel' };
const PROCESSING_MS = 300;

interface TokenBody {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
  token_type: string;
}
interface GoogleErrorBody {
  error: { code: number; message: string; errors: { reason: string; domain: string }[]; status?: string };
}
interface VideoBody {
  kind: string;
  id: string;
  snippet?: { title: string; channelId: string };
  status: { uploadStatus: string; privacyStatus: string; failureReason?: string; rejectionReason?: string; madeForKids: boolean };
  processingDetails?: { processingStatus: string; processingProgress?: { partsTotal: string; partsProcessed: string; timeLeftMs: string } };
}
interface StandInState {
  videos: { id: string; channelId: string; sha256: string; bytes: number; title: string; uploadStatus: string; privacyStatus: string; madeForKids: boolean }[];
  sessions: { uploadId: string; channelId: string; total: number; stored: number; bytesReceived: number; complete: boolean; videoId?: string }[];
  tokens: { access: string[]; refresh: string[] };
  quota: Record<string, number>;
  requests: { method: string; path: string; status: number }[];
}

async function startStandIn(overrides: Partial<YouTubeStandInOptions> = {}): Promise<YouTubeStandIn> {
  return startYouTubeStandIn({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    channels: [ALPHA, BETA],
    processingMs: PROCESSING_MS,
    ...overrides,
  });
}

function consentUrl(standIn: YouTubeStandIn, params: Record<string, string>): string {
  const url = new URL(standIn.authUrl);
  const defaults = { client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', scope: `${UPLOAD_SCOPE} ${READ_SCOPE}`, access_type: 'offline', prompt: 'consent' };
  for (const [key, value] of Object.entries({ ...defaults, ...params })) url.searchParams.set(key, value);
  return url.toString();
}

/** Loads the consent page, then submits its form as a browser would (its hidden fields, a channel, a button); returns where it redirects. */
async function answerConsent(standIn: YouTubeStandIn, params: Record<string, string>, choice: { channel: string; decision: 'allow' | 'deny' }): Promise<URL> {
  const page = await fetch(consentUrl(standIn, params));
  assert.equal(page.status, 200);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  assert.ok(action, 'the consent page has a form');
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) form.append(decodeHtml(name!), decodeHtml(value!));
  form.set('channel', choice.channel);
  form.set('decision', choice.decision);
  const res = await fetch(new URL(decodeHtml(action), standIn.url), { method: 'POST', body: form, redirect: 'manual' });
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location') ?? '');
}

async function tokenRequest(standIn: YouTubeStandIn, params: Record<string, string>, withClient = true): Promise<Response> {
  const body = new URLSearchParams({ ...(withClient ? { client_id: CLIENT_ID, client_secret: CLIENT_SECRET } : {}), ...params });
  return fetch(standIn.tokenUrl, { method: 'POST', body });
}

/** The whole connect flow for one channel: consent with PKCE, then the code exchange. */
async function connect(standIn: YouTubeStandIn, channel: string, scope = `${UPLOAD_SCOPE} ${READ_SCOPE}`): Promise<TokenBody> {
  const { verifier, challenge } = pkcePair();
  const back = await answerConsent(standIn, { scope, state: 'st', code_challenge: challenge, code_challenge_method: 'S256' }, { channel, decision: 'allow' });
  const res = await tokenRequest(standIn, { grant_type: 'authorization_code', code: back.searchParams.get('code') ?? '', redirect_uri: REDIRECT_URI, code_verifier: verifier });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as TokenBody;
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

async function initiate(
  standIn: YouTubeStandIn,
  token: string,
  size: number,
  resource: unknown = { snippet: { title: 'A clip' }, status: { privacyStatus: 'private' } },
): Promise<Response> {
  return fetch(`${standIn.apiRootUrl}upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-length': String(size), 'x-upload-content-type': 'video/mp4' },
    body: JSON.stringify(resource),
  });
}

async function sessionUri(standIn: YouTubeStandIn, token: string, size: number): Promise<string> {
  const res = await initiate(standIn, token, size);
  assert.equal(res.status, 200, await res.clone().text());
  const location = res.headers.get('location');
  assert.ok(location && location.startsWith(`${standIn.url}/upload/youtube/v3/videos?`), `absolute session URI, got ${String(location)}`);
  return location;
}

async function putBytes(uri: string, token: string, file: Buffer, first: number, end: number): Promise<Response> {
  return fetch(uri, {
    method: 'PUT',
    headers: { ...bearer(token), 'content-type': 'video/mp4', 'content-range': `bytes ${first}-${end - 1}/${file.length}` },
    // A copy: fetch's body type wants a plain ArrayBuffer view, which a Buffer slice is not typed as.
    body: new Uint8Array(file.subarray(first, end)),
    redirect: 'manual',
  });
}

async function queryStatus(uri: string, token: string, total: number): Promise<Response> {
  return fetch(uri, { method: 'PUT', headers: { ...bearer(token), 'content-range': `bytes */${total}` }, redirect: 'manual' });
}

/** Uploads a whole file in one PUT and returns the created video. */
async function uploadWhole(standIn: YouTubeStandIn, token: string, file: Buffer): Promise<VideoBody> {
  const uri = await sessionUri(standIn, token, file.length);
  const res = await putBytes(uri, token, file, 0, file.length);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as VideoBody;
}

async function listVideo(standIn: YouTubeStandIn, token: string, id: string): Promise<VideoBody | undefined> {
  const res = await fetch(`${standIn.apiRootUrl}youtube/v3/videos?part=status,processingDetails,snippet&id=${id}`, { headers: bearer(token) });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { kind: string; items: VideoBody[] };
  assert.equal(body.kind, 'youtube#videoListResponse');
  return body.items[0];
}

/** Polls videos.list until processing has ended, as a client does. */
async function settled(standIn: YouTubeStandIn, token: string, id: string): Promise<VideoBody> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const video = await listVideo(standIn, token, id);
    assert.ok(video, `video ${id} is listed`);
    if (video.status.uploadStatus !== 'uploaded') return video;
    assert.ok(Date.now() < deadline, `video ${id} still processing after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readState(standIn: YouTubeStandIn): Promise<StandInState> {
  const res = await fetch(`${standIn.url}/_stand-in/state`);
  assert.equal(res.status, 200);
  return (await res.json()) as StandInState;
}

async function setFaults(standIn: YouTubeStandIn, faults: unknown): Promise<void> {
  const res = await fetch(`${standIn.url}/_stand-in/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  assert.equal(res.status, 200, await res.clone().text());
}

async function errorReason(res: Response): Promise<string | undefined> {
  return ((await res.json()) as GoogleErrorBody).error.errors[0]?.reason;
}

let standIn: YouTubeStandIn;
let workDir: string;

before(async () => {
  // Google's default day fits six inserts; these tests upload more, the quota suite tests the limit.
  standIn = await startStandIn({ quotaPerDay: 1_000_000 });
  workDir = await mkdtemp(path.join(os.tmpdir(), 'youtube-stand-in-test-'));
});

after(async () => {
  await standIn.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('OAuth consent and tokens', () => {
  test('consent with PKCE gives a code that buys an access and a refresh token, once', async () => {
    const { verifier, challenge } = pkcePair();
    const back = await answerConsent(standIn, { state: 'xyz-123', code_challenge: challenge, code_challenge_method: 'S256' }, { channel: BETA.id, decision: 'allow' });
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'xyz-123');
    assert.equal(back.searchParams.get('scope'), `${UPLOAD_SCOPE} ${READ_SCOPE}`);
    const code = back.searchParams.get('code') ?? '';
    assert.ok(code.length > 20);

    const exchange = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
    const res = await tokenRequest(standIn, exchange);
    assert.equal(res.status, 200);
    const tokens = (await res.json()) as TokenBody;
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 3600);
    assert.match(tokens.access_token, /^ya29\./);
    assert.match(tokens.refresh_token ?? '', /^1\/\//);

    const reuse = await tokenRequest(standIn, exchange);
    assert.equal(reuse.status, 400);
    assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');

    const channels = await fetch(`${standIn.apiRootUrl}youtube/v3/channels?part=snippet&mine=true`, { headers: bearer(tokens.access_token) });
    const body = (await channels.json()) as { items: { id: string; snippet: { title: string } }[] };
    assert.deepEqual(
      body.items.map((c) => [c.id, c.snippet.title]),
      [[BETA.id, BETA.title]],
    );
  });

  test('the consent page lists what each scope allows and every channel', async () => {
    const html = await (await fetch(consentUrl(standIn, {}))).text();
    assert.match(html, new RegExp(`${CLIENT_ID} wants to:`));
    assert.match(html, /Upload YouTube videos/);
    assert.match(html, /View your YouTube account/);
    assert.match(html, /<option value="UC_alpha_channel_00001">Alpha Channel<\/option>/);
    assert.match(html, /id="allow"/);
    assert.match(html, /id="deny"/);
  });

  test('a wrong code verifier is refused with invalid_grant', async () => {
    const { challenge } = pkcePair();
    const back = await answerConsent(standIn, { code_challenge: challenge, code_challenge_method: 'S256' }, { channel: ALPHA.id, decision: 'allow' });
    const res = await tokenRequest(standIn, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT_URI,
      code_verifier: pkcePair().verifier,
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
  });

  test('Cancel sends the person back with error=access_denied and the state', async () => {
    const back = await answerConsent(standIn, { state: 'st-9' }, { channel: ALPHA.id, decision: 'deny' });
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'st-9');
    assert.equal(back.searchParams.get('code'), null);
  });

  test('an unregistered redirect URI or an unknown client gets an error page, not a redirect', async () => {
    const mismatch = await fetch(consentUrl(standIn, { redirect_uri: 'http://127.0.0.1:9999/elsewhere' }), { redirect: 'manual' });
    assert.equal(mismatch.status, 400);
    assert.match(await mismatch.text(), /redirect_uri_mismatch/);
    const unknown = await fetch(consentUrl(standIn, { client_id: 'someone-else' }), { redirect: 'manual' });
    assert.equal(unknown.status, 401);
    assert.match(await unknown.text(), /invalid_client/);
  });

  test('wrong client credentials are 401 invalid_client; HTTP Basic credentials work', async () => {
    const wrong = await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: 'x', client_id: CLIENT_ID, client_secret: 'nope' });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_client');

    const { refresh_token } = await connect(standIn, ALPHA.id);
    const basic = Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64');
    const res = await fetch(standIn.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh_token ?? '' }),
    });
    assert.equal(res.status, 200);
  });

  test('a refresh gives a new working access token and no new refresh token', async () => {
    const first = await connect(standIn, ALPHA.id);
    const res = await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    assert.equal(res.status, 200);
    const refreshed = (await res.json()) as TokenBody;
    assert.notEqual(refreshed.access_token, first.access_token);
    assert.equal(refreshed.refresh_token, undefined);
    assert.equal(refreshed.scope, `${UPLOAD_SCOPE} ${READ_SCOPE}`);
    const channels = await fetch(`${standIn.apiRootUrl}youtube/v3/channels?part=snippet&mine=true`, { headers: bearer(refreshed.access_token) });
    assert.equal(channels.status, 200);
  });

  test('a revoked refresh token is invalid_grant, and its access tokens stop working', async () => {
    const tokens = await connect(standIn, BETA.id);
    await setFaults(standIn, { revokeRefreshTokensOf: BETA.id });
    const res = await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const api = await initiate(standIn, tokens.access_token, 1000);
    assert.equal(api.status, 401);
  });

  test('POST /revoke of a refresh token ends its access tokens too', async () => {
    const tokens = await connect(standIn, ALPHA.id);
    const revoke = await fetch(`${standIn.url}/revoke`, { method: 'POST', body: new URLSearchParams({ token: tokens.refresh_token ?? '' }) });
    assert.equal(revoke.status, 200);
    const api = await fetch(`${standIn.apiRootUrl}youtube/v3/channels?part=snippet&mine=true`, { headers: bearer(tokens.access_token) });
    assert.equal(api.status, 401);
  });

  test('an expired access token is a 401 with Google body and WWW-Authenticate; a refresh fixes it', async () => {
    const tokens = await connect(standIn, ALPHA.id);
    await setFaults(standIn, { expireAccessTokens: true });
    const res = await initiate(standIn, tokens.access_token, 1000);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const body = (await res.json()) as GoogleErrorBody;
    assert.equal(body.error.status, 'UNAUTHENTICATED');
    assert.equal(body.error.errors[0]?.reason, 'authError');

    const refreshed = (await (await tokenRequest(standIn, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' })).json()) as TokenBody;
    assert.equal((await initiate(standIn, refreshed.access_token, 1000)).status, 200);
  });

  test('a token without the upload scope is 403 insufficientPermissions on videos.insert', async () => {
    const readOnly = await connect(standIn, ALPHA.id, READ_SCOPE);
    const res = await initiate(standIn, readOnly.access_token, 1000);
    assert.equal(res.status, 403);
    assert.equal(await errorReason(res), 'insufficientPermissions');
  });
});

describe('resumable upload', () => {
  let token: string;

  before(async () => {
    token = (await connect(standIn, ALPHA.id)).access_token;
  });

  test('three 256 KiB-multiple chunks and a last one: 308 with Range after each, then 200 with the video; the server holds the same bytes', async () => {
    const file = mp4Like(3 * CHUNK_GRANULARITY + 1234);
    const uri = await sessionUri(standIn, token, file.length);
    for (let i = 0; i < 3; i++) {
      const res = await putBytes(uri, token, file, i * CHUNK_GRANULARITY, (i + 1) * CHUNK_GRANULARITY);
      assert.equal(res.status, 308);
      assert.equal(res.headers.get('range'), `bytes=0-${(i + 1) * CHUNK_GRANULARITY - 1}`);
    }
    const last = await putBytes(uri, token, file, 3 * CHUNK_GRANULARITY, file.length);
    assert.equal(last.status, 200);
    const video = (await last.json()) as VideoBody;
    assert.equal(video.kind, 'youtube#video');
    assert.match(video.id, /^[A-Za-z0-9_-]{11}$/);
    assert.equal(video.status.uploadStatus, 'uploaded');
    assert.equal(video.status.privacyStatus, 'private');
    assert.equal(video.snippet?.title, 'A clip');

    const state = await readState(standIn);
    const stored = state.videos.find((v) => v.id === video.id);
    assert.equal(stored?.sha256, sha256(file));
    assert.equal(stored?.bytes, file.length);
    assert.equal(stored?.channelId, ALPHA.id);
  });

  test('a status query mid-way answers 308 with the stored range; after the last byte it answers 200 with the same video', async () => {
    const file = mp4Like(2 * CHUNK_GRANULARITY + 10);
    const uri = await sessionUri(standIn, token, file.length);

    const before = await queryStatus(uri, token, file.length);
    assert.equal(before.status, 308);
    assert.equal(before.headers.get('range'), null, 'no Range header while nothing is stored');

    await putBytes(uri, token, file, 0, CHUNK_GRANULARITY);
    const mid = await queryStatus(uri, token, file.length);
    assert.equal(mid.status, 308);
    assert.equal(mid.headers.get('range'), `bytes=0-${CHUNK_GRANULARITY - 1}`);

    const done = await putBytes(uri, token, file, CHUNK_GRANULARITY, file.length);
    const video = (await done.json()) as VideoBody;
    const again = await queryStatus(uri, token, file.length);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as VideoBody).id, video.id);
    assert.equal((await readState(standIn)).videos.filter((v) => v.sha256 === sha256(file)).length, 1);
  });

  test('a connection cut mid-chunk keeps what arrived; the upload continues from the offset the server reports', async () => {
    const file = mp4Like(2 * CHUNK_GRANULARITY + 500);
    const uri = await sessionUri(standIn, token, file.length);
    await setFaults(standIn, { cutAfterBytes: 100_000 });
    await assert.rejects(putBytes(uri, token, file, 0, 2 * CHUNK_GRANULARITY));

    const status = await queryStatus(uri, token, file.length);
    assert.equal(status.status, 308);
    assert.equal(status.headers.get('range'), 'bytes=0-99999');

    const rest = await putBytes(uri, token, file, 100_000, file.length);
    assert.equal(rest.status, 200);
    const video = (await rest.json()) as VideoBody;
    const state = await readState(standIn);
    assert.equal(state.videos.find((v) => v.id === video.id)?.sha256, sha256(file));
    const session = state.sessions.find((s) => s.videoId === video.id);
    assert.equal(session?.stored, file.length);
    assert.ok((session?.bytesReceived ?? 0) < 1.3 * file.length, `received ${session?.bytesReceived} bytes for a ${file.length}-byte file`);
  });

  test('on a throttled link, a status query from a new attempt takes over a session the old attempt is still writing', async () => {
    const file = mp4Like(8 * CHUNK_GRANULARITY + 77);
    const uri = await sessionUri(standIn, token, file.length);
    await setFaults(standIn, { bytesPerSecond: 2 * 1024 * 1024 });
    try {
      // Its connection is cut when the new attempt takes over: expected from the start, so the rejection is never unhandled.
      const abandoned = assert.rejects(putBytes(uri, token, file, 0, file.length));
      const deadline = Date.now() + 10_000;
      while (((await readState(standIn)).sessions.find((s) => uri.endsWith(s.uploadId))?.stored ?? 0) < CHUNK_GRANULARITY) {
        assert.ok(Date.now() < deadline, 'the throttled upload stored nothing in 10 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const status = await queryStatus(uri, token, file.length);
      await abandoned;
      assert.equal(status.status, 308);
      const offset = Number(/^bytes=0-(\d+)$/.exec(status.headers.get('range') ?? '')?.[1]) + 1;
      assert.ok(offset >= CHUNK_GRANULARITY && offset < file.length, `resumes from ${offset}`);
      await setFaults(standIn, { bytesPerSecond: 0 });
      const rest = await putBytes(uri, token, file, offset, file.length);
      assert.equal(rest.status, 200);
      const video = (await rest.json()) as VideoBody;
      assert.equal((await readState(standIn)).videos.find((v) => v.id === video.id)?.sha256, sha256(file));
    } finally {
      await setFaults(standIn, { bytesPerSecond: 0 });
    }
  });

  test('bytes resent below the stored offset are skipped, never written twice', async () => {
    const file = mp4Like(2 * CHUNK_GRANULARITY);
    const uri = await sessionUri(standIn, token, file.length);
    await putBytes(uri, token, file, 0, CHUNK_GRANULARITY);
    // The answer to the first chunk "got lost": the client sends everything again.
    const res = await putBytes(uri, token, file, 0, file.length);
    assert.equal(res.status, 200);
    const video = (await res.json()) as VideoBody;
    assert.equal((await readState(standIn)).videos.find((v) => v.id === video.id)?.sha256, sha256(file));
  });

  test('a chunk that is not the last and not a multiple of 256 KiB is refused, and nothing is stored', async () => {
    const file = mp4Like(CHUNK_GRANULARITY + 100);
    const uri = await sessionUri(standIn, token, file.length);
    const res = await putBytes(uri, token, file, 0, 1000);
    assert.equal(res.status, 400);
    const status = await queryStatus(uri, token, file.length);
    assert.equal(status.headers.get('range'), null);
  });

  test('an unknown session is 404', async () => {
    const res = await queryStatus(`${standIn.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id=nope`, token, 10);
    assert.equal(res.status, 404);
  });

  test('bad metadata is refused with the reason Google gives', async () => {
    const longTitle = await initiate(standIn, token, 10, { snippet: { title: 'x'.repeat(101) } });
    assert.equal(longTitle.status, 400);
    assert.equal(await errorReason(longTitle), 'invalidTitle');
    const angle = await initiate(standIn, token, 10, { snippet: { title: 'ok', description: 'a <b> tag' } });
    assert.equal(await errorReason(angle), 'invalidDescription');
    const privacy = await initiate(standIn, token, 10, { snippet: { title: 'ok' }, status: { privacyStatus: 'secret' } });
    assert.equal(await errorReason(privacy), 'invalidVideoMetadata');
  });

  test('injected 503s and 429s come in Google shape, 429 with Retry-After; then the server behaves', async () => {
    await setFaults(standIn, { failNext: { count: 1, status: 503 }, rateLimitNext: { count: 1, retryAfterSeconds: 7 } });
    const unavailable = await initiate(standIn, token, 10);
    assert.equal(unavailable.status, 503);
    assert.equal(await errorReason(unavailable), 'backendError');
    const limited = await initiate(standIn, token, 10);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal(await errorReason(limited), 'rateLimitExceeded');
    assert.equal((await initiate(standIn, token, 10)).status, 200);
  });
});

describe('processing', () => {
  let alpha: string;
  let beta: string;
  let sample: Buffer;

  before(async () => {
    alpha = (await connect(standIn, ALPHA.id)).access_token;
    beta = (await connect(standIn, BETA.id)).access_token;
    const file = await makeSampleVideo({ outputPath: path.join(workDir, 'sample.mp4'), width: 160, height: 120, durationSec: 1, fps: 10, withAudio: false, pattern: 'stand-in' });
    sample = await readFile(file);
  });

  test('a real MP4 is uploaded, then processing, then processed', async () => {
    const video = await uploadWhole(standIn, alpha, sample);
    const early = await listVideo(standIn, alpha, video.id);
    assert.equal(early?.status.uploadStatus, 'uploaded');
    assert.equal(early?.processingDetails?.processingStatus, 'processing');
    assert.equal(early?.processingDetails?.processingProgress?.partsTotal, '1000');

    const done = await settled(standIn, alpha, video.id);
    assert.equal(done.status.uploadStatus, 'processed');
    assert.equal(done.processingDetails?.processingStatus, 'succeeded');
  });

  test('the same bytes again on the same channel are rejected as a duplicate; on another channel they are fine', async () => {
    const again = await uploadWhole(standIn, alpha, sample);
    const rejected = await settled(standIn, alpha, again.id);
    assert.equal(rejected.status.uploadStatus, 'rejected');
    assert.equal(rejected.status.rejectionReason, 'duplicate');

    const elsewhere = await uploadWhole(standIn, beta, sample);
    assert.equal((await settled(standIn, beta, elsewhere.id)).status.uploadStatus, 'processed');
  });

  test('a file that is no video container fails with invalidFile', async () => {
    const video = await uploadWhole(standIn, alpha, Buffer.from('this is a text file, not a video\n'.repeat(100)));
    const failed = await settled(standIn, alpha, video.id);
    assert.equal(failed.status.uploadStatus, 'failed');
    assert.equal(failed.status.failureReason, 'invalidFile');
    assert.equal(failed.processingDetails?.processingStatus, 'failed');
  });

  test('a forced processing failure ends the next upload with that reason', async () => {
    await setFaults(standIn, { failProcessingNext: { failureReason: 'codec' } });
    const video = await uploadWhole(standIn, alpha, mp4Like(5000));
    const failed = await settled(standIn, alpha, video.id);
    assert.equal(failed.status.failureReason, 'codec');
  });

  test("videos.list shows only the token's own channel's videos", async () => {
    const video = await uploadWhole(standIn, alpha, mp4Like(4000));
    assert.equal(await listVideo(standIn, beta, video.id), undefined);
  });
});

describe('quota', () => {
  let small: YouTubeStandIn;
  let token: string;

  before(async () => {
    small = await startStandIn({ quotaPerDay: 3200, insertCost: 1600 });
    token = (await connect(small, ALPHA.id)).access_token;
  });

  after(async () => {
    await small.close();
  });

  test('videos.insert costs 1600 units; the third in a 3200-unit day is 403 quotaExceeded until the day rolls over', async () => {
    assert.equal((await initiate(small, token, 10)).status, 200);
    assert.equal((await initiate(small, token, 10)).status, 200);
    const refused = await initiate(small, token, 10);
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as GoogleErrorBody;
    assert.equal(body.error.errors[0]?.reason, 'quotaExceeded');
    assert.equal(body.error.errors[0]?.domain, 'youtube.quota');
    assert.deepEqual(Object.values((await readState(small)).quota), [3200]);
    assert.match(Object.keys((await readState(small)).quota)[0] ?? '', /^\d{4}-\d{2}-\d{2}$/);

    const reset = await fetch(`${small.url}/_stand-in/quota/reset`, { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.equal((await initiate(small, token, 10)).status, 200);
  });

  test('the quotaExceeded fault refuses the next insert whatever the budget, once', async () => {
    await fetch(`${small.url}/_stand-in/quota/reset`, { method: 'POST' });
    await setFaults(small, { quotaExceeded: true });
    const refused = await initiate(small, token, 10);
    assert.equal(refused.status, 403);
    assert.equal(await errorReason(refused), 'quotaExceeded');
    assert.equal((await initiate(small, token, 10)).status, 200);
  });
});

describe('lifecycle', () => {
  test('close() ends an upload held by a slow throttle at once instead of waiting for it', async () => {
    const slow = await startStandIn();
    const token = (await connect(slow, ALPHA.id)).access_token;
    const file = mp4Like(4 * CHUNK_GRANULARITY);
    const uri = await sessionUri(slow, token, file.length);
    await setFaults(slow, { bytesPerSecond: 1000 });
    const cut = assert.rejects(putBytes(uri, token, file, 0, file.length));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await slow.close();
    await cut;
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
  });
});

describe('inspection', () => {
  test('state lists every issued token and logs request paths without query strings', async () => {
    const tokens = await connect(standIn, ALPHA.id);
    const state = await readState(standIn);
    assert.ok(state.tokens.access.includes(tokens.access_token));
    assert.ok(state.tokens.refresh.includes(tokens.refresh_token ?? ''));
    assert.ok(state.requests.some((r) => r.method === 'POST' && r.path === '/token' && r.status === 200));
    assert.ok(!JSON.stringify(state.requests).includes('?'));
  });
});
