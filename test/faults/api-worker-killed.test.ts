/**
 * Fault: the worker is SIGKILLed partway through a TikTok upload, and again through an
 * Instagram one, each of a file over 30 MB. A new worker asks the platform what it holds
 * (TikTok's uploaded_bytes, the container's bytes_transferred) and goes on from there: one
 * publish id or container, one post, under 1.3 times the file's bytes received in all.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { bulkUploadWorkflowId } from '../../contracts/names';
import { VideoData } from '../../database/entities';
import { instagramFaults, instagramState } from '../fixtures/instagram';
import { startTestStack, type TestStack } from '../fixtures/stack';
import { tiktokFaults, tiktokState } from '../fixtures/tiktok';
import { waitFor } from '../fixtures/wait';
import { startWorkerProcess } from '../fixtures/worker-process';

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

describe('fault: worker killed mid-upload to TikTok and to Instagram', { timeout: 600_000 }, () => {
  let stack: TestStack;
  let video: string;
  const workers: ChildProcess[] = [];
  before(async () => {
    // 5 MiB chunks: a cut chunk is resent whole, and stays a small part of the file.
    stack = await startTestStack({ worker: false, tiktok: { processingMs: 500 }, instagram: { processingMs: 500 }, env: { TIKTOK_CHUNK_BYTES: String(5 * 1024 * 1024) } });
    video = await stack.addVideo('big.mp4', { durationSec: 26, noisy: true });
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await stack?.close();
  });

  /** Starts a bulk of the big video, kills its worker once `progress` passes 40 %, and lets a new worker finish it. */
  async function killMidUpload(
    platform: string,
    accountId: string,
    progress: () => Promise<{ received: number; total: number }>,
  ): Promise<{ taskId: string; atKill: number; total: number }> {
    const taskId = `${platform}-killed-${Date.now()}`;
    workers.push(startWorkerProcess(stack));
    const res = await stack.api('POST', '/bulk-uploads', { taskId, platform, videos: [{ path: video, caption: 'big one' }], accountIds: [accountId] });
    assert.equal(res.status, 202, await res.clone().text());
    let seen = { received: 0, total: 0 };
    await waitFor(
      `the ${platform} upload to pass 40%`,
      async () => {
        seen = await progress();
        return seen.total > 0 && seen.received >= 0.4 * seen.total;
      },
      300_000,
    );
    assert.ok(seen.total >= 30_000_000, `the variant is over 30 MB (${seen.total} bytes)`);
    const first = workers.at(-1)!;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = (await progress()).received;
    assert.ok(atKill < seen.total, 'killed mid-file');
    return { taskId, atKill, total: seen.total };
  }

  it('TikTok: resumes the same publish from the bytes TikTok holds: one post, under 1.3x the bytes', async (t) => {
    await stack.connectTikTok('tt-kill');
    // About 11 s on the wire for the first attempt: time to kill it partway.
    await tiktokFaults(stack.tiktok!, { bytesPerSecond: 3_000_000 });
    const { taskId, atKill, total } = await killMidUpload('tiktok', 'tt-kill', async () => {
      const post = (await tiktokState(stack.tiktok!)).posts[0];
      return { received: post?.bytesReceived ?? 0, total: post?.videoSize ?? 0 };
    });
    await tiktokFaults(stack.tiktok!, null);
    workers.push(startWorkerProcess(stack));
    assert.equal((await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result()).status, 'completed');

    const state = await tiktokState(stack.tiktok!);
    assert.equal(state.posts.length, 1, 'the same publish was continued, no second init');
    const post = state.posts[0]!;
    assert.equal(post.status, 'PUBLISH_COMPLETE');
    t.diagnostic(`TikTok: killed at ${atKill} of ${total} bytes; received ${post.bytesReceived} in all (${(post.bytesReceived / total).toFixed(3)}x the file)`);
    assert.ok(post.bytesReceived < 1.3 * total, `TikTok received ${post.bytesReceived} bytes for a ${total}-byte file`);
    const row = await stack.deps.orm.em.fork().findOneOrFail(VideoData, { task: taskId });
    assert.equal(post.sha256, await sha256(row.filePath!), 'the resumed file is byte for byte the variant');
    assert.equal(row.postId, post.publishId);
    assert.equal(row.status, 'published');
  });

  it('Instagram: resumes the same container at bytes_transferred: one Reel, under 1.3x the bytes', async (t) => {
    await stack.connectInstagram('ig-kill');
    await instagramFaults(stack.instagram!, { bytesPerSecond: 3_000_000 });
    const { taskId, atKill, total } = await killMidUpload('instagram', 'ig-kill', async () => {
      const container = (await instagramState(stack.instagram!)).containers[0];
      return { received: container?.bytesReceived ?? 0, total: container?.fileSize ?? 0 };
    });
    await instagramFaults(stack.instagram!, null);
    workers.push(startWorkerProcess(stack));
    assert.equal((await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result()).status, 'completed');

    const state = await instagramState(stack.instagram!);
    assert.equal(state.containers.length, 1, 'the same container was continued, no second one');
    assert.equal(state.media.length, 1, 'exactly one Reel');
    const container = state.containers[0]!;
    t.diagnostic(`Instagram: killed at ${atKill} of ${total} bytes; received ${container.bytesReceived} in all (${(container.bytesReceived / total).toFixed(3)}x the file)`);
    assert.ok(container.bytesReceived < 1.3 * total, `Instagram received ${container.bytesReceived} bytes for a ${total}-byte file`);
    const row = await stack.deps.orm.em.fork().findOneOrFail(VideoData, { task: taskId });
    assert.equal(state.media[0]!.sha256, await sha256(row.filePath!), 'the resumed file is byte for byte the variant');
    assert.equal(row.postId, container.id);
    assert.equal(row.postUrl, state.media[0]!.permalink);
  });
});
