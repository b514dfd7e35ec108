/**
 * Instagram Reels end to end on the real stack against the local Graph API: accounts
 * connected through Facebook Login, resumable uploads of the uniquified files, the container
 * polled to FINISHED and published once, a processing error ending the video without a
 * second upload, a revoked grant failing its account alone.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { describe, it } from 'node:test';
import { FAILURE } from '../../contracts/failure-types';
import { accountLogsKey, accountUploadWorkflowId, bulkUploadWorkflowId, taskLogsKey } from '../../contracts/names';
import { BulkUploadAccount, LogLine, VideoData } from '../../database/entities';
import type { BulkUploadResult } from '../../workflows/bulk-upload';
import { instagramFaults, instagramState } from '../fixtures/instagram';
import { collectLeakSearch } from '../fixtures/leak-search';
import { INSTAGRAM_APP } from '../fixtures/stack';
import { useTestStack } from '../fixtures/suite-stack';

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

describe('Instagram bulk upload', { timeout: 600_000 }, () => {
  const run = randomBytes(3).toString('hex');
  const users = ['a', 'b'].map((x, i) => ({
    id: `10000000000000${i + 1}`,
    name: `Person ${x.toUpperCase()}`,
    pages: [{ id: `20000000000000${i + 1}`, name: `Page ${x.toUpperCase()}`, instagramAccount: { id: `1784140000000000${i + 1}`, username: `reels.${x}` } }],
  }));
  const stack = useTestStack({ instagram: { processingMs: 1_000, users } });

  async function start(body: unknown): Promise<string> {
    const res = await stack().api('POST', '/bulk-uploads', body);
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { workflowId: string }).workflowId;
  }
  const result = (workflowId: string) => stack().env.client.workflow.getHandle(workflowId).result() as Promise<BulkUploadResult>;

  it('publishes 2 videos to 2 accounts: 4 Reels, each the uniquified file, each published once after FINISHED', async () => {
    const s = stack();
    await s.connectInstagram('ig-a', users[0]!.id);
    await s.connectInstagram('ig-b', users[1]!.id);
    const accounts = (await (await s.api('GET', '/accounts')).json()) as { id: string; connection: { status: string; externalName: string | null } | null }[];
    assert.equal(accounts.find((a) => a.id === 'ig-a')?.connection?.externalName, 'reels.a', 'the professional account behind the Page');
    const videos = [await s.addVideo('ig-1.mp4', { durationSec: 3 }), await s.addVideo('ig-2.mp4', { durationSec: 3 })];
    const taskId = `ig-four-${run}`;
    const outcome = await result(
      await start({
        taskId,
        platform: 'instagram',
        videos: videos.map((p, i) => ({ path: p, caption: `Reel ${i + 1} #clipfleet` })),
        accountIds: ['ig-a', 'ig-b'],
        options: { concurrency: 2, instagram: { shareToFeed: false } },
      }),
    );
    assert.equal(outcome.status, 'completed');

    const state = await instagramState(s.instagram!);
    assert.equal(state.containers.length, 4, 'one container per (account, video)');
    assert.equal(state.media.length, 4, 'one Reel per (account, video), none twice');
    const rows = await s.deps.orm.em.fork().find(VideoData, { task: taskId });
    const igUserOf: Record<string, string> = { 'ig-a': '17841400000000001', 'ig-b': '17841400000000002' };
    for (const row of rows) {
      const container = state.containers.find((c) => c.id === row.postId);
      assert.ok(container, `container ${row.postId} of ${row.accountId}/${row.videoId}`);
      assert.equal(container.statusCode, 'PUBLISHED');
      assert.equal(container.igUserId, igUserOf[row.accountId], "on the account's own Instagram");
      assert.equal(container.shareToFeed, false);
      assert.equal(container.caption, row.videoId === 'video-1' ? 'Reel 1 #clipfleet' : 'Reel 2 #clipfleet');
      const media = state.media.find((m) => m.containerId === container.id);
      assert.ok(media, 'published');
      assert.equal(media.sha256, await sha256(row.filePath!), 'Instagram received exactly the variant file');
      assert.ok(row.filePath!.startsWith(s.config.media.variantsDir), 'a variant, never the original');
      assert.equal(row.status, 'published');
      assert.equal(row.postUrl, media.permalink);
    }
    const originals = await Promise.all(videos.map((v) => sha256(`${s.config.media.root}/${v}`)));
    assert.ok(!state.media.some((m) => originals.includes(m.sha256)), 'no original reached Instagram');

    const taskLines = await s.deps.redis.xrange(taskLogsKey(taskId), '-', '+');
    assert.ok(taskLines.some(([, f]) => (f[1] ?? '').includes('published: https://www.instagram.com/reel/')));
    for (const accountId of ['ig-a', 'ig-b']) {
      const lines = await s.deps.redis.xrange(accountLogsKey(taskId, accountId), '-', '+');
      assert.equal(lines.filter(([, f]) => (f[1] ?? '').includes('published: ')).length, 2, `${accountId}: two published lines in its Redis key`);
      const account = await s.deps.orm.em.fork().findOneOrFail(BulkUploadAccount, { task: taskId, accountId });
      assert.equal((await s.deps.orm.em.fork().find(LogLine, { account })).filter((l) => l.message.includes('published: ')).length, 2, `${accountId}: in the database`);
    }
  });

  it("a container Instagram fails to process ends that video failed with Instagram's reason, and is not uploaded again", async () => {
    const s = stack();
    const video = await s.addVideo('ig-fail.mp4', { durationSec: 2 });
    const before = await instagramState(s.instagram!);
    await instagramFaults(s.instagram!, { failProcessingNext: { subcode: 2207026, status: 'Error: Media upload has failed with error code 2207026' } });
    const taskId = `ig-fail-${run}`;
    const outcome = await result(await start({ taskId, platform: 'instagram', videos: [{ path: video, caption: 'fails' }], accountIds: ['ig-b'] }));
    await instagramFaults(s.instagram!, null);
    assert.equal(outcome.status, 'failed');
    const row = await s.deps.orm.em.fork().findOneOrFail(VideoData, { task: taskId });
    assert.match(
      row.error ?? '',
      /instagram: .*variants.*\.mp4 \(video .+\) was not published: Instagram could not process it: Error: Media upload has failed with error code 2207026/,
    );
    const after = await instagramState(s.instagram!);
    assert.equal(after.containers.length, before.containers.length + 1, 'uploaded once, not again');
    assert.equal(after.media.length, before.media.length, 'nothing published');
  });

  it('survives a connection cut mid-upload and 5xx answers: the same container goes on from the bytes Instagram holds', async () => {
    const s = stack();
    const video = await s.addVideo('ig-cut.mp4', { durationSec: 3, noisy: true });
    const before = await instagramState(s.instagram!);
    await instagramFaults(s.instagram!, { cutAfterBytes: 1_000_000, failNext: { count: 2, status: 503 } });
    const taskId = `ig-cut-${run}`;
    const outcome = await result(await start({ taskId, platform: 'instagram', videos: [{ path: video, caption: 'cut' }], accountIds: ['ig-a'] }));
    await instagramFaults(s.instagram!, null);
    assert.equal(outcome.status, 'completed');
    const after = await instagramState(s.instagram!);
    const containers = after.containers.slice(before.containers.length);
    assert.equal(containers.length, 1, 'one container, continued after the cut');
    const row = await s.deps.orm.em.fork().findOneOrFail(VideoData, { task: taskId });
    assert.equal(containers[0]!.sha256, await sha256(row.filePath!));
    assert.ok(containers[0]!.bytesReceived < 1.3 * containers[0]!.fileSize!, `resumed, not resent: ${containers[0]!.bytesReceived} bytes for ${containers[0]!.fileSize}`);
    assert.ok(
      after.requests.slice(before.requests.length).some((r) => r.status === 503),
      'the 503s were met',
    );
  });

  it('a revoked grant fails that account with Reauthorize and needs_reconnect; the other publishes', async () => {
    const s = stack();
    await instagramFaults(s.instagram!, { revokeGrantOf: users[1]!.id });
    const video = await s.addVideo('ig-revoked.mp4', { durationSec: 2 });
    const taskId = `ig-revoked-${run}`;
    const outcome = await result(await start({ taskId, platform: 'instagram', videos: [{ path: video }], accountIds: ['ig-a', 'ig-b'] }));
    assert.equal(outcome.status, 'partially_failed');
    assert.deepEqual(outcome.failedAccountIds, ['ig-b']);
    const history = await s.env.client.workflow.getHandle(accountUploadWorkflowId(taskId, 'ig-b')).fetchHistory();
    const failed = history.events!.flatMap((e) =>
      e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type ? [e.activityTaskFailedEventAttributes.failure.applicationFailureInfo.type] : [],
    );
    assert.deepEqual(failed, [FAILURE.Reauthorize], 'one attempt, non-retryable Reauthorize');
    const accounts = (await (await s.api('GET', '/accounts')).json()) as { id: string; connection: { status: string; lastError: string | null } | null }[];
    assert.equal(accounts.find((a) => a.id === 'ig-b')?.connection?.status, 'needs_reconnect');
    assert.match(accounts.find((a) => a.id === 'ig-b')?.connection?.lastError ?? '', /#190/);
  });

  it("the doctor checks an Instagram account without posting: a token Meta does not refresh, and the account's publishing limit", async () => {
    const s = stack();
    const before = await instagramState(s.instagram!);
    const res = await s.api('POST', '/platforms/instagram/check', { accountId: 'ig-a' });
    assert.equal(res.status, 200, await res.clone().text());
    const report = (await res.json()) as { ok: boolean; steps: { name: string; ok: boolean; detail: string }[] };
    assert.equal(report.ok, true, JSON.stringify(report.steps));
    assert.deepEqual(
      report.steps.map((st) => st.name),
      ['configured', 'connection', 'token refresh', 'identity', 'publishing limit'],
    );
    assert.match(report.steps[2]!.detail, /issues no refresh token; the access token is valid until .*then the account must connect again/);
    assert.match(report.steps[4]!.detail, /@reels\.a published \d+ of 50 posts allowed in the last 24 hours/);
    assert.equal((await instagramState(s.instagram!)).media.length, before.media.length, 'nothing was posted');
  });

  it('no token or app secret is in any history, Redis key, log line or API response, nor in clear in the database', async () => {
    const s = stack();
    const state = await instagramState(s.instagram!);
    const secrets = [...state.tokens.map((t) => t.token), INSTAGRAM_APP.secret];
    assert.ok(state.tokens.filter((t) => t.kind === 'long').length >= 2, 'the search covers the long-lived tokens kept, and the short-lived ones exchanged');
    const runs = { [`ig-four-${run}`]: ['ig-a', 'ig-b'], [`ig-cut-${run}`]: ['ig-a'], [`ig-revoked-${run}`]: ['ig-a', 'ig-b'] };
    const search = await collectLeakSearch(s, {
      workflowIds: Object.entries(runs).flatMap(([t, accounts]) => [bulkUploadWorkflowId(t), ...accounts.map((a) => accountUploadWorkflowId(t, a))]),
      apiUrls: ['/accounts', '/accounts/ig-a', ...Object.keys(runs).flatMap((t) => [`/bulk-uploads/${t}`, `/bulk-upload/${t}/logs/`])],
    });
    for (const { where, text } of search.places) {
      assert.ok(text.length > 0, `${where} were read`);
      for (const secret of secrets) assert.ok(!text.includes(secret), `a token leaked into ${where}`);
    }
    for (const secret of secrets) assert.equal(search.databaseBytes.indexOf(secret), -1, 'the database holds tokens only encrypted');
  });
});
