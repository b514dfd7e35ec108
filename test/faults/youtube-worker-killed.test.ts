/**
 * Fault: the worker is SIGKILLed halfway through a YouTube upload of a file over 30 MB. A new
 * worker asks the server where the same session stands and continues from there: one video,
 * one session, and well under 1.3 times the file's bytes sent in all.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { bulkUploadWorkflowId } from '../../contracts/names';
import { VideoData } from '../../database/entities';
import { startTestStack, type TestStack } from '../fixtures/stack';
import { waitFor } from '../fixtures/wait';
import { startWorkerProcess } from '../fixtures/worker-process';
import { youtubeFaults, youtubeState } from '../fixtures/youtube';

describe('fault: worker killed mid-upload to YouTube', { timeout: 400_000 }, () => {
  let stack: TestStack;
  const workers: ChildProcess[] = [];
  before(async () => {
    stack = await startTestStack({ worker: false, youtube: { processingMs: 1_000 }, env: { YOUTUBE_CHUNK_BYTES: String(1024 * 1024) } });
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await stack?.close();
  });

  it('resumes the same session at the offset the server confirms: one video, under 1.3x the bytes', async (t) => {
    await stack.connectYouTube('yt-kill');
    const video = await stack.addVideo('big.mp4', { durationSec: 26, noisy: true });
    const taskId = `yt-killed-${Date.now()}`;
    workers.push(startWorkerProcess(stack));
    // About 12 s on the wire for the first attempt: time to kill it halfway.
    await youtubeFaults(stack.youtube!, { bytesPerSecond: 3_000_000 });
    const res = await stack.api('POST', '/bulk-uploads', { taskId, platform: 'youtube', videos: [{ path: video, caption: 'big one' }], accountIds: ['yt-kill'] });
    assert.equal(res.status, 202, await res.clone().text());

    let total = 0;
    await waitFor(
      'the upload to pass 40%',
      async () => {
        const session = (await youtubeState(stack.youtube!)).sessions[0];
        total = session?.total ?? 0;
        return session !== undefined && total > 0 && session.stored >= 0.4 * total;
      },
      240_000,
    );
    assert.ok(total >= 30_000_000, `the variant is over 30 MB (${total} bytes)`);
    const first = workers[0]!;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = (await youtubeState(stack.youtube!)).sessions[0]!;
    assert.ok(!atKill.complete && atKill.stored < total, 'killed mid-file');

    await youtubeFaults(stack.youtube!, null);
    workers.push(startWorkerProcess(stack));
    const result = await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result();
    assert.equal(result.status, 'completed');

    const state = await youtubeState(stack.youtube!);
    assert.equal(state.sessions.length, 1, 'the same session was continued, no second one opened');
    assert.equal(state.videos.length, 1, 'exactly one video for that (account, video)');
    const received = state.sessions.reduce((sum, s) => sum + s.bytesReceived, 0);
    t.diagnostic(`killed at ${atKill.stored} of ${total} bytes; the server received ${received} bytes in all (${(received / total).toFixed(3)}x the file)`);
    assert.ok(received < 1.3 * total, `the server received ${received} bytes for a ${total}-byte file`);
    const row = await stack.deps.orm.em.fork().findOneOrFail(VideoData, { task: taskId, accountId: 'yt-kill' });
    const variantSha = createHash('sha256')
      .update(await fs.readFile(row.filePath!))
      .digest('hex');
    assert.equal(state.videos[0]!.sha256, variantSha, 'the resumed file is byte for byte the variant');
    assert.equal(row.postId, state.videos[0]!.id);
    assert.equal(row.status, 'published');
  });
});
