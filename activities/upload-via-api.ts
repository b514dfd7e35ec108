import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { UploadViaApiInputSchema, type SealedUploadSession, type UploadHeartbeat, type UploadViaApiInput, type UploadViaApiResult } from '../contracts/activities';
import { FAILURE } from '../contracts/failure-types';
import { platformKind } from '../contracts/platforms';
import { Account, BulkUploadAccount, VideoData } from '../database/entities';
import { isInside, probe, sha256File } from '../media';
import { PlatformError } from '../platforms/adapter';
import type { ApiPlatform, AuthorizedHttp, ConnectedIdentity, UploadSession } from '../platforms/official-api/api-platform';
import {
  GrantRevokedError,
  MissingPermissionError,
  PlatformNotConfiguredError,
  ProviderQuotaExceededError,
  QuotaExhaustedError,
  RateLimitedError,
  ReauthorizeError,
} from '../platforms/official-api/errors';
import type { Orm } from '../database/orm';
import type { ActivityDeps } from './deps';
import { nonRetryable, parseActivityInput, toActivityFailure } from './errors';

/** How often an attempt heartbeats while a request is in flight, so a live worker is never taken for dead. */
const HEARTBEAT_EVERY_MS = 5_000;
/** How often the account's progress line in the database is rewritten. */
const PROGRESS_WRITE_EVERY_MS = 1_000;
/** Processing polls back off from 1 s to this. */
const MAX_POLL_INTERVAL_MS = 15_000;
/**
 * A created video the platform does not list this many polls in a row (some minutes: a new
 * video can take a while to show) ends the attempt; the retry policy bounds the rest. It is
 * never taken for a refusal: the video may still exist, and uploading again would double it.
 */
const MAX_MISSING_POLLS = 12;

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}

type Input = ReturnType<typeof UploadViaApiInputSchema.parse>;

/**
 * uploadViaApi: publishes exactly `filePath` (a variant made by uniquifyVideo) through an
 * API platform's upload API, as the account's OAuth connection.
 *
 * Exactly once, across crashes: the upload session is recorded (database, sealed; and in the
 * heartbeat) before any byte is sent, and a later attempt asks the server where that session
 * stands and continues from there; the created video's id is recorded the moment the
 * platform returns it, and an attempt (or a retry of the account) that finds one goes
 * straight to waiting for it to go live. Quota is reserved before a session is opened; when
 * none is left the activity fails with `QuotaExhausted` and the time it resets, and the
 * workflow waits on a durable timer. The post counts as published, and its URL is recorded,
 * only once the platform says it is live; only the platform's own verdict marks it failed.
 */
