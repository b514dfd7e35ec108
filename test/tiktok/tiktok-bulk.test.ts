/**
 * TikTok end to end on the real stack against the local TikTok: connected accounts, the
 * creator info checked before any byte, chunked uploads of the uniquified files, the post
 * status polled to PUBLISH_COMPLETE, a processing failure ending the video without a
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
import { collectLeakSearch } from '../fixtures/leak-search';
import { TIKTOK_CLIENT } from '../fixtures/stack';
import { useTestStack } from '../fixtures/suite-stack';
import { tiktokFaults, tiktokState } from '../fixtures/tiktok';

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

describe('TikTok bulk upload', { timeout: 600_000 }, () => {
  // Task ids are unique per run: the dev server outlives the stack.
  const run = randomBytes(3).toString('hex');
  const users = [
    { openId: 'tt-open-a', username: 'creator.a', displayName: 'Creator A' },
    { openId: 'tt-open-b', username: 'creator.b', displayName: 'Creator B' },
    // Allows two levels only, and videos of at most 2 s.
    {
      openId: 'tt-open-c',
      username: 'creator.c',
      displayName: 'Creator C',
      privacyLevelOptions: ['MUTUAL_FOLLOW_FRIENDS' as const, 'SELF_ONLY' as const],
      maxVideoPostDurationSec: 2,
    },
  ];
  const stack = useTestStack({ tiktok: { processingMs: 1_000, audited: true, users }, env: { TIKTOK_CHUNK_BYTES: String(5 * 1024 * 1024) } });

  async function start(body: unknown): Promise<string> {
    const res = await stack().api('POST', '/bulk-uploads', body);
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { workflowId: string }).workflowId;
  }
  const result = (workflowId: string) => stack().env.client.workflow.getHandle(workflowId).result() as Promise<BulkUploadResult>;

  it('publishes 2 videos to 2 accounts: 4 posts, each the uniquified file, each complete before it is recorded', async () => {
    const s = stack();
    await s.connectTikTok('tt-a', 'tt-open-a');
    await s.connectTikTok('tt-b', 'tt-open-b');
    const videos = [await s.addVideo('tt-1.mp4', { durationSec: 3 }), await s.addVideo('tt-2.mp4', { durationSec: 3 })];
    const taskId = `tt-four-${run}`;
    const outcome = await result(
      await start({
        taskId,
        platform: 'tiktok',
        videos: videos.map((p, i) => ({ path: p, caption: `Clip ${i + 1} #clipfleet` })),
        accountIds: ['tt-a', 'tt-b'],
        options: { concurrency: 2, tiktok: { privacyLevel: 'PUBLIC_TO_EVERYONE', disableDuet: true } },
      }),
    );
    assert.equal(outcome.status, 'completed');

    const state = await tiktokState(s.tiktok!);
    assert.equal(state.posts.length, 4, 'one post per (account, video), none twice');
    const rows = await s.deps.orm.em.fork().find(VideoData, { task: taskId });
    assert.equal(rows.length, 4);
    const openIdOf: Record<string, string> = { 'tt-a': 'tt-open-a', 'tt-b': 'tt-open-b' };
    const usernameOf: Record<string, string> = { 'tt-a': 'creator.a', 'tt-b': 'creator.b' };
    for (const row of rows) {
      const post = state.posts.find((p) => p.publishId === row.postId);
      assert.ok(post, `post ${row.postId} of ${row.accountId}/${row.videoId} exists on TikTok`);
      assert.equal(post.sha256, await sha256(row.filePath!), 'TikTok received exactly the variant file');
      assert.ok(row.filePath!.startsWith(s.config.media.variantsDir), 'a variant, never the original');
      assert.equal(post.openId, openIdOf[row.accountId], "posted as the account's own user");
      assert.equal(post.status, 'PUBLISH_COMPLETE', 'complete when its URL was recorded');
      assert.equal(post.mode, 'direct');
      assert.equal(post.postInfo?.privacy_level, 'PUBLIC_TO_EVERYONE');
      assert.equal(post.postInfo?.disable_duet, true);
      assert.equal(post.postInfo?.title, row.videoId === 'video-1' ? 'Clip 1 #clipfleet' : 'Clip 2 #clipfleet');
      assert.equal(row.status, 'published');
      assert.ok(post.postId, 'a public post has a public id');
      assert.equal(row.postUrl, `https://www.tiktok.com/@${usernameOf[row.accountId]}/video/${post.postId}`);
    }
    assert.equal(new Set(state.posts.map((p) => p.sha256)).size, 4, 'every account got its own variant');
    const originals = await Promise.all(videos.map((v) => sha256(`${s.config.media.root}/${v}`)));
    assert.ok(!state.posts.some((p) => originals.includes(p.sha256!)), 'no original reached TikTok');

    const taskLines = await s.deps.redis.xrange(taskLogsKey(taskId), '-', '+');
    assert.ok(taskLines.some(([, f]) => (f[1] ?? '').includes('published: https://www.tiktok.com/@creator.')));
    for (const accountId of ['tt-a', 'tt-b']) {
      const lines = await s.deps.redis.xrange(accountLogsKey(taskId, accountId), '-', '+');
      assert.equal(lines.filter(([, f]) => (f[1] ?? '').includes('published: ')).length, 2, `${accountId}: two published lines in its Redis key`);
      const account = await s.deps.orm.em.fork().findOneOrFail(BulkUploadAccount, { task: taskId, accountId });
      assert.equal(account.status, 'completed');
      assert.equal((await s.deps.orm.em.fork().find(LogLine, { account })).filter((l) => l.message.includes('published: ')).length, 2, `${accountId}: in the database`);
    }
  });

  it('inbox mode sends the video to the creator, who finishes it in the app', async () => {
    const s = stack();
    const video = await s.addVideo('tt-inbox.mp4', { durationSec: 2 });
    const taskId = `tt-inbox-${run}`;
    const outcome = await result(
      await start({ taskId, platform: 'tiktok', videos: [{ path: video, caption: 'draft' }], accountIds: ['tt-a'], options: { tiktok: { mode: 'inbox' } } }),
    );
    assert.equal(outcome.status, 'completed');
    const row = await s.deps.orm.em.fork().findOneOrFail(VideoData, { task: taskId });
    const post = (await tiktokState(s.tiktok!)).posts.find((p) => p.publishId === row.postId);
    assert.equal(post?.mode, 'inbox');
    assert.equal(post?.status, 'SEND_TO_USER_INBOX');
    assert.equal(post?.sha256, await sha256(row.filePath!));
  });

  it('refuses a privacy level or a length the creator info does not allow, before any byte is sent', async () => {
    const s = stack();
    await s.connectTikTok('tt-c', 'tt-open-c');
    const short = await s.addVideo('tt-short.mp4', { durationSec: 1 });
    const long = await s.addVideo('tt-long.mp4', { durationSec: 4 });
    const before = await tiktokState(s.tiktok!);
    const privacyTask = `tt-privacy-${run}`;
    const privacy = await result(
      await start({ taskId: privacyTask, platform: 'tiktok', videos: [{ path: short }], accountIds: ['tt-c'], options: { tiktok: { privacyLevel: 'PUBLIC_TO_EVERYONE' } } }),
    );
    assert.equal(privacy.status, 'failed');
    const refused = await s.deps.orm.em.fork().findOneOrFail(VideoData, { task: privacyTask });
    assert.match(refused.error ?? '', /privacyLevel PUBLIC_TO_EVERYONE is not allowed for @creator\.c \(allowed: MUTUAL_FOLLOW_FRIENDS, SELF_ONLY\); nothing was sent/);
    const lengthTask = `tt-length-${run}`;
    const length = await result(await start({ taskId: lengthTask, platform: 'tiktok', videos: [{ path: long }], accountIds: ['tt-c'] }));
    assert.equal(length.status, 'failed');
    assert.match((await s.deps.orm.em.fork().findOneOrFail(VideoData, { task: lengthTask })).error ?? '', /lasts 4 s; @creator\.c may post videos of at most 2 s/);

    const after = await tiktokState(s.tiktok!);
    assert.equal(after.posts.length, before.posts.length, 'no publish was created');
    const newRequests = after.requests.slice(before.requests.length);
    assert.ok(!newRequests.some((r) => r.path.includes('/video/init/') || r.path.startsWith('/upload')), 'no init and no byte');
    // Non-retryable: one attempt each.
    const history = await s.env.client.workflow.getHandle(accountUploadWorkflowId(privacyTask, 'tt-c')).fetchHistory();
    const failed = history.events!.flatMap((e) =>
      e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type ? [e.activityTaskFailedEventAttributes.failure.applicationFailureInfo.type] : [],
    );
    assert.deepEqual(failed, [FAILURE.UploadRejected]);
  });

  it("a post TikTok fails to process ends that video failed with TikTok's reason, and is not uploaded again", async () => {
    const s = stack();
    const video = await s.addVideo('tt-fail.mp4', { durationSec: 2 });
    const before = await tiktokState(s.tiktok!);
    await tiktokFaults(s.tiktok!, { failNextPublish: { failReason: 'frame_rate_check_failed' } });
    const taskId = `tt-fail-${run}`;
    const outcome = await result(await start({ taskId, platform: 'tiktok', videos: [{ path: video, caption: 'fails' }], accountIds: ['tt-b'] }));
    await tiktokFaults(s.tiktok!, null);
    assert.equal(outcome.status, 'failed');
    const row = await s.deps.orm.em.fork().findOneOrFail(VideoData, { task: taskId });
    assert.equal(row.status, 'failed');
    assert.match(row.error ?? '', /tiktok: .*variants.*\.mp4 \(video .+\) was not published: TikTok could not publish it: frame_rate_check_failed/);
    const after = await tiktokState(s.tiktok!);
    assert.equal(after.posts.length, before.posts.length + 1, 'uploaded once, not again');
    assert.equal(after.posts.at(-1)?.status, 'FAILED');
  });

  it('survives a cut mid-chunk and 5xx answers within the same publish: one post', async () => {
    const s = stack();
    const video = await s.addVideo('tt-cut.mp4', { durationSec: 3, noisy: true });
    const before = await tiktokState(s.tiktok!);
    await tiktokFaults(s.tiktok!, { cutAfterBytes: 1_000_000, failNext: { count: 2, status: 503 } });
    const taskId = `tt-cut-${run}`;
    const outcome = await result(await start({ taskId, platform: 'tiktok', videos: [{ path: video, caption: 'cut' }], accountIds: ['tt-a'] }));
    await tiktokFaults(s.tiktok!, null);
    assert.equal(outcome.status, 'completed');
    const after = await tiktokState(s.tiktok!);
    assert.equal(after.posts.length, before.posts.length + 1, 'one publish, continued after the cut');
    const post = after.posts.at(-1)!;
    assert.equal(post.status, 'PUBLISH_COMPLETE');
    const row = await s.deps.orm.em.fork().findOneOrFail(VideoData, { task: taskId });
    assert.equal(post.sha256, await sha256(row.filePath!));
    assert.ok(
      after.requests.slice(before.requests.length).some((r) => r.status === 503),
      'the 503s were met',
    );
  });

  it('a revoked grant fails that account with Reauthorize and needs_reconnect; the other publishes', async () => {
    const s = stack();
    await tiktokFaults(s.tiktok!, { revokeUser: 'tt-open-b', expireAccessTokens: true });
    const video = await s.addVideo('tt-revoked.mp4', { durationSec: 2 });
    const taskId = `tt-revoked-${run}`;
    const outcome = await result(await start({ taskId, platform: 'tiktok', videos: [{ path: video }], accountIds: ['tt-a', 'tt-b'] }));
    assert.equal(outcome.status, 'partially_failed');
    assert.deepEqual(outcome.failedAccountIds, ['tt-b']);
    const history = await s.env.client.workflow.getHandle(accountUploadWorkflowId(taskId, 'tt-b')).fetchHistory();
    const failed = history.events!.flatMap((e) =>
      e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type ? [e.activityTaskFailedEventAttributes.failure.applicationFailureInfo.type] : [],
    );
    assert.deepEqual(failed, [FAILURE.Reauthorize], 'one attempt, non-retryable Reauthorize');
    const accounts = (await (await s.api('GET', '/accounts')).json()) as { id: string; connection: { status: string; lastError: string | null } | null }[];
    assert.equal(accounts.find((a) => a.id === 'tt-b')?.connection?.status, 'needs_reconnect');
    assert.match(accounts.find((a) => a.id === 'tt-b')?.connection?.lastError ?? '', /invalid_grant/);
    assert.equal(accounts.find((a) => a.id === 'tt-a')?.connection?.status, 'connected', 'the refreshed account stays connected');
  });

  it('the doctor checks a TikTok account without posting: token refreshed, creator info, inits left; a revoked one fails at its connection', async () => {
    const s = stack();
    const before = await tiktokState(s.tiktok!);
    const res = await s.api('POST', '/platforms/tiktok/check', { accountId: 'tt-a' });
    assert.equal(res.status, 200, await res.clone().text());
    const report = (await res.json()) as { ok: boolean; kind: string; published: boolean; steps: { name: string; ok: boolean; detail: string }[] };
    assert.equal(report.ok, true, JSON.stringify(report.steps));
    assert.equal(report.kind, 'api');
    assert.deepEqual(
      report.steps.map((st) => st.name),
      ['configured', 'connection', 'token refresh', 'identity', 'creator info', 'quota'],
    );
    assert.match(report.steps[2]!.detail, /^refreshed; the new access token is valid until /);
    assert.match(report.steps[4]!.detail, /@creator\.a may post PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR, SELF_ONLY; videos up to 600 s/);
    assert.match(report.steps[5]!.detail, /TikTok's 6 video inits per 60 s: \d+ of 6 used/);
    const after = await tiktokState(s.tiktok!);
    assert.equal(after.posts.length, before.posts.length, 'nothing was posted');
    assert.ok(after.tokenCounts.refresh > before.tokenCounts.refresh, 'the refresh token was used (and rotated)');

    const revoked = (await (await s.api('POST', '/platforms/tiktok/check', { accountId: 'tt-b' })).json()) as {
      ok: boolean;
      steps: { name: string; ok: boolean; detail: string }[];
    };
    assert.equal(revoked.ok, false);
    assert.equal(revoked.steps.at(-1)?.name, 'connection');
    assert.match(revoked.steps.at(-1)!.detail, /must be connected again/);
  });

  it('no token or client secret is in any history, Redis key, log line or API response, nor in clear in the database', async () => {
    const s = stack();
    const state = await tiktokState(s.tiktok!);
    const secrets = [...state.tokens.access, ...state.tokens.refresh, TIKTOK_CLIENT.secret];
    assert.ok(state.tokens.refresh.length >= 3 && state.tokens.access.length > 3, 'the search covers every issued token, rotated ones too');
    const runs = { [`tt-four-${run}`]: ['tt-a', 'tt-b'], [`tt-cut-${run}`]: ['tt-a'], [`tt-revoked-${run}`]: ['tt-a', 'tt-b'] };
    const search = await collectLeakSearch(s, {
      workflowIds: Object.entries(runs).flatMap(([t, accounts]) => [bulkUploadWorkflowId(t), ...accounts.map((a) => accountUploadWorkflowId(t, a))]),
      apiUrls: ['/accounts', '/accounts/tt-a', ...Object.keys(runs).flatMap((t) => [`/bulk-uploads/${t}`, `/bulk-upload/${t}/logs/`])],
    });
    for (const { where, text } of search.places) {
      assert.ok(text.length > 0, `${where} were read`);
      for (const secret of secrets) assert.ok(!text.includes(secret), `a token leaked into ${where}`);
    }
    for (const secret of secrets) assert.equal(search.databaseBytes.indexOf(secret), -1, 'the database holds tokens only encrypted');
  });
});
