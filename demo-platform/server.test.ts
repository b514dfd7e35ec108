import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTestVideo, SiteClient, startTestDemoPlatform, type TestDemoPlatform } from './fixtures';
import type { ApiPost } from './api-routes';

let platform: TestDemoPlatform;
let video: Uint8Array;
let api: SiteClient;
let videoCount = 0;

/** A distinct small MP4 each call. */
async function freshVideo(): Promise<Uint8Array> {
  const file = await makeTestVideo(path.join(platform.dataDir, `fixture-${++videoCount}.mp4`), `video-${videoCount}`);
  return new Uint8Array(await readFile(file));
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function createAccount(username: string, password: string, otpCode?: string): Promise<void> {
  const res = await api.postJson('/api/accounts', { username, password, ...(otpCode ? { otpCode } : {}) });
  assert.ok(res.status === 201 || res.status === 200, `creating ${username}: ${res.status} ${await res.text()}`);
}

async function signedIn(username: string, password = 'secret-pw'): Promise<SiteClient> {
  await createAccount(username, password);
  const client = new SiteClient(platform.url);
  const res = await client.signIn(username, password);
  assert.equal(res.status, 303);
  return client;
}

async function apiPosts(account?: string): Promise<ApiPost[]> {
  const res = await api.fetch(`/api/posts${account ? `?account=${account}` : ''}`);
  assert.equal(res.status, 200);
  return (await res.json()) as ApiPost[];
}

before(async () => {
  platform = await startTestDemoPlatform();
  api = new SiteClient(platform.url);
  video = await freshVideo();
});

after(async () => {
  await platform.destroy();
});

describe('accounts API', () => {
  test('creating an account is idempotent with the same password and conflicts with another', async () => {
    assert.equal((await api.postJson('/api/accounts', { username: 'carol', password: 'pw-1' })).status, 201);
    assert.equal((await api.postJson('/api/accounts', { username: 'carol', password: 'pw-1' })).status, 200);
    const conflict = await api.postJson('/api/accounts', { username: 'carol', password: 'pw-2' });
    assert.equal(conflict.status, 409);
  });

  test('the account list names users and never reveals passwords', async () => {
    const res = await api.fetch('/api/accounts');
    const text = await res.text();
    assert.ok((JSON.parse(text) as string[]).includes('carol'));
    assert.ok(!text.includes('pw-1') && !text.includes('scrypt'));
  });

  test('a bad body is a 400 that names the field', async () => {
    const res = await api.postJson('/api/accounts', { username: 'x y', password: 'pw' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { field: string }).field, 'username');
  });
});

describe('sign-in', () => {
  test('correct credentials set an httpOnly session cookie and land on /upload', async () => {
    await createAccount('alice', 'alice-pw');
    const client = new SiteClient(platform.url);
    const res = await client.postForm('/login', { username: 'alice', password: 'alice-pw' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/upload');
    assert.match(res.headers.get('set-cookie') ?? '', /demo_session=.+HttpOnly/i);
    const upload = await client.fetch('/upload');
    assert.equal(upload.status, 200);
    const html = await upload.text();
    assert.match(html, /<input type="file" name="video"/);
    assert.match(html, /<textarea name="caption"/);
    assert.match(html, /id="publish"/);
  });

  test('a wrong password shows the login page again with a visible error and 401', async () => {
    const client = new SiteClient(platform.url);
    const res = await client.signIn('alice', 'wrong');
    assert.equal(res.status, 401);
    const html = await res.text();
    assert.match(html, /Invalid username or password/);
    assert.match(html, /name="password"/);
    assert.ok(!client.hasCookie('demo_session'));
  });

  test('an account with a one-time code asks for it, rejects a wrong one and accepts the right one', async () => {
    await createAccount('olga', 'olga-pw', '123456');
    const client = new SiteClient(platform.url);
    const first = await client.postForm('/login', { username: 'olga', password: 'olga-pw' });
    assert.equal(first.status, 200);
    const html = await first.text();
    assert.match(html, /name="otp"/);
    const challenge = /name="challenge" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const wrong = await client.postForm('/login/otp', { challenge, otp: '000000' });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /Invalid one-time code/);
    const right = await client.postForm('/login/otp', { challenge, otp: '123456' });
    assert.equal(right.status, 303);
    assert.equal((await client.fetch('/upload')).status, 200);
  });

  test('the upload page sends anonymous visitors to /login', async () => {
    const res = await new SiteClient(platform.url).fetch('/upload');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/login');
  });

  test('expiring sessions signs the account out everywhere', async () => {
    const client = await signedIn('erin');
    const res = await api.postJson('/api/accounts/erin/expire-sessions', {});
    assert.deepEqual(await res.json(), { username: 'erin', expired: 1 });
    assert.equal((await client.fetch('/upload')).status, 302);
  });
});

describe('upload', () => {
  test('a real video becomes a post, visible in /api/posts with its SHA-256', async () => {
    const client = await signedIn('uploader');
    const res = await client.upload(video, 'first clip');
    assert.equal(res.status, 200);
    const html = await res.text();
    const id = /data-post-id="([^"]+)"/.exec(html)?.[1];
    const url = /data-post-url="([^"]+)"/.exec(html)?.[1];
    assert.ok(id && url);
    assert.equal(url, `${platform.url}/posts/${id}`);

    const posts = await apiPosts('uploader');
    assert.equal(posts.length, 1);
    assert.deepEqual(
      { id: posts[0]?.id, url: posts[0]?.url, sha256: posts[0]?.sha256, caption: posts[0]?.caption, account: posts[0]?.account },
      { id, url, sha256: sha256(video), caption: 'first clip', account: 'uploader' },
    );
    const stored = await readFile(path.join(platform.dataDir, 'uploads', `${id}.mp4`));
    assert.equal(sha256(stored), sha256(video));
    assert.equal((await new SiteClient(platform.url).fetch(`/posts/${id}`)).status, 200);
  });

  test('the same bytes from another account are rejected as a duplicate', async () => {
    const client = await signedIn('copycat');
    const res = await client.upload(video, 'same file again');
    assert.equal(res.status, 409);
    assert.match(await res.text(), /Duplicate video: this exact file was already published/);
    assert.equal((await apiPosts('copycat')).length, 0);
  });

  test('a file that is not a video is rejected', async () => {
    const client = await signedIn('texter');
    const text = new TextEncoder().encode('hello '.repeat(1000));
    const res = await client.upload(text, 'not a video', 'notes.mp4');
    assert.equal(res.status, 422);
    assert.match(await res.text(), /Not a video file/);
  });

  test('a caption with <script> is shown as text in /posts', async () => {
    const client = await signedIn('mallory');
    const caption = '<script>alert("x")</script> & more';
    assert.equal((await client.upload(await freshVideo(), caption)).status, 200);
    const html = await (await client.fetch('/posts')).text();
    assert.ok(!html.includes('<script>alert'), 'the caption must not become markup');
    assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; more/);
    assert.match(html, /data-post-id="[^"]+" data-post-url="[^"]+" data-sha256="[0-9a-f]{64}"/);
  });
});

