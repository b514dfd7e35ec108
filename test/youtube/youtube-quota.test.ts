/**
 * Quota on the real stack: with a budget that fits 2 uploads per quota period, a 4-upload
 * bulk publishes 2, waits on a durable timer until the period rolls over (a 40-second period
 * here, YOUTUBE_QUOTA_PERIOD_SECONDS; Google's is a Pacific-time day), then publishes 2 more.
 * Nothing fails.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { taskLogsKey } from '../../contracts/names';
import { QuotaUsage } from '../../database/entities';
import { quotaPeriod } from '../../platforms/official-api/quota';
import type { BulkUploadResult } from '../../workflows/bulk-upload';
import { useTestStack } from '../fixtures/suite-stack';
import { waitFor } from '../fixtures/wait';
import { youtubeFaults, youtubeState } from '../fixtures/youtube';

const PERIOD_S = 40;

describe('YouTube quota', { timeout: 300_000 }, () => {
  const stack = useTestStack({
    youtube: { processingMs: 500, quotaPerDay: 1_000_000 },
    env: { YOUTUBE_QUOTA_BUDGET: '3200', YOUTUBE_UPLOAD_COST: '1600', YOUTUBE_QUOTA_PERIOD_SECONDS: String(PERIOD_S) },
  });

  it('a budget that fits 2 uploads: 2 publish, the others wait for the next period, then publish; nothing fails', async () => {
    const s = stack();
    const accountIds = ['q1', 'q2', 'q3', 'q4'];
    for (const id of accountIds) await s.connectYouTube(id);
    const video = await s.addVideo('quota.mp4', { durationSec: 2 });
    // Start early in a period, so the first two surely fit in it.
    await waitFor('a fresh quota period', async () => quotaPeriod(new Date(), PERIOD_S).end.getTime() - Date.now() > PERIOD_S * 1000 - 8_000, PERIOD_S * 1000 + 5_000);
    const first = quotaPeriod(new Date(), PERIOD_S);
    const taskId = `yt-quota-${randomBytes(3).toString('hex')}`;
    const res = await s.api('POST', '/bulk-uploads', { taskId, platform: 'youtube', videos: [{ path: video, caption: 'quota' }], accountIds, options: { concurrency: 4 } });
    assert.equal(res.status, 202, await res.clone().text());

    // Two publish while the other two wait, and their status says until when.
    const waiting = async () => {
      const status = (await (await s.api('GET', `/bulk-uploads/${taskId}`)).json()) as { accounts: { currentStep: string | null }[] };
      return status.accounts.filter((a) => /waiting for quota until \d{4}-\d\d-\d\dT/.test(a.currentStep ?? '')).length;
    };
    await waitFor('two published and two waiting for quota', async () => (await youtubeState(s.youtube!)).videos.length === 2 && (await waiting()) === 2);
    assert.ok(Date.now() < first.end.getTime(), 'still within the first period');
    const midway = await youtubeState(s.youtube!);

    const result = (await s.env.client.workflow.getHandle(`bulk-upload-${taskId}`).result()) as BulkUploadResult;
    assert.equal(result.status, 'completed');
    assert.equal(result.failed, 0);
    const state = await youtubeState(s.youtube!);
    assert.equal(state.videos.length, 4, 'all four published, each once');
    const later = state.videos.filter((v) => !midway.videos.some((m) => m.id === v.id));
    assert.equal(later.length, 2);
    // The ledger counted two uploads in each of two periods.
    const usage = await s.deps.orm.em.fork().find(QuotaUsage, { platform: 'youtube' }, { orderBy: { period: 'asc' } });
    assert.deepEqual(
      usage.map((u) => u.used),
      [3200, 3200],
    );
    assert.equal(usage[0]!.period, first.key);
  });

  it("YouTube's own 403 quotaExceeded is a wait until the period ends too, not a failure", async () => {
    const s = stack();
    await s.connectYouTube('q5');
    const video = await s.addVideo('quota-403.mp4', { durationSec: 2 });
    await youtubeFaults(s.youtube!, { quotaExceeded: true });
    // Early in a period nothing has spent yet (the test before may have ended in one).
    await waitFor(
      'a fresh, unspent quota period',
      async () => {
        const now = quotaPeriod(new Date(), PERIOD_S);
        return now.end.getTime() - Date.now() > PERIOD_S * 1000 - 8_000 && (await s.deps.orm.em.fork().count(QuotaUsage, { period: now.key })) === 0;
      },
      2 * PERIOD_S * 1000 + 5_000,
    );
    const period = quotaPeriod(new Date(), PERIOD_S);
    const before = await youtubeState(s.youtube!);
    const taskId = `yt-quota-403-${randomBytes(3).toString('hex')}`;
    const res = await s.api('POST', '/bulk-uploads', { taskId, platform: 'youtube', videos: [{ path: video, caption: 'refused once' }], accountIds: ['q5'] });
    assert.equal(res.status, 202, await res.clone().text());
    const result = (await s.env.client.workflow.getHandle(`bulk-upload-${taskId}`).result()) as BulkUploadResult;
    assert.equal(result.status, 'completed');
    const lines = await s.deps.redis.xrange(taskLogsKey(taskId), '-', '+');
    assert.ok(
      lines.some(([, f]) => (f[1] ?? '').includes('waiting for quota until')),
      'it waited',
    );
    const refused = (await youtubeState(s.youtube!)).requests.slice(before.requests.length).filter((r) => r.method === 'POST' && r.path.startsWith('/upload/') && r.status === 403);
    assert.equal(refused.length, 1, 'YouTube refused the first insert');
    // One upload tried in that period (1,600 units counted), yet it is marked spent, as YouTube said; the upload went in the next one.
    const usage = await s.deps.orm.em.fork().find(QuotaUsage, { platform: 'youtube', period: { $gte: period.key } }, { orderBy: { period: 'asc' } });
    assert.deepEqual(
      usage.map((u) => [u.period, u.used]),
      [
        [period.key, 3200],
        [quotaPeriod(period.end, PERIOD_S).key, 1600],
      ],
    );
  });
});
