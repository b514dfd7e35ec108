import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planChunks, TIKTOK_CHUNK_RULES } from './tiktok';

const MIB = 1024 * 1024;

/** Every rule of TikTok's media transfer guide, checked on a plan. */
function assertFollowsTheRules(size: number, preferred: number): ReturnType<typeof planChunks> {
  const plan = planChunks(size, preferred);
  const ranges = Array.from({ length: plan.totalChunkCount }, (_, i) => plan.range(i));
  assert.ok(plan.totalChunkCount >= 1 && plan.totalChunkCount <= TIKTOK_CHUNK_RULES.maxChunks, `1-1000 chunks, got ${plan.totalChunkCount}`);
  assert.equal(plan.totalChunkCount, Math.max(1, Math.floor(size / plan.chunkSize)), 'total_chunk_count = floor(video_size / chunk_size)');
  assert.equal(ranges[0]!.start, 0);
  assert.equal(ranges.at(-1)!.end, size, 'the chunks cover the whole file');
  ranges.forEach((r, i) => {
    if (i > 0) assert.equal(r.start, ranges[i - 1]!.end, 'chunks are contiguous');
    if (i < ranges.length - 1) assert.equal(r.end - r.start, plan.chunkSize, 'every chunk but the last is chunk_size');
  });
  if (size > TIKTOK_CHUNK_RULES.maxChunk) assert.ok(plan.totalChunkCount >= 2, 'a file over 64 MB goes in several chunks');
  if (size < TIKTOK_CHUNK_RULES.minChunk) assert.equal(plan.chunkSize, size, 'a file under 5 MB goes whole');
  else {
    assert.ok(plan.chunkSize >= TIKTOK_CHUNK_RULES.minChunk && plan.chunkSize <= TIKTOK_CHUNK_RULES.maxChunk, `chunk_size in 5-64 MB, got ${plan.chunkSize}`);
    const last = ranges.at(-1)!;
    assert.ok(last.end - last.start >= plan.chunkSize || plan.totalChunkCount === 1, 'the last chunk takes the remainder');
    assert.ok(last.end - last.start <= TIKTOK_CHUNK_RULES.maxLastChunk, 'the last chunk is at most 128 MB');
  }
  return plan;
}

describe('TikTok chunk plan', () => {
  it('sends a 4.9 MB file as one chunk of its own size', () => {
    const size = Math.round(4.9 * MIB);
    const plan = assertFollowsTheRules(size, 8 * MIB);
    assert.deepEqual([plan.chunkSize, plan.totalChunkCount], [size, 1]);
  });

  it('sends exactly 5 MB as one 5 MB chunk', () => {
    const plan = assertFollowsTheRules(5 * MIB, 8 * MIB);
    assert.deepEqual([plan.chunkSize, plan.totalChunkCount], [5 * MIB, 1]);
  });

  it('cuts 64 MB into 8 MB chunks, or sends it whole with 64 MB chunks', () => {
    assert.deepEqual([assertFollowsTheRules(64 * MIB, 8 * MIB).totalChunkCount], [8]);
    const whole = assertFollowsTheRules(64 * MIB, 64 * MIB);
    assert.deepEqual([whole.chunkSize, whole.totalChunkCount], [64 * MIB, 1]);
  });

  it('sends 64 MB + 1 in two chunks (over 64 MB never goes whole), the extra byte in the last', () => {
    const plan = assertFollowsTheRules(64 * MIB + 1, 64 * MIB);
    assert.deepEqual([plan.chunkSize, plan.totalChunkCount], [32 * MIB, 2]);
    assert.deepEqual(plan.range(1), { start: 32 * MIB, end: 64 * MIB + 1 });
    const small = assertFollowsTheRules(64 * MIB + 1, 8 * MIB);
    assert.equal(small.range(small.totalChunkCount - 1).end - small.range(small.totalChunkCount - 1).start, 8 * MIB + 1);
  });

  it('cuts 200 MB into chunks whose last takes the remainder', () => {
    const plan = assertFollowsTheRules(200 * MIB, 64 * MIB);
    assert.deepEqual([plan.chunkSize, plan.totalChunkCount], [64 * MIB, 3]);
    assert.deepEqual(plan.range(2), { start: 128 * MIB, end: 200 * MIB });
    assert.equal(assertFollowsTheRules(200 * MIB, 8 * MIB).totalChunkCount, 25);
  });

  it('keeps a preferred size outside 5-64 MB inside it, and grows chunks past 1000', () => {
    assert.equal(assertFollowsTheRules(30 * MIB, 1 * MIB).chunkSize, 5 * MIB);
    assert.equal(assertFollowsTheRules(300 * MIB, 100 * MIB).chunkSize, 64 * MIB);
    const big = assertFollowsTheRules(6_000 * MIB, 5 * MIB);
    assert.equal(big.totalChunkCount, 1000);
    assert.throws(() => planChunks(70_000 * MIB, 8 * MIB), /too large for TikTok/);
  });
});
