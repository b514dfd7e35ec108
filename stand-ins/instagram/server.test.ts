/**
 * The Instagram stand-in speaks Meta's protocols: driven here with plain fetch, exactly as the
 * Facebook Login and Instagram content-publishing guides describe the requests, with no
 * clipfleet client code in between.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { instagramFaults, instagramState } from '../../test/fixtures/instagram';
import { mp4Like, sha256 } from '../shared/testing';
import { approveConsent } from './consent';
import { startInstagramStandIn, type FacebookUser, type InstagramStandIn, type InstagramStandInOptions } from './server';

const APP_ID = '1234567890123456';
const APP_SECRET = 'stand-in-test-secret';
const REDIRECT_URI = 'http://127.0.0.1:3000/oauth/callback/instagram';
const SCOPES = 'instagram_basic,instagram_content_publish,pages_show_list,pages_read_engagement,business_management';
const ALPHA: FacebookUser = {
  id: '100000000000011',
  name: 'Alpha Person',
  pages: [{ id: '100000000000111', name: 'Alpha Page', instagramAccount: { id: '17841400000000011', username: 'alpha.reels' } }],
};
const BETA: FacebookUser = {
  id: '100000000000022',
  name: 'Beta Person',
  pages: [{ id: '100000000000222', name: 'Beta Page', instagramAccount: { id: '17841400000000022', username: 'beta.reels' } }],
};
const ALPHA_IG = '17841400000000011';
const BETA_IG = '17841400000000022';
const PROCESSING_MS = 300;

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
}
interface GraphErrorBody {
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
}
interface ContainerBody {
  id: string;
  status_code: string;
  status: string;
  video_status: { uploading_phase: { status: string; bytes_transferred: number }; processing_phase: { status: string } };
}

async function startStandIn(overrides: Partial<InstagramStandInOptions> = {}): Promise<InstagramStandIn> {
  return startInstagramStandIn({ appId: APP_ID, appSecret: APP_SECRET, redirectUris: [REDIRECT_URI], users: [ALPHA, BETA], processingMs: PROCESSING_MS, ...overrides });
}

function dialogUrl(standIn: InstagramStandIn, params: Record<string, string> = {}): string {
  const url = new URL(standIn.authUrl);
  for (const [key, value] of Object.entries({ client_id: APP_ID, redirect_uri: REDIRECT_URI, state: 'st-1', scope: SCOPES, response_type: 'code', ...params }))
    url.searchParams.set(key, value);
  return url.toString();
}

function graphUrl(standIn: InstagramStandIn, pathAndQuery: string): string {
  return `${standIn.graphRootUrl}v21.0/${pathAndQuery}`;
}

async function exchangeCode(standIn: InstagramStandIn, code: string, redirectUri = REDIRECT_URI): Promise<Response> {
  const query = new URLSearchParams({ client_id: APP_ID, redirect_uri: redirectUri, client_secret: APP_SECRET, code });
  return fetch(graphUrl(standIn, `oauth/access_token?${query}`));
}

/** The whole connect flow for one person: the Login dialog, then the code exchange. */
async function connect(standIn: InstagramStandIn, user: string, scope = SCOPES): Promise<TokenBody> {
  const back = await approveConsent(dialogUrl(standIn), { user, scope });
  const res = await exchangeCode(standIn, back.searchParams.get('code') ?? '');
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as TokenBody;
}

async function graph(standIn: InstagramStandIn, token: string, method: string, pathAndQuery: string, form?: Record<string, string>): Promise<Response> {
  return fetch(graphUrl(standIn, pathAndQuery), { method, headers: { authorization: `Bearer ${token}` }, body: form ? new URLSearchParams(form) : undefined });
}

async function errorOf(res: Response): Promise<GraphErrorBody['error']> {
  return ((await res.json()) as GraphErrorBody).error;
}

async function createContainer(standIn: InstagramStandIn, token: string, igUserId = ALPHA_IG, caption = 'A reel #clipfleet'): Promise<{ id: string; uri: string }> {
  const res = await graph(standIn, token, 'POST', `${igUserId}/media`, { media_type: 'REELS', upload_type: 'resumable', caption, share_to_feed: 'true' });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { id: string; uri: string };
}

