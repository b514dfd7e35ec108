import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../config';
import type { ApiPost } from '../../demo-platform/api-routes';
import { makeTestVideo, SiteClient, startTestDemoPlatform, type TestDemoPlatform } from '../../demo-platform/fixtures';
import { PlatformError, type PlatformAdapter, type PlatformErrorKind } from '../adapter';
import { createBrowserPool, type BrowserPool, type StorageState } from '../browser-pool';
import { PAGE_LOADS } from '../form-adapter';
import { createDemoAdapter } from './adapter';

let platform: TestDemoPlatform;
let api: SiteClient;
let pool: BrowserPool;
let adapter: PlatformAdapter;
let videoA: string;
let videoB: string;
let textFile: string;

const alice = { username: 'alice', password: 'alice-pw' };
const bob = { username: 'bob', password: 'bob-pw' };
const otto = { username: 'otto', password: 'otto-pw', otpCode: '424242' };

const sha256Of = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

async function postsOf(account: string): Promise<ApiPost[]> {
  return (await (await api.fetch(`/api/posts?account=${account}`)).json()) as ApiPost[];
}

/** Asserts that `promise` fails with a PlatformError of `kind`, and returns it. */
async function platformError(promise: Promise<unknown>, kind: PlatformErrorKind): Promise<PlatformError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof PlatformError, `expected a PlatformError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    return err;
  }
  assert.fail(`expected PlatformError ${kind}, but it succeeded`);
}

async function withFaults<T>(faults: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  assert.equal((await api.postJson('/api/faults', faults)).status, 200);
  try {
    return await fn();
  } finally {
    await api.fetch('/api/faults', { method: 'DELETE' });
  }
}

before(async () => {
  platform = await startTestDemoPlatform();
  api = new SiteClient(platform.url);
  for (const account of [alice, bob, otto]) {
    assert.equal((await api.postJson('/api/accounts', account)).status, 201);
  }
  videoA = await makeTestVideo(path.join(platform.dataDir, 'a.mp4'), 'a');
  videoB = await makeTestVideo(path.join(platform.dataDir, 'b.mp4'), 'b');
  textFile = path.join(platform.dataDir, 'notes.mp4');
  await writeFile(textFile, 'not a video\n'.repeat(500));
  pool = createBrowserPool({ ...loadConfig().browser, concurrency: 2 });
  adapter = createDemoAdapter({ baseUrl: platform.url, navigationTimeoutMs: 10_000, publishTimeoutMs: 20_000 });
});

after(async () => {
  await pool.close();
  await platform.destroy();
});

describe('demo adapter', () => {
  test('signs in, publishes a video, and finds that post by SHA-256 only once it exists', async () => {
    const sha256 = await sha256Of(videoA);
    const steps: string[] = [];
    const post = await pool.withContext({}, async (_context, page) => {
      assert.equal(await adapter.isSignedIn(page), false);
      await adapter.signIn(page, alice);
      assert.equal(await adapter.isSignedIn(page), true);
      assert.equal(await adapter.findExistingPost(page, { sha256, caption: 'clip A' }), null);
      const published = await adapter.publish(page, { filePath: videoA, caption: 'clip A', onProgress: (s) => steps.push(s) });
      assert.deepEqual(await adapter.findExistingPost(page, { sha256, caption: 'clip A' }), published);
      return published;
    });
    assert.deepEqual(steps, ['opening upload page', 'attaching file', 'writing caption', 'publishing', 'published']);
    const posts = await postsOf('alice');
    assert.deepEqual(
      posts.map((p) => ({ postId: p.id, url: p.url, sha256: p.sha256, caption: p.caption })),
      [{ ...post, sha256, caption: 'clip A' }],
    );
  });

  test('a wrong password is bad_credentials, not retryable, with a message naming the user', async () => {
    const err = await pool.withContext({}, (_c, page) => platformError(adapter.signIn(page, { ...alice, password: 'nope' }), 'bad_credentials'));
    assert.equal(err.retryable, false);
    assert.equal(err.message, 'demo: sign-in rejected for user alice: Invalid username or password');
  });

  test('an account with a one-time code signs in with it, and fails clearly without it', async () => {
    await pool.withContext({}, async (_c, page) => {
      await adapter.signIn(page, otto);
      assert.equal(await adapter.isSignedIn(page), true);
    });
    await pool.withContext({}, async (_c, page) => {
      const { otpCode: _omitted, ...withoutCode } = otto;
      await platformError(adapter.signIn(page, withoutCode), 'bad_credentials');
      await platformError(adapter.signIn(page, { ...otto, otpCode: '000000' }), 'bad_credentials');
    });
  });

  test('a saved session skips sign-in until the platform expires it', async () => {
    const state: StorageState = await pool.withContext({}, async (context, page) => {
      await adapter.signIn(page, bob);
      return context.storageState();
    });
    assert.equal(await pool.withContext({ storageState: state }, (_c, page) => adapter.isSignedIn(page)), true);
    assert.equal(await pool.withContext({}, (_c, page) => adapter.isSignedIn(page)), false, 'a fresh context has no session');

    await api.postJson('/api/accounts/bob/expire-sessions', {});
    await pool.withContext({ storageState: state }, async (_c, page) => {
      assert.equal(await adapter.isSignedIn(page), false);
      const err = await platformError(adapter.publish(page, { filePath: videoB, caption: 'x' }), 'session_expired');
      assert.equal(err.retryable, true);
    });
  });

  test('the same file from another account is a non-retryable duplicate', async () => {
    const err = await pool.withContext({}, async (_c, page) => {
      await adapter.signIn(page, bob);
      return platformError(adapter.publish(page, { filePath: videoA, caption: 'stolen' }), 'duplicate');
    });
    assert.equal(err.retryable, false);
    assert.match(err.message, /^demo: upload of a\.mp4 refused: Duplicate video/);
    assert.equal((await postsOf('bob')).length, 0);
  });

  test('a file that is not a video is rejected, not retried', async () => {
    const err = await pool.withContext({}, async (_c, page) => {
      await adapter.signIn(page, bob);
      return platformError(adapter.publish(page, { filePath: textFile, caption: 'text' }), 'rejected');
    });
    assert.equal(err.retryable, false);
  });

  test('a 503 from the platform is unavailable and retryable', async () => {
    const state: StorageState = await pool.withContext({}, async (context, page) => {
      await adapter.signIn(page, bob);
      return context.storageState();
    });
    await withFaults({ failRate: 1 }, () =>
      pool.withContext({ storageState: state }, async (_c, page) => {
        const err = await platformError(adapter.publish(page, { filePath: videoB, caption: 'b' }), 'unavailable');
        assert.equal(err.retryable, true);
        assert.match(err.message, /HTTP 503/);
        await platformError(adapter.signIn(page, bob), 'unavailable');
        await platformError(adapter.isSignedIn(page), 'unavailable');
      }),
    );
  });

  test('a page answered 503 is loaded again, as a person would reload it; past PAGE_LOADS tries it is unavailable', async () => {
    const served = async () => ((await (await api.fetch('/api/faults')).json()) as { served503: number }).served503;
    const before = await served();
    await withFaults({ failNext: PAGE_LOADS - 1 }, () =>
      pool.withContext({}, async (_c, page) => {
        assert.equal(await adapter.isSignedIn(page), false, 'the page loaded on its last try');
      }),
    );
    assert.equal((await served()) - before, PAGE_LOADS - 1, 'every 503 was answered, and each was followed by a reload');
    await withFaults({ failNext: PAGE_LOADS }, () =>
      pool.withContext({}, async (_c, page) => {
        const err = await platformError(adapter.isSignedIn(page), 'unavailable');
        assert.match(err.message, new RegExp(`HTTP 503 ${PAGE_LOADS} times`));
      }),
    );
  });

  test('an upload whose answer never comes times out as unavailable, and the retry finds the post', async () => {
    const impatient = createDemoAdapter({ baseUrl: platform.url, publishTimeoutMs: 1_500 });
    const sha256 = await sha256Of(videoB);
    await pool.withContext({}, async (_c, page) => {
      await impatient.signIn(page, bob);
      const err = await withFaults({ hangAfterUpload: true }, () => platformError(impatient.publish(page, { filePath: videoB, caption: 'lost answer' }), 'unavailable'));
      assert.equal(err.retryable, true);
      const found = await impatient.findExistingPost(page, { sha256, caption: 'lost answer' });
      assert.equal(found?.postId, (await postsOf('bob'))[0]?.id);
    });
  });
});