/** Runs `body` with the platform misbehaving as `faults` says, and always lets it recover after. */
async function withFaults(faults: Record<string, unknown>, body: () => Promise<void>): Promise<void> {
  const set = await api.postJson('/api/faults', faults);
  assert.equal(set.status, 200);
  try {
    await body();
  } finally {
    await api.fetch('/api/faults', { method: 'DELETE' });
  }
}

describe('faults', () => {
  test('failRate 1 answers site pages with 503 while the API keeps working', async () => {
    await withFaults({ failRate: 1 }, async () => {
      const res = await new SiteClient(platform.url).fetch('/login');
      assert.equal(res.status, 503);
      assert.match(await res.text(), /temporarily unavailable/);
      assert.equal((await api.fetch('/api/health')).status, 200);
    });
    assert.equal((await new SiteClient(platform.url).fetch('/login')).status, 200);
  });

  test('a fault body out of range is a 400 naming the field', async () => {
    const res = await api.postJson('/api/faults', { failRate: 2 });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { field: string }).field, 'failRate');
  });

  test('slowUploadMs delays the upload', async () => {
    const client = await signedIn('snail');
    await withFaults({ slowUploadMs: 400 }, async () => {
      const started = Date.now();
      assert.equal((await client.upload(await freshVideo(), 'slow')).status, 200);
      assert.ok(Date.now() - started >= 400);
    });
  });

  // Where the hang strikes decides what a client that gave up waiting leaves behind: before
  // the post, nothing; after it, a published post whose answer never came.
  const hangs = [
    { title: 'hangUploads never answers and publishes nothing', faults: { hangUploads: true }, account: 'hanger', giveUpMs: 500, published: 0 },
    { title: 'hangAfterUpload publishes but never answers: the lost response', faults: { hangAfterUpload: true }, account: 'lost', giveUpMs: 800, published: 1 },
  ];
  for (const { title, faults, account, giveUpMs, published } of hangs) {
    test(title, async () => {
      const client = await signedIn(account);
      await withFaults(faults, async () => {
        await assert.rejects(client.upload(await freshVideo(), account, 'clip.mp4', AbortSignal.timeout(giveUpMs)), { name: 'TimeoutError' });
        assert.equal((await apiPosts(account)).length, published);
      });
    });
  }
});

describe('persistence', () => {
  test('accounts, sessions and posts survive a restart', async () => {
    const client = await signedIn('keeper');
    assert.equal((await client.upload(await freshVideo(), 'kept')).status, 200);
    const before = await apiPosts();

    platform = await platform.restart();
    api = new SiteClient(platform.url);
    assert.deepEqual(await apiPosts(), before);
    const afterRestart = client.withBaseUrl(platform.url);
    assert.equal((await afterRestart.fetch('/upload')).status, 200, 'the session cookie still works');
    assert.equal((await new SiteClient(platform.url).signIn('keeper', 'secret-pw')).status, 303);
    // The duplicate check still knows every earlier file.
    assert.equal((await afterRestart.upload(video, 'again')).status, 409);
  });
});
