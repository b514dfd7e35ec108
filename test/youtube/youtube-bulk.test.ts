/**
 * YouTube end to end on the real stack against the local YouTube: connected accounts,
 * resumable uploads of the uniquified files, processing polled until live, tokens refreshed,
 * a revoked account failing alone.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { describe, it } from 'node:test';
import { FAILURE } from '../../contracts/failure-types';
import { accountLogsKey, accountUploadWorkflowId, bulkUploadWorkflowId, taskLogsKey } from '../../contracts/names';
import { BulkUploadAccount, LogLine, OAuthConnection, VideoData } from '../../database/entities';
import type { BulkUploadResult } from '../../workflows/bulk-upload';
import { collectLeakSearch } from '../fixtures/leak-search';
import { YOUTUBE_CLIENT } from '../fixtures/stack';
import { useTestStack } from '../fixtures/suite-stack';
import { waitFor } from '../fixtures/wait';
import { youtubeFaults, youtubeState } from '../fixtures/youtube';
import { approveConsent } from '../../stand-ins/youtube/consent';

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

describe('YouTube bulk upload', { timeout: 600_000 }, () => {
  // Task ids are unique per run: the dev server outlives the stack, and a task id is a bulk's identity.
  const run = randomBytes(3).toString('hex');
  // Small chunks, so even short clips travel in several resumable requests.
  // Quota is another test's subject: here the budget fits every upload.
  const stack = useTestStack({
    youtube: { processingMs: 1_500, quotaPerDay: 1_000_000, channels: ['A', 'B', 'C', 'D'].map((c) => ({ id: `UC_channel_${c}`, title: `Channel ${c}` })) },
    env: { YOUTUBE_CHUNK_BYTES: String(256 * 1024), YOUTUBE_QUOTA_BUDGET: '1000000' },
  });

  async function start(body: unknown): Promise<string> {
    const res = await stack().api('POST', '/bulk-uploads', body);
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { workflowId: string }).workflowId;
  }
  const result = (workflowId: string) => stack().env.client.workflow.getHandle(workflowId).result() as Promise<BulkUploadResult>;

  it('publishes 2 videos to 3 accounts: 6 videos, each the uniquified file, each processed before its URL is recorded', async () => {
    const s = stack();
    await s.connectYouTube('yt-a', 'UC_channel_A');
    await s.connectYouTube('yt-b', 'UC_channel_B');
    await s.connectYouTube('yt-c', 'UC_channel_C');
    const videos = [await s.addVideo('yt-1.mp4', { durationSec: 3 }), await s.addVideo('yt-2.mp4', { durationSec: 3 })];
    const taskId = `yt-six-${run}`;
    const workflowId = await start({
      taskId,
      platform: 'youtube',
      videos: videos.map((p, i) => ({ path: p, caption: `Clip ${i + 1}\nmore words` })),
      accountIds: ['yt-a', 'yt-b', 'yt-c'],
      options: { concurrency: 3, youtube: { privacyStatus: 'unlisted' } },
    });
    const outcome = await result(workflowId);
    assert.equal(outcome.status, 'completed');

    const state = await youtubeState(s.youtube!);
    assert.equal(state.videos.length, 6, 'one video per (account, video), none twice');
    const rows = await s.deps.orm.em.fork().find(VideoData, { task: taskId }, { orderBy: { accountId: 'asc', videoId: 'asc' } });
    assert.equal(rows.length, 6);
    const channelOf: Record<string, string> = { 'yt-a': 'UC_channel_A', 'yt-b': 'UC_channel_B', 'yt-c': 'UC_channel_C' };
    for (const row of rows) {
      const onServer = state.videos.find((v) => v.id === row.postId);
      assert.ok(onServer, `video ${row.postId} of ${row.accountId}/${row.videoId} exists on YouTube`);
      assert.equal(onServer.sha256, await sha256(row.filePath!), 'the server received exactly the variant file');
      assert.ok(row.filePath!.startsWith(s.config.media.variantsDir), 'a variant, never the original');
      assert.equal(onServer.channelId, channelOf[row.accountId], "uploaded to the account's own channel");
      assert.equal(onServer.uploadStatus, 'processed', 'it was live when its URL was recorded');
      assert.equal(onServer.privacyStatus, 'unlisted');
      assert.equal(onServer.title, row.videoId === 'video-1' ? 'Clip 1' : 'Clip 2');
      assert.equal(row.status, 'published');
      assert.equal(row.postUrl, `https://www.youtube.com/watch?v=${row.postId}`);
    }
    assert.equal(new Set(state.videos.map((v) => v.sha256)).size, 6, 'every account got its own variant');
    const originals = await Promise.all(videos.map((v) => sha256(`${s.config.media.root}/${v}`)));
    assert.ok(!state.videos.some((v) => originals.includes(v.sha256)), 'no original reached YouTube');

    // Logs: both Redis keys and the database.
    const taskLines = await s.deps.redis.xrange(taskLogsKey(taskId), '-', '+');
    assert.ok(taskLines.some(([, f]) => (f[1] ?? '').includes('published: https://www.youtube.com/watch?v=')));
    for (const accountId of ['yt-a', 'yt-b', 'yt-c']) {
      const lines = await s.deps.redis.xrange(accountLogsKey(taskId, accountId), '-', '+');
      assert.ok(lines.filter(([, f]) => (f[1] ?? '').includes('published: ')).length === 2, `${accountId}: two published lines in its Redis key`);
      const account = await s.deps.orm.em.fork().findOneOrFail(BulkUploadAccount, { task: taskId, accountId });
      assert.equal(account.status, 'completed');
      const dbLines = await s.deps.orm.em.fork().find(LogLine, { account });
      assert.equal(dbLines.filter((l) => l.message.includes('published: ')).length, 2, `${accountId}: two published lines in the database`);
    }
  });

  it('an access token that expires mid-upload is refreshed and the upload finishes', async () => {
    const s = stack();
    await s.connectYouTube('yt-exp', 'UC_channel_D');
    const video = await s.addVideo('yt-exp.mp4', { durationSec: 4, noisy: true });
    // Slow enough to act mid-file: some 6 MB at 1.5 MB/s, in 256 KiB chunks.
    await youtubeFaults(s.youtube!, { bytesPerSecond: 1_500_000 });
    const before = await youtubeState(s.youtube!);
    const workflowId = await start({ taskId: `yt-expired-${run}`, platform: 'youtube', videos: [{ path: video, caption: 'expiring' }], accountIds: ['yt-exp'] });
    await waitFor('the upload to be under way', async () => (await youtubeState(s.youtube!)).sessions.some((x) => x.channelId === 'UC_channel_D' && x.stored > 0 && !x.complete));
    await youtubeFaults(s.youtube!, { expireAccessTokens: true });
    const outcome = await result(workflowId);
    await youtubeFaults(s.youtube!, null);
    assert.equal(outcome.status, 'completed');
    const after = await youtubeState(s.youtube!);
    const newRequests = after.requests.slice(before.requests.length);
    assert.ok(
      newRequests.some((r) => r.path.startsWith('/upload/') && r.status === 401),
      'the old token was refused mid-upload',
    );
    assert.ok(after.tokens.access.length > before.tokens.access.length, 'a new access token was issued by a refresh');
    assert.equal(after.videos.filter((v) => v.channelId === 'UC_channel_D').length, 1, 'one video, not a second one');
    const session = after.sessions.find((x) => x.channelId === 'UC_channel_D');
    assert.ok(session?.complete, 'the session that was under way finished');
    assert.equal(after.sessions.filter((x) => x.channelId === 'UC_channel_D').length, 1, 'it was continued, not started again');
    assert.ok(newRequests.filter((r) => r.method === 'PUT' && r.status === 308).length > 3, 'in several resumable chunks');
  });

  it('a revoked refresh token fails that account with Reauthorize and marks it needs_reconnect; the others publish', async () => {
    const s = stack();
    // yt-a and yt-b are connected (first test); yt-c's grant is revoked at Google, and every access token is stale.
    await youtubeFaults(s.youtube!, { revokeRefreshTokensOf: 'UC_channel_C', expireAccessTokens: true });
    await youtubeFaults(s.youtube!, null);
    const video = await s.addVideo('yt-revoked.mp4', { durationSec: 2 });
    const taskId = `yt-revoked-${run}`;
    const workflowId = await start({ taskId, platform: 'youtube', videos: [{ path: video, caption: 'revoked' }], accountIds: ['yt-a', 'yt-b', 'yt-c'] });
    const outcome = await result(workflowId);
    assert.equal(outcome.status, 'partially_failed');
    assert.deepEqual(outcome.failedAccountIds, ['yt-c']);
    assert.equal(outcome.completed, 2, 'the others published');
    const status = (await (await s.api('GET', `/bulk-uploads/${taskId}`)).json()) as { accounts: { accountId: string; status: string; error: string | null }[] };
    const yc = status.accounts.find((a) => a.accountId === 'yt-c');
    assert.equal(yc?.status, 'failed');
    assert.match(yc?.error ?? '', /account yt-c must be connected again .*invalid_grant.*Connect/);

    const child = s.env.client.workflow.getHandle(accountUploadWorkflowId(taskId, 'yt-c'));
    const history = await child.fetchHistory();
    const failedTypes = history.events!.flatMap((e) =>
      e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type ? [e.activityTaskFailedEventAttributes.failure.applicationFailureInfo.type] : [],
    );
    assert.deepEqual(failedTypes, [FAILURE.Reauthorize], 'one attempt, non-retryable Reauthorize');

    const accounts = (await (await s.api('GET', '/accounts')).json()) as { id: string; connection: { status: string; lastError: string | null } | null }[];
    const c = accounts.find((a) => a.id === 'yt-c');
    assert.equal(c?.connection?.status, 'needs_reconnect');
    assert.match(c?.connection?.lastError ?? '', /invalid_grant/);
    assert.equal(accounts.find((a) => a.id === 'yt-a')?.connection?.status, 'connected');

    // Until it is connected again, a new bulk naming it is refused at admission, naming the field.
    const refused = await s.api('POST', '/bulk-uploads', { taskId: `yt-after-revoke-${run}`, platform: 'youtube', videos: [{ path: video }], accountIds: ['yt-a', 'yt-c'] });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /accountIds\.1.*yt-c.*must be connected again/);
  });

  it('a connection cut mid-chunk is survived within the attempt, and 5xx answers by retries: one session, one video', async () => {
    const s = stack();
    const video = await s.addVideo('yt-cut.mp4', { durationSec: 2, noisy: true });
    const before = await youtubeState(s.youtube!);
    // The cut comes first (mid-chunk, after 300 kB of a 256 KiB-chunked upload), then two 503s.
    await youtubeFaults(s.youtube!, { cutAfterBytes: 300_000, failNext: { count: 2, status: 503 } });
    const workflowId = await start({ taskId: `yt-cut-${run}`, platform: 'youtube', videos: [{ path: video, caption: 'cut' }], accountIds: ['yt-a'] });
    const outcome = await result(workflowId);
    await youtubeFaults(s.youtube!, null);
    assert.equal(outcome.status, 'completed');
    const after = await youtubeState(s.youtube!);
    const sessions = after.sessions.slice(before.sessions.length);
    assert.equal(sessions.length, 1, 'one session, continued after the cut');
    assert.equal(after.videos.length, before.videos.length + 1, 'one video');
    assert.ok(
      after.requests.slice(before.requests.length).some((r) => r.status === 503),
      'the 503s were met',
    );
  });

  it('a file YouTube fails to process fails that video with its reason, naming the file; no retry makes a second video', async () => {
    const s = stack();
    const video = await s.addVideo('yt-codec.mp4', { durationSec: 2 });
    const before = await youtubeState(s.youtube!);
    await youtubeFaults(s.youtube!, { failProcessingNext: { failureReason: 'codec' } });
    const taskId = `yt-codec-${run}`;
    const outcome = await result(await start({ taskId, platform: 'youtube', videos: [{ path: video, caption: 'codec' }], accountIds: ['yt-b'] }));
    await youtubeFaults(s.youtube!, null);
    assert.equal(outcome.status, 'failed');
    const row = await s.deps.orm.em.fork().findOneOrFail(VideoData, { task: taskId });
    assert.equal(row.status, 'failed');
    assert.match(row.error ?? '', /youtube: .*variants.*\.mp4 \(video [\w-]+\) was not published: processing failed: codec/);
    assert.equal((await youtubeState(s.youtube!)).videos.length, before.videos.length + 1, 'uploaded once, not again');
  });

  it('retrying a failed account uploads only what YouTube does not have: a published video is not posted again', async () => {
    const s = stack();
    await s.connectYouTube('yt-retry', 'UC_channel_D');
    const videos = [await s.addVideo('yt-r1.mp4', { durationSec: 2 }), await s.addVideo('yt-r2.mp4', { durationSec: 2 })];
    const onChannel = async () => (await youtubeState(s.youtube!)).videos.filter((v) => v.channelId === 'UC_channel_D').length;
    const before = await onChannel();
    // The first video to finish uploading fails processing; the other is published.
    await youtubeFaults(s.youtube!, { failProcessingNext: { failureReason: 'conversion' } });
    const taskId = `yt-retry-${run}`;
    const first = await result(await start({ taskId, platform: 'youtube', videos: videos.map((p) => ({ path: p, caption: p })), accountIds: ['yt-retry'] }));
    await youtubeFaults(s.youtube!, null);
    assert.equal(first.status, 'failed');
    assert.equal(await onChannel(), before + 2);
    const rows = async () => Object.fromEntries((await s.deps.orm.em.fork().find(VideoData, { task: taskId })).map((r) => [r.videoId, [r.status, r.postId]]));
    const afterFirst = await rows();
    assert.deepEqual(
      Object.values(afterFirst)
        .map(([status]) => status)
        .sort(),
      ['failed', 'published'],
    );

    const retry = await s.api('POST', `/bulk-uploads/${taskId}/retry-failed`);
    assert.equal(retry.status, 202, await retry.clone().text());
    const second = await result(((await retry.json()) as { workflowId: string }).workflowId);
    assert.equal(await onChannel(), before + 3, 'only the refused video was uploaded again');
    const afterRetry = await rows();
    const published = Object.keys(afterFirst).find((id) => afterFirst[id]![0] === 'published')!;
    assert.deepEqual(afterRetry[published], afterFirst[published], 'the published one kept its video');
    assert.equal(second.status, 'completed');
    const retried = Object.keys(afterFirst).find((id) => id !== published)!;
    assert.equal(afterRetry[retried]![0], 'published');
    assert.notEqual(afterRetry[retried]![1], afterFirst[retried]![1], 'the refused one was uploaded afresh, as a new video');
  });

  it('a 429 is retried after the Retry-After the server names, and the upload completes', async () => {
    const s = stack();
    const video = await s.addVideo('yt-429.mp4', { durationSec: 2 });
    const before = await youtubeState(s.youtube!);
    await youtubeFaults(s.youtube!, { rateLimitNext: { count: 1, retryAfterSeconds: 2 } });
    const outcome = await result(await start({ taskId: `yt-429-${run}`, platform: 'youtube', videos: [{ path: video, caption: 'slow down' }], accountIds: ['yt-b'] }));
    await youtubeFaults(s.youtube!, null);
    assert.equal(outcome.status, 'completed');
    const after = await youtubeState(s.youtube!);
    assert.ok(after.requests.slice(before.requests.length).some((r) => r.status === 429));
    assert.equal(after.videos.length, before.videos.length + 1);
  });

  it('a grant without the upload permission is refused at connect, naming the missing scope; the account stays unconnected', async () => {
    const s = stack();
    assert.equal((await s.api('PUT', '/accounts', { id: 'yt-scope', platform: 'youtube', username: 'scope' })).status, 201);
    const { consentUrl } = (await (await s.api('POST', '/accounts/yt-scope/connect')).json()) as { consentUrl: string };
    // The person unticks "upload" on Google's granular consent screen: only readonly is granted.
    const back = await approveConsent(consentUrl, { channel: 'UC_channel_A', scope: 'https://www.googleapis.com/auth/youtube.readonly' });
    const done = await s.app.request(`${back.pathname}${back.search}`);
    assert.equal(done.status, 400);
    assert.match(await done.text(), /granted without https:\/\/www\.googleapis\.com\/auth\/youtube\.upload/);
    const account = (await (await s.api('GET', '/accounts/yt-scope')).json()) as { connection: unknown };
    assert.equal(account.connection, null);
  });

  it('no token or client secret is in any history, Redis key, log line or API response, nor in clear in the database', async () => {
    const s = stack();
    const state = await youtubeState(s.youtube!);
    const secrets = [...state.tokens.access, ...state.tokens.refresh, YOUTUBE_CLIENT.secret];
    assert.ok(state.tokens.refresh.length >= 4 && state.tokens.access.length > state.tokens.refresh.length, 'the search covers every issued token, refreshed ones too');
    const taskIds = [`yt-six-${run}`, `yt-expired-${run}`, `yt-revoked-${run}`];
    const accounts = { [taskIds[0]!]: ['yt-a', 'yt-b', 'yt-c'], [taskIds[1]!]: ['yt-exp'], [taskIds[2]!]: ['yt-a', 'yt-b', 'yt-c'] };
    const search = await collectLeakSearch(s, {
      workflowIds: taskIds.flatMap((t) => [bulkUploadWorkflowId(t), ...accounts[t]!.map((a) => accountUploadWorkflowId(t, a))]),
      apiUrls: ['/accounts', '/accounts/yt-a', '/accounts/yt-c', ...taskIds.flatMap((t) => [`/bulk-uploads/${t}`, `/bulk-upload/${t}/logs/`])],
    });
    for (const { where, text } of search.places) {
      assert.ok(text.length > 0, `${where} were read`);
      for (const secret of secrets) assert.ok(!text.includes(secret), `a token leaked into ${where}`);
    }
    for (const secret of secrets) assert.equal(search.databaseBytes.indexOf(secret), -1, 'the database holds tokens only encrypted');
    const stored = await s.deps.orm.em.fork().findOneOrFail(OAuthConnection, { accountId: 'yt-a' });
    assert.match(stored.accessTokenEnc, /^v1\./, 'stored sealed');
  });
});
