/**
 * Platform limits are waits, not failures, on the real stack: TikTok's video inits per
 * window per user, Instagram's posts per 24 hours (windows shortened through the settings
 * and the local servers' options), and a 429's Retry-After.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { accountLogsKey } from '../contracts/names';
import type { BulkUploadResult } from '../workflows/bulk-upload';
import { instagramFaults, instagramState } from './fixtures/instagram';
import { useTestStack } from './fixtures/suite-stack';
import { tiktokFaults, tiktokState } from './fixtures/tiktok';

const TIKTOK_WINDOW_S = 30;
const INSTAGRAM_WINDOW_S = 20;

describe('API platform limits', { timeout: 400_000 }, () => {
  const run = randomBytes(3).toString('hex');
  const stack = useTestStack({
    tiktok: { processingMs: 300, initPerMinute: 6, rateWindowMs: TIKTOK_WINDOW_S * 1000 },
    instagram: { processingMs: 300, publishLimit: 2, publishWindowSeconds: INSTAGRAM_WINDOW_S },
    env: { TIKTOK_INITS_PER_WINDOW: '6', TIKTOK_INIT_WINDOW_SECONDS: String(TIKTOK_WINDOW_S), INSTAGRAM_LIMIT_RECHECK_SECONDS: '4' },
  });

  async function bulk(body: Record<string, unknown>): Promise<BulkUploadResult> {
    const res = await stack().api('POST', '/bulk-uploads', body);
    assert.equal(res.status, 202, await res.clone().text());
    const { workflowId } = (await res.json()) as { workflowId: string };
    return (await stack().env.client.workflow.getHandle(workflowId).result()) as BulkUploadResult;
  }
  const logLines = async (taskId: string, accountId: string) => (await stack().deps.redis.xrange(accountLogsKey(taskId, accountId), '-', '+')).map(([, f]) => f[1] ?? '');

  it('TikTok: 8 videos to one account wait out its 6 inits per window instead of failing', async () => {
    const s = stack();
    await s.connectTikTok('tt-limit');
    const videos = await Promise.all(Array.from({ length: 8 }, (_, i) => s.addVideo(`tt-limit-${i}.mp4`, { durationSec: 1 })));
    const taskId = `tt-limit-${run}`;
    const outcome = await bulk({ taskId, platform: 'tiktok', videos: videos.map((path) => ({ path })), accountIds: ['tt-limit'] });
    assert.equal(outcome.status, 'completed', 'nothing failed');
    const state = await tiktokState(s.tiktok!);
    assert.equal(state.posts.filter((p) => p.status === 'PUBLISH_COMPLETE').length, 8);
    const inits = state.inits.flatMap((i) => i.at).sort((a, b) => a - b);
    assert.equal(inits.length, 8, 'one accepted init per video');
    assert.ok(inits[6]! - inits[0]! >= TIKTOK_WINDOW_S * 1000, `the 7th init came a window after the 1st (${inits[6]! - inits[0]!} ms)`);
    // The wait was clipfleet's own (the ledger), or TikTok's 429 honoured; either way a wait, never a failure.
    const lines = await logLines(taskId, 'tt-limit');
    const waitedOnLedger = lines.some((l) => l.includes(`waiting for TikTok's 6 video inits per ${TIKTOK_WINDOW_S} s until`));
    const refused = state.requests.filter((r) => r.path.endsWith('/video/init/') && r.status === 429);
    assert.ok(waitedOnLedger || refused.length > 0, 'the account waited for the window');
  });

  it('Instagram: an account at its posts-per-24-hours limit waits, durably, then publishes', async () => {
    const s = stack();
    await s.connectInstagram('ig-limit');
    const videos = await Promise.all(Array.from({ length: 3 }, (_, i) => s.addVideo(`ig-limit-${i}.mp4`, { durationSec: 1 })));
    const taskId = `ig-limit-${run}`;
    const outcome = await bulk({ taskId, platform: 'instagram', videos: videos.map((path) => ({ path })), accountIds: ['ig-limit'] });
    assert.equal(outcome.status, 'completed', 'nothing failed');
    const media = (await instagramState(s.instagram!)).media.map((m) => Date.parse(m.publishedAt)).sort((a, b) => a - b);
    assert.equal(media.length, 3);
    assert.ok(media[2]! - media[0]! >= INSTAGRAM_WINDOW_S * 1000, `the 3rd Reel waited for the 1st to leave the window (${media[2]! - media[0]!} ms)`);
    const lines = await logLines(taskId, 'ig-limit');
    assert.ok(
      lines.some((l) => l.includes(`waiting for Instagram's 2 posts per ${INSTAGRAM_WINDOW_S} s until`)),
      `the wait shows in the account's log: ${lines.join(' | ')}`,
    );
  });

  it('a 429 is retried no sooner than its Retry-After, on TikTok and on Instagram', async () => {
    const s = stack();
    const video = await s.addVideo('limit-429.mp4', { durationSec: 1 });
    for (const [platform, accountId, faults, requests] of [
      ['tiktok', 'tt-limit', () => tiktokFaults(s.tiktok!, { rateLimitNext: { count: 1, retryAfterSeconds: 4 } }), async () => (await tiktokState(s.tiktok!)).requests],
      [
        'instagram',
        'ig-limit',
        () => instagramFaults(s.instagram!, { rateLimitNext: { count: 1, retryAfterSeconds: 4 } }),
        async () => (await instagramState(s.instagram!)).requests,
      ],
    ] as const) {
      const before = (await requests()).length;
      await faults();
      const outcome = await bulk({ taskId: `${platform}-429-${run}`, platform, videos: [{ path: video }], accountIds: [accountId] });
      assert.equal(outcome.status, 'completed', `${platform}: nothing failed`);
      const seen = (await requests()).slice(before);
      const refusedAt = seen.findIndex((r) => r.status === 429);
      assert.ok(refusedAt >= 0, `${platform}: the 429 was met`);
      const next = seen[refusedAt + 1];
      assert.ok(next, `${platform}: asked again`);
      assert.ok(next.at - seen[refusedAt]!.at >= 4_000, `${platform}: asked again ${next.at - seen[refusedAt]!.at} ms after the 429, not before its Retry-After of 4 s`);
    }
  });
});
