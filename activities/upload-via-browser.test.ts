import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE } from '../contracts/failure-types';
import { Account, VideoData } from '../database/entities';
import { PlatformError } from '../platforms/adapter';
import { UnknownPlatformError } from '../platforms/registry';
import {
  fakeBrowserPool,
  fakePlatform,
  liveTimers,
  memoryLogStore,
  openActivityTestDb,
  runActivity,
  settle,
  type ActivityTestDb,
  type FakeBrowserPool,
  type FakePlatform,
  type MemoryLogStore,
} from '../test/fixtures/activity-env';
import { makeUploadViaBrowser } from './upload-via-browser';

const failureOf = (type: string) => (err: unknown) => err instanceof ApplicationFailure && err.type === type;

describe('uploadViaBrowser', () => {
  let db: ActivityTestDb;
  let pool: FakeBrowserPool;
  let platform: FakePlatform;
  let logStore: MemoryLogStore;
  let platformLookupFails = false;
  let uploadViaBrowser: ReturnType<typeof makeUploadViaBrowser>;
  let taskSeq = 0;

  before(async () => {
    db = await openActivityTestDb();
    pool = fakeBrowserPool();
    logStore = memoryLogStore();
    uploadViaBrowser = makeUploadViaBrowser({
      orm: db.orm,
      secrets: db.secrets,
      browserPool: pool,
      logStore,
      media: db.media,
      platform: (name) => {
        if (platformLookupFails) throw new UnknownPlatformError(name);
        return platform;
      },
    });
    await db.addAccount({ id: 'acc', username: 'alice', password: 'alice-secret' });
  });
  after(async () => db?.close());

  /** A fresh task with one video for `acc`, its variant file written; returns the call's input. */
  async function prepared(opts: { variant?: boolean } = {}) {
    const taskId = `t${++taskSeq}`;
    await db.addTask({ taskId, accountIds: ['acc'], videos: [{ id: 'v1', path: 'a.mp4', caption: 'hello' }] });
    const filePath = path.join(db.media.variantsDir, taskId, 'acc', 'v1.mp4');
    if (opts.variant !== false) await db.addVariantFile(path.join(taskId, 'acc', 'v1.mp4'), `variant of ${taskId}`);
    platform = fakePlatform();
    platformLookupFails = false;
    return { taskId, accountId: 'acc', videoId: 'v1', platform: 'demo', filePath, caption: 'hello' };
  }

  const videoRow = (taskId: string) => db.orm.em.fork().findOneOrFail(VideoData, { task: taskId, accountId: 'acc', videoId: 'v1' });

  describe('leaves no timer running after it returns or throws, on every exit path', () => {
    // The heartbeat ticker and the stall watchdog must stop however the activity ends: a
    // long-lived worker would otherwise gather one live timer per upload that ended early.
    const exitPaths: { name: string; arrange: () => Promise<Parameters<typeof uploadViaBrowser>[0]>; outcome: 'returns' | string }[] = [
      {
        name: 'already published',
        arrange: async () => {
          const input = await prepared();
          await db.orm.em
            .fork()
            .nativeUpdate(VideoData, { task: input.taskId, videoId: 'v1' }, { status: 'published', postId: 'p-old', postUrl: 'https://demo.test/p/old', filePath: input.filePath });
          return input;
        },
        outcome: 'returns',
      },
      { name: 'dry run', arrange: async () => ({ ...(await prepared({ variant: false })), dryRun: true }), outcome: 'returns' },
      { name: 'unknown account', arrange: async () => ({ ...(await prepared()), accountId: 'nobody' }), outcome: FAILURE.UnknownAccount },
      { name: 'variant missing', arrange: () => prepared({ variant: false }), outcome: FAILURE.VideoNotFound },
      {
        name: 'platform lookup failure',
        arrange: async () => {
          const input = await prepared();
          platformLookupFails = true;
          return input;
        },
        outcome: FAILURE.UnknownPlatform,
      },
      { name: 'a successful upload', arrange: () => prepared(), outcome: 'returns' },
      {
        name: 'a failing adapter',
        arrange: async () => {
          const input = await prepared();
          platform.publishError = new PlatformError({ platform: 'demo', kind: 'rejected', detail: 'the video was refused' });
          return input;
        },
        outcome: FAILURE.UploadRejected,
      },
    ];

    for (const { name, arrange, outcome } of exitPaths) {
      it(name, async () => {
        const input = await arrange();
        await settle();
        const before = liveTimers();
        const call = runActivity(uploadViaBrowser, input);
        if (outcome === 'returns') await call;
        else await assert.rejects(call, failureOf(outcome));
        await settle();
        assert.equal(liveTimers() - before, 0, `expected 0 leaked timers on '${name}'`);
      });
    }
  });

  it('publishes exactly the variant, signs in once and saves the session encrypted', async () => {
    const input = await prepared();
    const result = await runActivity(uploadViaBrowser, input);
    assert.equal(result.alreadyPublished, false);
    assert.deepEqual(platform.published, [{ filePath: input.filePath, caption: 'hello' }]);
    assert.deepEqual(platform.signIns, ['alice']);
    const row = await videoRow(input.taskId);
    assert.equal(row.status, 'published');
    assert.equal(row.postId, result.postId);
    assert.equal(row.postUrl, result.url);
    const account = await db.orm.em.fork().findOneOrFail(Account, 'acc');
    assert.ok(account.sessionEnc, 'the new session was stored');
    assert.ok(!account.sessionEnc.includes('cookies'), 'the session is stored encrypted');
  });

  it('a retry after a recorded post returns it and posts nothing', async () => {
    const input = await prepared();
    const first = await runActivity(uploadViaBrowser, input);
    const second = await runActivity(uploadViaBrowser, input);
    assert.deepEqual(second, { ...first, alreadyPublished: true });
    assert.equal(platform.published.length, 1);
  });

  it('a retry whose post the platform already has returns it and posts nothing', async () => {
    const input = await prepared();
    platform.existing = { postId: 'earlier', url: 'https://demo.test/p/earlier' };
    const result = await runActivity(uploadViaBrowser, input);
    assert.deepEqual(result, { postId: 'earlier', url: 'https://demo.test/p/earlier', alreadyPublished: true });
    assert.deepEqual(platform.published, []);
  });

  it('a dry run records a post without opening a browser', async () => {
    const input = await prepared({ variant: false });
    const calls = pool.calls.length;
    const result = await runActivity(uploadViaBrowser, { ...input, dryRun: true });
    assert.match(result.url, /^dry-run:\/\/demo\/alice\//);
    assert.equal(pool.calls.length, calls);
    assert.equal((await videoRow(input.taskId)).status, 'published');
  });

  it('refuses a file outside the variants folder: originals never reach a platform', async () => {
    const input = await prepared();
    const original = path.join(db.media.root, await db.addMediaFile('original.mp4'));
    await assert.rejects(
      runActivity(uploadViaBrowser, { ...input, filePath: original }),
      (err: unknown) => failureOf(FAILURE.InvalidInput)(err) && /originals are never uploaded/.test((err as Error).message),
    );
    assert.deepEqual(platform.published, []);
  });

  it('an account on another platform is refused as unknown there', async () => {
    const input = await prepared();
    await assert.rejects(runActivity(uploadViaBrowser, { ...input, platform: 'elsewhere' }), failureOf(FAILURE.UnknownAccount));
  });

  it('a failed attempt keeps the page as evidence and says so in the log', async () => {
    const input = await prepared();
    platform.publishError = new PlatformError({ platform: 'demo', kind: 'unavailable', detail: '503 from the upload page' });
    await assert.rejects(runActivity(uploadViaBrowser, input), (err: unknown) => err instanceof ApplicationFailure && !err.nonRetryable && err.type === 'Platform_unavailable');
    const html = path.join(db.media.artifactsDir, input.taskId, 'acc-v1-attempt1.html');
    assert.match(await fs.readFile(html, 'utf8'), /fake upload page/);
    assert.ok(
      logStore.lines.some((l) => l.taskId === input.taskId && l.message.includes('upload attempt 1 of v1 failed: demo: 503 from the upload page') && l.message.includes(html)),
    );
  });

  it('invalid input is refused naming the field', async () => {
    await assert.rejects(
      runActivity(uploadViaBrowser, { taskId: 'bad id!', accountId: 'acc', videoId: 'v1', platform: 'demo', filePath: '/x', caption: '' }),
      (err: unknown) => failureOf(FAILURE.InvalidInput)(err) && /taskId/.test((err as Error).message),
    );
  });
});
