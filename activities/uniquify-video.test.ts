import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import type { UniquifyVideoInput } from '../contracts/activities';
import { FAILURE } from '../contracts/failure-types';
import { VideoData } from '../database/entities';
import { makeSampleVideo } from '../media';
import { mockActivityEnv, openActivityTestDb, runActivity, type ActivityTestDb } from '../test/fixtures/activity-env';
import { makeUniquifyVideo } from './uniquify-video';

const failureOf = (type: string, text?: RegExp) => (err: unknown) =>
  err instanceof ApplicationFailure && err.type === type && err.nonRetryable && (!text || text.test(err.message));

describe('uniquifyVideo', { timeout: 120_000 }, () => {
  let db: ActivityTestDb;
  let uniquifyVideo: ReturnType<typeof makeUniquifyVideo>;
  const videos = [
    { id: 'clip', path: 'clip.mp4', caption: '' },
    { id: 'long', path: 'long.mp4', caption: '' },
    { id: 'text', path: 'notes.mp4', caption: '' },
  ];

  before(async () => {
    db = await openActivityTestDb();
    uniquifyVideo = makeUniquifyVideo({ orm: db.orm, media: db.media });
    await makeSampleVideo({ outputPath: path.join(db.media.root, 'clip.mp4'), width: 320, height: 240, durationSec: 1, fps: 15, pattern: 'clip' });
    await makeSampleVideo({ outputPath: path.join(db.media.root, 'long.mp4'), width: 640, height: 480, durationSec: 20, fps: 30, pattern: 'long' });
    await db.addMediaFile('notes.mp4', 'these are notes, not a video');
    await db.addTask({ taskId: 't', accountIds: ['a', 'b'], videos });
  });
  after(async () => db?.close());

  const input = (over: Partial<UniquifyVideoInput> = {}): UniquifyVideoInput => ({ taskId: 't', accountId: 'a', videoId: 'clip', sourcePath: 'clip.mp4', preset: 'fast', ...over });
  const row = (accountId: string, videoId: string) => db.orm.em.fork().findOneOrFail(VideoData, { task: 't', accountId, videoId });

  it('a dry run plans the same variant path twice and records it, encoding nothing', async () => {
    const first = await runActivity(uniquifyVideo, input({ accountId: 'b', dryRun: true }));
    const second = await runActivity(uniquifyVideo, input({ accountId: 'b', dryRun: true }));
    assert.equal(second.filePath, first.filePath);
    assert.ok(first.filePath.startsWith(path.join(db.media.variantsDir, 't', 'b') + path.sep));
    await assert.rejects(fs.access(first.filePath), 'nothing was encoded');
    const video = await row('b', 'clip');
    assert.deepEqual([video.status, video.filePath], ['uniquified', first.filePath]);
  });

  it('renders a variant under the variants folder; a retry reuses it', async () => {
    const first = await runActivity(uniquifyVideo, input());
    assert.equal(first.reused, false);
    assert.ok(first.filePath.startsWith(db.media.variantsDir + path.sep));
    assert.ok((await fs.stat(first.filePath)).size > 0);
    const retry = await runActivity(uniquifyVideo, input());
    assert.deepEqual({ ...retry, reused: false }, first);
    assert.equal(retry.reused, true);
    assert.equal((await row('a', 'clip')).sha256, first.sha256);
  });

  it('refuses a path outside the media root', async () => {
    await assert.rejects(runActivity(uniquifyVideo, input({ sourcePath: '../../etc/passwd' })), failureOf(FAILURE.PathOutsideMediaRoot, /\.\.\/\.\.\/etc\/passwd/));
  });

  it('refuses a missing video naming it as typed, and a file that is not a video', async () => {
    await assert.rejects(runActivity(uniquifyVideo, input({ sourcePath: 'gone.mp4' })), failureOf(FAILURE.VideoNotFound, /gone\.mp4/));
    await assert.rejects(runActivity(uniquifyVideo, input({ videoId: 'text', sourcePath: 'notes.mp4' })), failureOf(FAILURE.NotAVideo, /notes\.mp4/));
  });

  it('refuses invalid input naming the field', async () => {
    await assert.rejects(runActivity(uniquifyVideo, input({ preset: 'light' as UniquifyVideoInput['preset'] })), failureOf(FAILURE.InvalidInput, /preset/));
  });

  it('a cancel while encoding ends as a cancellation and leaves no partial file', async () => {
    const env = mockActivityEnv();
    env.on('heartbeat', (details: { progress?: number }) => {
      if ((details.progress ?? 0) > 0) env.cancel();
    });
    await assert.rejects(env.run(uniquifyVideo, input({ videoId: 'long', sourcePath: 'long.mp4', preset: 'strong' })), CancelledFailure);
    const left = await fs.readdir(path.join(db.media.variantsDir, 't', 'a'));
    assert.deepEqual(
      left.filter((f) => f.includes('.partial')),
      [],
    );
  });
});