async function rupload(uri: string, token: string, file: Buffer, offset: number, end = file.length): Promise<Response> {
  return fetch(uri, {
    method: 'POST',
    headers: { authorization: `OAuth ${token}`, offset: String(offset), file_size: String(file.length), 'content-type': 'application/octet-stream' },
    body: new Uint8Array(file.subarray(offset, end)),
  });
}

async function readContainer(standIn: InstagramStandIn, token: string, id: string): Promise<ContainerBody> {
  const res = await graph(standIn, token, 'GET', `${id}?fields=id,status_code,status,video_status`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as ContainerBody;
}

/** Polls the container until processing is over, as the guide recommends (faster here). */
async function settled(standIn: InstagramStandIn, token: string, id: string): Promise<ContainerBody> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const container = await readContainer(standIn, token, id);
    if (container.status_code !== 'IN_PROGRESS') return container;
    assert.ok(Date.now() < deadline, `container ${id} still IN_PROGRESS after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function uploadedContainer(standIn: InstagramStandIn, token: string, file: Buffer, igUserId = ALPHA_IG): Promise<string> {
  const { id, uri } = await createContainer(standIn, token, igUserId);
  assert.equal((await rupload(uri, token, file, 0)).status, 200);
  return id;
}

let standIn: InstagramStandIn;

before(async () => {
  standIn = await startStandIn();
});

after(async () => {
  await standIn.close();
});

describe('Facebook Login', () => {
  test('Continue redirects with a code and the state; the code buys a short-lived bearer token, once', async () => {
    const page = await fetch(dialogUrl(standIn));
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /data-scope="instagram_content_publish"/);
    assert.match(html, /id="continue"/);

    const back = await approveConsent(dialogUrl(standIn), { user: ALPHA.id });
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 'st-1');
    const code = back.searchParams.get('code') ?? '';
    // The same exchange as a POST form, which Graph takes as well as the guide's GET.
    const res = await fetch(graphUrl(standIn, 'oauth/access_token'), {
      method: 'POST',
      body: new URLSearchParams({ client_id: APP_ID, redirect_uri: REDIRECT_URI, client_secret: APP_SECRET, code }),
    });
    assert.equal(res.status, 200);
    const token = (await res.json()) as TokenBody;
    assert.equal(token.token_type, 'bearer');
    assert.equal(token.expires_in, 3600);
    assert.match(token.access_token, /^EAA/);

    const again = await exchangeCode(standIn, code);
    assert.equal(again.status, 400);
    const error = await errorOf(again);
    assert.deepEqual([error.type, error.code, error.error_subcode], ['OAuthException', 100, 36009]);
  });

  test('Cancel redirects with access_denied, user_denied and the state', async () => {
    const form = new URLSearchParams(new URL(dialogUrl(standIn)).searchParams);
    form.set('user', ALPHA.id);
    form.set('decision', 'cancel');
    const res = await fetch(new URL('/dialog/oauth/confirm', standIn.url), { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location') ?? '');
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('error_reason'), 'user_denied');
    assert.equal(back.searchParams.get('error_description'), 'Permissions error');
    assert.equal(back.searchParams.get('state'), 'st-1');
    assert.equal(back.searchParams.get('code'), null);
  });

  test('an unknown app or an unregistered redirect URI gets an error page, never a redirect', async () => {
    const refused: Record<string, string>[] = [{ client_id: '999' }, { redirect_uri: 'https://evil.example/cb' }];
    for (const params of refused) {
      const res = await fetch(dialogUrl(standIn, params), { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /id="error"/);
    }
  });

  test('fb_exchange_token turns a short-lived token into a 60-day one; a wrong app secret is refused', async () => {
    const short = await connect(standIn, ALPHA.id);
    const query = (secret: string): URLSearchParams =>
      new URLSearchParams({ grant_type: 'fb_exchange_token', client_id: APP_ID, client_secret: secret, fb_exchange_token: short.access_token });
    const res = await fetch(graphUrl(standIn, `oauth/access_token?${query(APP_SECRET)}`));
    assert.equal(res.status, 200);
    const long = (await res.json()) as TokenBody;
    assert.deepEqual([long.token_type, long.expires_in], ['bearer', 5_184_000]);
    assert.equal((await graph(standIn, long.access_token, 'GET', 'me')).status, 200);

    const wrong = await fetch(graphUrl(standIn, `oauth/access_token?${query('nope')}`));
    assert.equal(wrong.status, 400);
    assert.equal((await errorOf(wrong)).code, 1);
  });

  test('an unticked instagram_content_publish shows as declined and creating a container is refused with code 10', async () => {
    const token = (await connect(standIn, ALPHA.id, 'instagram_basic,pages_show_list')).access_token;
    const permissions = (await (await graph(standIn, token, 'GET', 'me/permissions')).json()) as { data: { permission: string; status: string }[] };
    assert.deepEqual(permissions.data.find((p) => p.permission === 'instagram_content_publish')?.status, 'declined');
    assert.deepEqual(permissions.data.find((p) => p.permission === 'instagram_basic')?.status, 'granted');
    const refused = await graph(standIn, token, 'POST', `${ALPHA_IG}/media`, { media_type: 'REELS', upload_type: 'resumable' });
    assert.equal(refused.status, 403);
    assert.equal((await errorOf(refused)).code, 10);
  });
});

describe('Graph reads', () => {
  let token: string;

  before(async () => {
    token = (await connect(standIn, ALPHA.id)).access_token;
  });

  test('me and me/accounts with the linked Instagram account, token as query parameter or header', async () => {
    const me = await fetch(graphUrl(standIn, `me?fields=id,name&access_token=${token}`));
    assert.deepEqual(await me.json(), { id: ALPHA.id, name: ALPHA.name });
    const accounts = await graph(standIn, token, 'GET', 'me/accounts?fields=id,name,instagram_business_account{id,username}');
    const body = (await accounts.json()) as { data: unknown[] };
    assert.deepEqual(body.data, [{ id: '100000000000111', name: 'Alpha Page', instagram_business_account: { id: ALPHA_IG, username: 'alpha.reels' } }]);
  });

  test('content_publishing_limit reports usage and config', async () => {
    const res = await graph(standIn, token, 'GET', `${ALPHA_IG}/content_publishing_limit?fields=quota_usage,config`);
    assert.deepEqual(await res.json(), { data: [{ quota_usage: 0, config: { quota_total: 50, quota_duration: 86400 } }] });
  });

  test("another person's Instagram account, an unknown field and a missing token are refused in Graph's shape", async () => {
    const foreign = await graph(standIn, token, 'POST', `${BETA_IG}/media`, { media_type: 'REELS', upload_type: 'resumable' });
    assert.equal(foreign.status, 400);
    const error = await errorOf(foreign);
    assert.deepEqual([error.code, error.error_subcode], [100, 33]);
    assert.match(error.fbtrace_id, /\S/);
    const field = await graph(standIn, token, 'GET', 'me?fields=id,shoe_size');
    assert.match((await errorOf(field)).message, /nonexisting field \(shoe_size\)/);
    const anonymous = await fetch(graphUrl(standIn, 'me'));
    assert.equal((await errorOf(anonymous)).code, 104);
  });
});

describe('publishing a reel', () => {
  let token: string;

  before(async () => {
    token = (await connect(standIn, ALPHA.id)).access_token;
  });

  test('container, rupload cut mid-file, resume at bytes_transferred, FINISHED, media_publish, PUBLISHED, permalink', async () => {
    const file = mp4Like(300_000);
    const { id, uri } = await createContainer(standIn, token);
    assert.equal(uri, `${standIn.uploadRootUrl}ig-api-upload/v21.0/${id}`);
    await instagramFaults(standIn, { cutAfterBytes: 100_000 });
    await assert.rejects(rupload(uri, token, file, 0));

    const partial = await readContainer(standIn, token, id);
    assert.equal(partial.status_code, 'IN_PROGRESS');
    assert.deepEqual(partial.video_status, { uploading_phase: { status: 'in_progress', bytes_transferred: 100_000 }, processing_phase: { status: 'not_started' } });

    const rest = await rupload(uri, token, file, partial.video_status.uploading_phase.bytes_transferred);
    assert.equal(rest.status, 200);
    assert.deepEqual(await rest.json(), { success: true, message: 'Upload successful.' });
    const processing = await readContainer(standIn, token, id);
    assert.equal(processing.video_status.processing_phase.status, 'in_progress');
    const early = await graph(standIn, token, 'POST', `${ALPHA_IG}/media_publish`, { creation_id: id });
    assert.deepEqual([(await errorOf(early)).code, early.status], [9007, 400]);

    const finished = await settled(standIn, token, id);
    assert.equal(finished.status_code, 'FINISHED');
    assert.deepEqual(finished.video_status.uploading_phase, { status: 'complete', bytes_transferred: file.length });

    const published = await graph(standIn, token, 'POST', `${ALPHA_IG}/media_publish?creation_id=${id}`);
    assert.equal(published.status, 200, await published.clone().text());
    const { id: mediaId } = (await published.json()) as { id: string };
    assert.equal((await readContainer(standIn, token, id)).status_code, 'PUBLISHED');

    const media = (await (await graph(standIn, token, 'GET', `${mediaId}?fields=id,permalink,media_type,caption,timestamp`)).json()) as Record<string, string>;
    assert.equal(media.id, mediaId);
    assert.match(media.permalink ?? '', /^https:\/\/www\.instagram\.com\/reel\/[\w-]+\/$/);
    assert.equal(media.caption, 'A reel #clipfleet');
    assert.equal(media.media_type, 'VIDEO');
    assert.match(media.timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    const list = (await (await graph(standIn, token, 'GET', `${ALPHA_IG}/media?fields=id,caption,permalink,timestamp`)).json()) as { data: { id: string }[] };
    assert.equal(list.data[0]?.id, mediaId);

    const state = await instagramState(standIn);
    const container = state.containers.find((c) => c.id === id);
    assert.equal(container?.sha256, sha256(file));
    assert.equal(container?.publishedMediaId, mediaId);
    assert.ok((container?.bytesReceived ?? 0) < 1.3 * file.length, `received ${container?.bytesReceived} bytes for a ${file.length}-byte file`);
    assert.equal(state.media.find((m) => m.id === mediaId)?.sha256, sha256(file));
  });

  test('publishing a container twice is refused and makes no second media', async () => {
    const id = await uploadedContainer(standIn, token, mp4Like(5000));
    await settled(standIn, token, id);
    assert.equal((await graph(standIn, token, 'POST', `${ALPHA_IG}/media_publish`, { creation_id: id })).status, 200);
    const again = await graph(standIn, token, 'POST', `${ALPHA_IG}/media_publish`, { creation_id: id });
    assert.equal(again.status, 400);
    assert.equal((await errorOf(again)).code, 100);
    assert.equal((await instagramState(standIn)).media.filter((m) => m.containerId === id).length, 1);
  });

  test('an offset other than the bytes already stored is refused with the offset to resume from', async () => {
    const file = mp4Like(2000);
    const { uri } = await createContainer(standIn, token);
    assert.equal((await rupload(uri, token, file, 0, 500)).status, 200);
    const wrong = await rupload(uri, token, file, 0);
    assert.equal(wrong.status, 400);
    const body = (await wrong.json()) as { debug_info: { retriable: boolean; type: string; message: string } };
    assert.equal(body.debug_info.type, 'ProcessingFailedError');
    assert.match(body.debug_info.message, /500 bytes already received/);
  });

  test('a file that is no MP4 or MOV ends ERROR with 2207026, and publishing it is refused with that code', async () => {
    const id = await uploadedContainer(standIn, token, Buffer.from('plain text, not a video\n'.repeat(50)));
    const failed = await settled(standIn, token, id);
    assert.equal(failed.status_code, 'ERROR');
    assert.equal(failed.status, 'Error: Media upload has failed with error code 2207026');
    const refused = await graph(standIn, token, 'POST', `${ALPHA_IG}/media_publish`, { creation_id: id });
    const error = await errorOf(refused);
    assert.deepEqual([error.code, error.error_subcode], [352, 2207026]);
  });

  test('an unpublished container expires; publishing it is refused with 2207020', async () => {
    const short = await startStandIn({ containerTtlMs: 200 });
    try {
      const shortToken = (await connect(short, ALPHA.id)).access_token;
      const { id } = await createContainer(short, shortToken);
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal((await readContainer(short, shortToken, id)).status_code, 'EXPIRED');
      const refused = await graph(short, shortToken, 'POST', `${ALPHA_IG}/media_publish`, { creation_id: id });
      assert.equal((await errorOf(refused)).error_subcode, 2207020);
    } finally {
      await short.close();
    }
  });
});

describe('publishing limit', () => {
  test('at quota_total, media_publish is refused with code 9 / 2207042 until posts leave the window', async () => {
    const limited = await startStandIn({ publishLimit: 1, publishWindowSeconds: 1, processingMs: 10 });
    try {
      const token = (await connect(limited, ALPHA.id)).access_token;
      const first = await uploadedContainer(limited, token, mp4Like(3000));
      const second = await uploadedContainer(limited, token, mp4Like(3000));
      await settled(limited, token, second);
      assert.equal((await graph(limited, token, 'POST', `${ALPHA_IG}/media_publish`, { creation_id: first })).status, 200);
      const usage = await graph(limited, token, 'GET', `${ALPHA_IG}/content_publishing_limit?fields=quota_usage,config`);
      assert.deepEqual(await usage.json(), { data: [{ quota_usage: 1, config: { quota_total: 1, quota_duration: 1 } }] });
      const refused = await graph(limited, token, 'POST', `${ALPHA_IG}/media_publish`, { creation_id: second });
      const error = await errorOf(refused);
      assert.deepEqual([refused.status, error.code, error.error_subcode], [400, 9, 2207042]);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await graph(limited, token, 'POST', `${ALPHA_IG}/media_publish`, { creation_id: second })).status, 200);
    } finally {
      await limited.close();
    }
  });

  test('the reachPublishLimit fault fills the window for one account only', async () => {
    const token = (await connect(standIn, BETA.id)).access_token;
    await instagramFaults(standIn, { reachPublishLimit: BETA_IG });
    const usage = await graph(standIn, token, 'GET', `${BETA_IG}/content_publishing_limit?fields=quota_usage`);
    assert.deepEqual(await usage.json(), { data: [{ quota_usage: 50 }] });
    const id = await uploadedContainer(standIn, token, mp4Like(3000), BETA_IG);
    await settled(standIn, token, id);
    assert.equal((await errorOf(await graph(standIn, token, 'POST', `${BETA_IG}/media_publish`, { creation_id: id }))).error_subcode, 2207042);
    const usageOf = (await instagramState(standIn)).publishing;
    assert.equal(usageOf[BETA_IG]?.quotaUsage, 50);
    assert.ok((usageOf[ALPHA_IG]?.quotaUsage ?? 50) < 50, 'the other account keeps its room');
  });
});

describe('faults', () => {
  let token: string;

  before(async () => {
    token = (await connect(standIn, ALPHA.id)).access_token;
  });

  test('injected 5xx and throttling come in Meta shapes, the 429 with Retry-After; then the server behaves', async () => {
    await instagramFaults(standIn, { failNext: { count: 1, status: 503 }, rateLimitNext: { count: 1, retryAfterSeconds: 7 } });
    const unavailable = await graph(standIn, token, 'GET', 'me');
    assert.equal(unavailable.status, 503);
    assert.equal((await errorOf(unavailable)).code, 2);
    const limited = await graph(standIn, token, 'GET', 'me');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal((await errorOf(limited)).code, 4);
    assert.equal((await graph(standIn, token, 'GET', 'me')).status, 200);

    const { uri } = await createContainer(standIn, token);
    await instagramFaults(standIn, { failNext: { count: 1, status: 502 } });
    const upload = await rupload(uri, token, mp4Like(100), 0);
    assert.equal(upload.status, 502);
    assert.equal(((await upload.json()) as { debug_info: { retriable: boolean } }).debug_info.retriable, true);
  });

  test('expired tokens answer 190/463 and cannot be exchanged for long-lived ones', async () => {
    const own = await startStandIn();
    try {
      const short = (await connect(own, ALPHA.id)).access_token;
      await instagramFaults(own, { expireTokens: true });
      const error = await errorOf(await graph(own, short, 'GET', 'me'));
      assert.deepEqual([error.code, error.error_subcode], [190, 463]);
      const query = new URLSearchParams({ grant_type: 'fb_exchange_token', client_id: APP_ID, client_secret: APP_SECRET, fb_exchange_token: short });
      assert.equal((await errorOf(await fetch(graphUrl(own, `oauth/access_token?${query}`)))).code, 190);
    } finally {
      await own.close();
    }
  });

  test('a revoked grant answers 190/458 on Graph and "unauthorized user request" on rupload; a new login works', async () => {
    const own = await startStandIn();
    try {
      const before = (await connect(own, ALPHA.id)).access_token;
      const { uri } = await createContainer(own, before);
      await instagramFaults(own, { revokeGrantOf: ALPHA_IG });
      const error = await errorOf(await graph(own, before, 'GET', 'me'));
      assert.deepEqual([error.code, error.error_subcode], [190, 458]);
      const upload = await rupload(uri, before, mp4Like(100), 0);
      assert.match(((await upload.json()) as { debug_info: { message: string } }).debug_info.message, /unauthorized user request/);
      const after = (await connect(own, ALPHA.id)).access_token;
      assert.equal((await graph(own, after, 'GET', 'me')).status, 200);
    } finally {
      await own.close();
    }
  });

  test('a forced processing failure ends the next container ERROR with the given status text', async () => {
    await instagramFaults(standIn, { failProcessingNext: { subcode: 2207053, status: 'Error: unknown upload error 2207053' } });
    const id = await uploadedContainer(standIn, token, mp4Like(4000));
    const failed = await settled(standIn, token, id);
    assert.deepEqual([failed.status_code, failed.status], ['ERROR', 'Error: unknown upload error 2207053']);
    const error = await errorOf(await graph(standIn, token, 'POST', `${ALPHA_IG}/media_publish`, { creation_id: id }));
    assert.deepEqual([error.code, error.error_subcode], [-1, 2207053]);
  });

  test('on a throttled link, a worker killed mid-file leaves what arrived, and a new attempt resumes from bytes_transferred', async () => {
    const file = mp4Like(400_000);
    const sent = 200_000;
    const { id, uri } = await createContainer(standIn, token);
    await instagramFaults(standIn, { bytesPerSecond: 500_000 });
    try {
      // A request whose sender dies after writing half the file: the rest never leaves it.
      const killed = http.request(uri, {
        method: 'POST',
        headers: { authorization: `OAuth ${token}`, offset: '0', file_size: String(file.length), 'content-length': String(file.length) },
      });
      const gone = new Promise<void>((resolve) => killed.once('close', () => resolve()));
      killed.on('error', () => undefined);
      killed.write(file.subarray(0, sent));
      const deadline = Date.now() + 10_000;
      while (((await instagramState(standIn)).containers.find((c) => c.id === id)?.bytesStored ?? 0) < 65_536) {
        assert.ok(Date.now() < deadline, 'the throttled upload stored nothing in 10 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      killed.destroy();
      await gone;
      await instagramFaults(standIn, { bytesPerSecond: 0 });
      // The server notices the dead connection on its next read.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const offset = (await readContainer(standIn, token, id)).video_status.uploading_phase.bytes_transferred;
      assert.ok(offset >= 65_536 && offset <= sent, `resumes from ${offset}`);
      assert.equal((await rupload(uri, token, file, offset)).status, 200);
      const container = (await instagramState(standIn)).containers.find((c) => c.id === id);
      assert.equal(container?.sha256, sha256(file));
      assert.ok((container?.bytesReceived ?? 0) < 1.3 * file.length, `received ${container?.bytesReceived} bytes for a ${file.length}-byte file`);
    } finally {
      await instagramFaults(standIn, null);
    }
  });

  test('a faults body the stand-in does not know is refused', async () => {
    const res = await fetch(`${standIn.url}/_stand-in/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ explode: true }) });
    assert.equal(res.status, 400);
  });
});

describe('inspection', () => {
  test('state lists every issued token and logs request paths without query strings', async () => {
    const { access_token: token } = await connect(standIn, ALPHA.id);
    const state = await instagramState(standIn);
    assert.ok(state.tokens.some((t) => t.token === token && t.kind === 'short'));
    assert.ok(state.requests.some((r) => r.method === 'GET' && r.path === '/v21.0/oauth/access_token' && r.status === 200));
    assert.ok(!JSON.stringify(state.requests).includes('?'));
  });
});