export function makeUploadViaApi(deps: Pick<ActivityDeps, 'orm' | 'secrets' | 'connections' | 'quota' | 'apiPlatform' | 'media'>) {
  const { orm, media, secrets } = deps;

  const seal = (s: UploadSession): SealedUploadSession => ({
    uriSealed: secrets.encrypt(s.uri),
    fileSha256: s.fileSha256,
    bytesTotal: s.bytesTotal,
    startedAt: s.startedAt,
    ...(s.remoteId ? { remoteId: s.remoteId } : {}),
    ...(s.chunkBytes ? { chunkBytes: s.chunkBytes } : {}),
  });
  const unseal = (s: SealedUploadSession): UploadSession => ({
    uri: secrets.decrypt(s.uriSealed, 'an upload session'),
    fileSha256: s.fileSha256,
    bytesTotal: s.bytesTotal,
    startedAt: s.startedAt,
    ...(s.remoteId ? { remoteId: s.remoteId } : {}),
    ...(s.chunkBytes ? { chunkBytes: s.chunkBytes } : {}),
  });

  async function upload(request: UploadViaApiInput, ctx: Context, beat: (h: UploadHeartbeat) => void): Promise<UploadViaApiResult> {
    const input = parseActivityInput('uploadViaApi', UploadViaApiInputSchema, request);
    const filePath = path.resolve(input.filePath);
    if (!isInside(path.resolve(media.variantsDir), filePath)) {
      throw nonRetryable(
        FAILURE.InvalidInput,
        `uploadViaApi: ${input.filePath} is not a variant made by uniquifyVideo (must lie under ${media.variantsDir}); originals are never uploaded`,
      );
    }
    const em = orm.em.fork();
    const video = await em.findOne(VideoData, { task: input.taskId, accountId: input.accountId, videoId: input.videoId });
    if (!video) throw nonRetryable(FAILURE.InvalidInput, `uploadViaApi: video ${input.videoId} of account ${input.accountId} is not registered in task ${input.taskId}`);
    // What the platform already has of this file: decided by the recorded id, whatever else
    // changed the row's status since.
    const created = video.postId && video.filePath === filePath && (video.status === 'uploaded' || video.status === 'published') ? video.postId : null;
    if (created && video.status === 'published' && video.postUrl) return { postId: created, url: video.postUrl, alreadyPublished: true };
    const account = await em.findOne(Account, input.accountId);
    if (!account) throw nonRetryable(FAILURE.UnknownAccount, `unknown account: ${input.accountId}`);
    if (account.platform !== input.platform || platformKind(input.platform) !== 'api') {
      throw nonRetryable(FAILURE.UnknownAccount, `account ${input.accountId} is on ${account.platform}, not the API platform ${input.platform}`);
    }
    const platform = deps.apiPlatform(input.platform);
    if (input.dryRun) {
      const postId = `dry-${(video.sha256 ?? input.videoId).slice(0, 12)}`;
      const url = `dry-run://${input.platform}/${encodeURIComponent(account.username)}/${postId}`;
      Object.assign(video, { status: 'published', postId, postUrl: url, filePath, error: null });
      await em.flush();
      return { postId, url, alreadyPublished: false };
    }
    if (!platform.oauth) throw new PlatformNotConfiguredError(platform.name, platform.settings);
    let bytesTotal: number;
    try {
      bytesTotal = (await fs.stat(filePath)).size;
    } catch {
      throw nonRetryable(FAILURE.VideoNotFound, `variant not found: ${filePath}`);
    }
    const http = await deps.connections.authorized(input.accountId);
    const owner = await deps.connections.identity(input.accountId);
    const key = `${input.taskId}/${input.accountId}/${input.videoId}`;
    try {
      let remoteId = created;
      if (!remoteId) {
        const sha256 = video.filePath === filePath && video.sha256 ? video.sha256 : await sha256File(filePath);
        // The database's record first: it is written before the heartbeat, and never throttled.
        const sealed = video.uploadSession ?? (ctx.info.heartbeatDetails as UploadHeartbeat | undefined)?.session;
        const { durationSec } = await probe(filePath);
        remoteId = await uploadFile(platform, http, {
          input,
          key,
          filePath,
          sha256,
          bytesTotal,
          durationSec,
          owner,
          session: sealed ? unseal(sealed) : undefined,
          video,
          em,
          ctx,
          beat,
        });
        // Recorded before anything else can fail: a retry from here on never uploads again.
        Object.assign(video, { status: 'uploaded', postId: remoteId, filePath, sha256, uploadSession: null, error: null });
        await em.flush();
      }
      const verdict = await waitUntilLive(platform, http, remoteId, { ctx, beat, videoId: input.videoId, owner });
      if ('refused' in verdict) {
        // The platform's own verdict: final. A retry of the account uploads afresh (the refused video stays on the channel as the platform keeps it).
        const message = `${platform.name}: ${filePath} (video ${remoteId}) was not published: ${verdict.refused}`;
        Object.assign(video, { status: 'failed', error: message });
        await em.flush();
        throw new PlatformError({ platform: platform.name, kind: 'rejected', detail: message.slice(platform.name.length + 2) });
      }
      Object.assign(video, { status: 'published', postUrl: verdict.url });
      await em.flush();
      return { postId: remoteId, url: verdict.url, alreadyPublished: false };
    } catch (err) {
      // The provider counts what we cannot see (status reads, other tools on the same
      // project): when it says the quota is spent, believe it, and wait for the reset.
      if (err instanceof ProviderQuotaExceededError && platform.quota) {
        const q = platform.quota;
        const { resetsAt } = await deps.quota.exhaust({ platform: platform.name, project: q.project, key, budget: q.budget, periodSeconds: q.periodSeconds });
        throw new QuotaExhaustedError(platform.name, resetsAt, err.detail);
      }
      // A 429 is a wait on a durable timer too, not a retry: a provider's lockout can outlast
      // every attempt the retry policy allows (Meta's can last an hour).
      if (err instanceof RateLimitedError) {
        throw new QuotaExhaustedError(platform.name, new Date(Date.now() + err.retryAfterMs), err.message, `${platform.name}'s rate limit`);
      }
      // The person granted less than uploading needs: only connecting again can fix it.
      if (err instanceof MissingPermissionError || err instanceof GrantRevokedError) {
        const reason = err instanceof GrantRevokedError ? `${platform.name} refused the token: ${err.detail}` : `${platform.name} refused for missing permission: ${err.detail}`;
        await deps.connections.markNeedsReconnect(input.accountId, reason);
        throw new ReauthorizeError(input.accountId, reason);
      }
      // A refusal no retry can change (a privacy level the account may not use, a video too
      // long): the video's own record says why, as for a refusal after processing.
      if (err instanceof PlatformError && !err.retryable && video.status !== 'uploaded' && video.status !== 'failed') {
        Object.assign(video, { status: 'failed', error: err.message });
        await em.flush();
      }
      throw err;
    }
  }

  async function uploadFile(
    platform: ApiPlatform,
    http: AuthorizedHttp,
    a: {
      input: Input;
      /** What spends the quota: this task, account and video. */
      key: string;
      filePath: string;
      sha256: string;
      bytesTotal: number;
      durationSec: number;
      owner: ConnectedIdentity;
      session: UploadSession | undefined;
      video: VideoData;
      /** The unit of work `video` belongs to: its changes are flushed through it, so later ones (the session cleared) are seen. */
      em: ReturnType<Orm['em']['fork']>;
      ctx: Context;
      beat: (h: UploadHeartbeat) => void;
    },
  ): Promise<string> {
    const { input, ctx, key } = a;
    let sealed = a.session ? seal(a.session) : undefined;
    let lastWrite = 0;
    const quota = platform.quota;
    const progress = (bytesConfirmed: number) => {
      const percent = a.bytesTotal ? Math.floor((bytesConfirmed / a.bytesTotal) * 100) : 100;
      const step = `${input.videoId}: uploading ${percent}% (${megabytes(bytesConfirmed)} of ${megabytes(a.bytesTotal)} MB)`;
      a.beat({ step, bytesConfirmed, bytesTotal: a.bytesTotal, ...(sealed ? { session: sealed } : {}) });
      if (Date.now() - lastWrite >= PROGRESS_WRITE_EVERY_MS || bytesConfirmed === a.bytesTotal) {
        lastWrite = Date.now();
        // The dashboard reads the account's current step: it shows the percentage live. Only
        // over this video's upload step: a late write never hides the workflow's next mark.
        const thisStep = { $or: [{ currentStep: { $like: `%(${input.videoId}): uploading` } }, { currentStep: { $like: `${input.videoId}: uploading %` } }] };
        void orm.em
          .fork()
          .nativeUpdate(BulkUploadAccount, { task: input.taskId, accountId: input.accountId, status: 'running', ...thisStep }, { currentStep: step })
          .catch(() => undefined);
      }
    };
    const { remoteId } = await platform.upload(http, {
      filePath: a.filePath,
      bytesTotal: a.bytesTotal,
      sha256: a.sha256,
      videoId: input.videoId,
      caption: input.caption,
      options: { youtube: input.youtube, tiktok: input.tiktok, instagram: input.instagram },
      owner: a.owner,
      durationSec: a.durationSec,
      session: a.session,
      signal: ctx.cancellationSignal,
      async beforeCreate() {
        if (!quota) return;
        const perAccount = quota.per === 'account';
        const decision = await deps.quota.reserve({
          platform: platform.name,
          project: perAccount ? `${quota.project}:${input.accountId}` : quota.project,
          key,
          cost: quota.uploadCost,
          budget: quota.budget,
          periodSeconds: quota.periodSeconds,
        });
        if (!decision.granted) {
          const whose = perAccount ? `account ${input.accountId}'s` : "the project's";
          const why = `${whose} ${quota.label ?? 'quota'} is spent (${decision.used} of ${quota.budget} used in ${decision.period}; an upload takes ${quota.uploadCost})`;
          throw new QuotaExhaustedError(platform.name, decision.resetsAt, why, quota.label);
        }
      },
      async saveSession(opened) {
        sealed = seal(opened);
        Object.assign(a.video, { uploadSession: sealed, filePath: a.filePath, sha256: a.sha256 });
        await a.em.flush();
        progress(0);
      },
      progress,
    });
    return remoteId;
  }

  /** Polls until the platform says the video is live (its URL) or refused it (its reason). */
  async function waitUntilLive(
    platform: ApiPlatform,
    http: AuthorizedHttp,
    remoteId: string,
    a: { ctx: Context; beat: (h: UploadHeartbeat) => void; videoId: string; owner: ConnectedIdentity },
  ): Promise<{ url: string } | { refused: string }> {
    let interval = 1_000;
    let missing = 0;
    const signal = a.ctx.cancellationSignal;
    for (;;) {
      const state = await platform.status(http, remoteId, { owner: a.owner, signal });
      if (state.state === 'live') return { url: state.url ?? platform.postUrl(remoteId, a.owner) };
      if (state.state === 'ready') {
        if (!platform.publish) return { url: platform.postUrl(remoteId, a.owner) };
        a.beat({ step: `${a.videoId}: publishing ${platform.name} upload ${remoteId}` });
        return platform.publish(http, remoteId, { owner: a.owner, signal });
      }
      if (state.state === 'failed') return { refused: state.reason };
      if (state.state === 'missing' && ++missing >= MAX_MISSING_POLLS) {
        throw new PlatformError({
          platform: platform.name,
          kind: 'unexpected',
          detail: `video ${remoteId} does not show on the channel yet (deleted?); checking again on the next attempt`,
        });
      }
      if (state.state !== 'missing') missing = 0;
      a.beat({ step: `${a.videoId}: ${platform.name} is processing video ${remoteId}${state.state === 'processing' ? `: ${state.detail}` : ''}` });
      await sleep(interval, undefined, { signal: a.ctx.cancellationSignal });
      interval = Math.min(interval * 2, MAX_POLL_INTERVAL_MS);
    }
  }

  return async function uploadViaApi(request: UploadViaApiInput): Promise<UploadViaApiResult> {
    const ctx = Context.current();
    let last: UploadHeartbeat = { step: 'starting' };
    const beat = (h: UploadHeartbeat) => {
      last = h;
      ctx.heartbeat(h);
    };
    // Heartbeats go on while one request takes long (a big chunk on a slow link): a live
    // worker is never taken for dead. Stopped in `finally`, on every way out.
    const ticker = setInterval(() => ctx.heartbeat(last), HEARTBEAT_EVERY_MS);
    try {
      return await upload(request, ctx, beat);
    } catch (err) {
      throw toActivityFailure(err, ctx.cancellationSignal);
    } finally {
      clearInterval(ticker);
    }
  };
}
