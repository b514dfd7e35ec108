/**
 * TikTok through its Content Posting API (developers.tiktok.com/doc/content-posting-api-*),
 * as TikTok documents it:
 *
 * 1. `POST v2/post/publish/creator_info/query/`: the privacy levels this creator may post
 *    with, the longest video, and which interactions the creator turned off. A level or a
 *    length the account does not allow is refused here, before any byte is sent.
 * 2. `POST v2/post/publish/video/init/` (direct post, scope `video.publish`) with `post_info`
 *    and `source_info` `FILE_UPLOAD` (`video_size`, `chunk_size`, `total_chunk_count`), or
 *    `v2/post/publish/inbox/video/init/` (scope `video.upload`; the creator finishes the post
 *    in the app): a `publish_id` and an `upload_url`. Inits are limited per user token
 *    (6 a minute in the docs): counted ahead by the ledger, so a bulk waits instead of
 *    hitting 429.
 * 3. `PUT upload_url` each chunk in order with `Content-Range`: 206 until the last, 201.
 *    The upload URL carries its own token and lives an hour; no bearer token goes to it.
 * 4. `POST v2/post/publish/status/fetch/` until `PUBLISH_COMPLETE` (or `SEND_TO_USER_INBOX`),
 *    or `FAILED` with its `fail_reason`. While chunks arrive it reports `uploaded_bytes`:
 *    that is where an upload resumes after a crash.
 *
 * A publish is created by init but posts nothing until its last chunk arrives, so an init
 * whose upload URL expired half-way can be replaced without making a second post.
 */
import fs from 'node:fs/promises';
import { z } from 'zod';
import type { TikTokConfig } from '../../config';
import { TIKTOK_PRIVACY_LEVELS, type TikTokOptions } from '../../contracts/bulk-input';
import { PlatformError } from '../adapter';
import type { ApiPlatform, ApiUploadContext, AuthorizedHttp, ConnectedIdentity, LiveState, UploadSession } from '../official-api/api-platform';
import { MissingPermissionError, QuotaExhaustedError, RateLimitedError } from '../official-api/errors';
import { afterFailedUpload, mimeType, readBody, retryAfterMs } from '../official-api/wire';

const NAME = 'tiktok';
/** Who the user is, and both ways of posting: direct (`video.publish`) and to the inbox (`video.upload`). */
export const TIKTOK_SCOPES = ['user.info.basic', 'video.publish', 'video.upload'] as const;
const MIB = 1024 * 1024;
/** The media transfer guide's chunk rules. */
export const TIKTOK_CHUNK_RULES = { minChunk: 5 * MIB, maxChunk: 64 * MIB, maxLastChunk: 128 * MIB, maxChunks: 1000 } as const;
/** An upload URL is valid for an hour; a resume later than this opens a new one. */
const UPLOAD_URL_LIFETIME_MS = 55 * 60_000;
/** `spam_risk_too_many_posts` names no time: ask again after this long. */
const POST_CAP_RECHECK_MS = 60 * 60_000;
/** TikTok titles (the caption) are at most 2,200 characters. */
const MAX_TITLE_CHARS = 2_200;

/** Every answer of the API: `{ data, error: { code, message, log_id } }`, `code` `ok` on success. */
const Envelope = z.object({
  data: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string().optional(), log_id: z.string().optional() }).optional(),
});
const CreatorInfo = z.object({
  creator_username: z.string(),
  creator_nickname: z.string().optional(),
  privacy_level_options: z.array(z.string()),
  comment_disabled: z.boolean().default(false),
  duet_disabled: z.boolean().default(false),
  stitch_disabled: z.boolean().default(false),
  max_video_post_duration_sec: z.number(),
});
type CreatorInfo = z.infer<typeof CreatorInfo>;
const InitData = z.object({ publish_id: z.string().min(1), upload_url: z.url() });
const StatusData = z.object({
  status: z.string(),
  fail_reason: z.string().optional(),
  // Spelt as TikTok spells it.
  publicaly_available_post_id: z.array(z.union([z.string(), z.number()])).optional(),
  uploaded_bytes: z.number().optional(),
});
const UserInfo = z.object({ user: z.object({ open_id: z.string(), display_name: z.string().optional() }) });

/** How a file is cut into chunks: every chunk `chunkSize` bytes but the last, which takes the rest. */
export interface ChunkPlan {
  chunkSize: number;
  totalChunkCount: number;
  /** Where chunk `i` starts and ends (exclusive). */
  range(index: number): { start: number; end: number };
}

/**
 * The chunk plan TikTok's media transfer guide asks for: a file under 5 MiB goes whole;
 * otherwise chunks of `preferred` bytes (5–64 MiB), `floor(size / chunk)` of them, the last
 * taking the remainder (so at most twice a chunk, within the 128 MiB a last chunk may be), at
 * least two for a file over 64 MiB, and at most 1,000 (a larger chunk when the file would
 * need more). MB is 1024 × 1024 bytes, as the guide's examples count.
 */
export function planChunks(videoSize: number, preferred: number): ChunkPlan {
  const { minChunk, maxChunk, maxChunks } = TIKTOK_CHUNK_RULES;
  if (!Number.isInteger(videoSize) || videoSize <= 0) throw new RangeError(`video size must be a positive number of bytes, not ${videoSize}`);
  let chunkSize: number;
  if (videoSize < minChunk) chunkSize = videoSize;
  else {
    chunkSize = Math.min(Math.max(preferred, minChunk), maxChunk, videoSize);
    chunkSize = Math.max(chunkSize, Math.ceil(videoSize / maxChunks));
    if (chunkSize > maxChunk) throw new RangeError(`a ${videoSize}-byte video needs more than ${maxChunks} chunks of at most ${maxChunk} bytes: too large for TikTok`);
    // A video over 64 MB must go in at least two chunks.
    if (videoSize > maxChunk && Math.floor(videoSize / chunkSize) < 2) chunkSize = Math.floor(videoSize / 2);
  }
  const totalChunkCount = Math.max(1, Math.floor(videoSize / chunkSize));
  return {
    chunkSize,
    totalChunkCount,
    range(index) {
      const start = index * chunkSize;
      return { start, end: index === totalChunkCount - 1 ? videoSize : start + chunkSize };
    },
  };
}

/** Turns an error code (and the answer it came with) into the error a person, or the retry policy, can act on. */
function failureOf(res: Response, code: string, message: string, what: string): Error {
  const detail = `${what}: ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  if (res.status === 429 || code === 'rate_limit_exceeded') return new RateLimitedError(NAME, retryAfterMs(res), detail);
  if (code === 'scope_not_authorized') return new MissingPermissionError(NAME, detail);
  if (code === 'spam_risk_too_many_posts') {
    return new QuotaExhaustedError(NAME, new Date(Date.now() + POST_CAP_RECHECK_MS), `TikTok says the creator posted too much today (${detail})`, "the creator's daily post cap");
  }
  if (code === 'spam_risk_too_many_pending_share') {
    return new QuotaExhaustedError(
      NAME,
      new Date(Date.now() + POST_CAP_RECHECK_MS),
      `the creator has too many inbox uploads waiting to be finished in the app (${detail})`,
      "the creator's pending inbox uploads (5 per 24 hours)",
    );
  }
  if (code === 'unaudited_client_can_only_post_to_private_accounts') {
    return new PlatformError({
      platform: NAME,
      kind: 'rejected',
      detail: `${detail}. An app TikTok has not audited may post SELF_ONLY only: set options.tiktok.privacyLevel to SELF_ONLY`,
    });
  }
  if (res.status >= 500 || code === 'internal_error') return new PlatformError({ platform: NAME, kind: 'unavailable', detail });
  // A 401 after the refresh-and-retry: a glitch the retry policy bounds (a revoked grant fails at the refresh).
  if (res.status === 401) return new PlatformError({ platform: NAME, kind: 'unexpected', detail });
  return new PlatformError({ platform: NAME, kind: 'rejected', detail });
}

/** Reads `data` of an answer against its schema; an error answer (even one sent with 200) becomes the error it means. */
async function dataOf<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
  const { text, json } = await readBody(res);
  const body = Envelope.safeParse(json);
  const code = body.success ? (body.data.error?.code ?? '') : '';
  if (!res.ok || (code && code !== 'ok')) throw failureOf(res, code, (body.success ? body.data.error?.message : undefined) || text.slice(0, 200), what);
  const data = schema.safeParse(body.success ? body.data.data : undefined);
  if (!data.success)
    throw new PlatformError({ platform: NAME, kind: 'unexpected', detail: `${what}: an answer without the documented fields (${data.error.issues[0]?.message ?? ''})` });
  return data.data;
}

function json(body: unknown): { method: string; headers: Record<string, string>; body: string } {
  return { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(body) };
}

/** Refuses, before anything is sent, what the creator's account does not allow. */
function checkAgainstCreator(info: CreatorInfo, options: TikTokOptions, ctx: ApiUploadContext): void {
  const who = `@${info.creator_username}`;
  if (!info.privacy_level_options.includes(options.privacyLevel)) {
    throw new PlatformError({
      platform: NAME,
      kind: 'rejected',
      detail: `options.tiktok.privacyLevel ${options.privacyLevel} is not allowed for ${who} (allowed: ${info.privacy_level_options.join(', ') || 'none'}); nothing was sent`,
    });
  }
  if (ctx.durationSec > info.max_video_post_duration_sec) {
    throw new PlatformError({
      platform: NAME,
      kind: 'rejected',
      detail: `${ctx.filePath} lasts ${Math.round(ctx.durationSec)} s; ${who} may post videos of at most ${info.max_video_post_duration_sec} s; nothing was sent`,
    });
  }
}

/** Builds the TikTok platform from its settings. */
export function createTikTokPlatform(config: TikTokConfig): ApiPlatform {
  const api = (p: string) => new URL(p, config.apiRootUrl).toString();
  const settingsOf = (ctx: ApiUploadContext): TikTokOptions => ({
    privacyLevel: 'SELF_ONLY',
    mode: 'direct',
    disableComment: false,
    disableDuet: false,
    disableStitch: false,
    ...ctx.options.tiktok,
  });

  async function creatorInfo(http: AuthorizedHttp, signal: AbortSignal): Promise<CreatorInfo> {
    const res = await http.fetch(api('v2/post/publish/creator_info/query/'), { ...json({}), signal });
    return dataOf(res, CreatorInfo, 'reading the creator info');
  }

  async function fetchStatus(http: AuthorizedHttp, publishId: string, signal: AbortSignal): Promise<z.infer<typeof StatusData>> {
    const res = await http.fetch(api('v2/post/publish/status/fetch/'), { ...json({ publish_id: publishId }), signal });
    // Post ids are 64-bit integers, past what a JSON number keeps exactly in JavaScript: read their digits from the text.
    const exactIds = [...((await res.clone().text()).match(/"publicaly_available_post_id"\s*:\s*\[([^\]]*)\]/)?.[1] ?? '').matchAll(/\d+/g)].map((m) => m[0]);
    const status = await dataOf(res, StatusData, `reading the status of publish ${publishId}`);
    return exactIds.length ? { ...status, publicaly_available_post_id: exactIds } : status;
  }

  /** Step 2: the call that creates a publish (and counts against the init limit). */
  async function init(http: AuthorizedHttp, ctx: ApiUploadContext, options: TikTokOptions, info: CreatorInfo | undefined): Promise<UploadSession> {
    const plan = planChunks(ctx.bytesTotal, config.chunkBytes);
    const source_info = { source: 'FILE_UPLOAD', video_size: ctx.bytesTotal, chunk_size: plan.chunkSize, total_chunk_count: plan.totalChunkCount };
    const body = !info
      ? { source_info }
      : {
          post_info: {
            title: [...ctx.caption].slice(0, MAX_TITLE_CHARS).join(''),
            privacy_level: options.privacyLevel,
            // What the creator turned off stays off, whatever the bulk asks.
            disable_comment: options.disableComment || info.comment_disabled,
            disable_duet: options.disableDuet || info.duet_disabled,
            disable_stitch: options.disableStitch || info.stitch_disabled,
          },
          source_info,
        };
    const res = await http.fetch(api(info ? 'v2/post/publish/video/init/' : 'v2/post/publish/inbox/video/init/'), { ...json(body), signal: ctx.signal });
    const data = await dataOf(res, InitData, `starting the upload of ${ctx.filePath}`);
    return { uri: data.upload_url, remoteId: data.publish_id, chunkBytes: plan.chunkSize, fileSha256: ctx.sha256, bytesTotal: ctx.bytesTotal, startedAt: new Date().toISOString() };
  }

  /** Where a publish's upload stands: done (the bytes are all there), or the next byte to send. */
  async function whereIs(
    http: AuthorizedHttp,
    session: UploadSession,
    signal: AbortSignal,
  ): Promise<{ done: true; dead?: never } | { done: false; dead: boolean; offset: number }> {
    const status = await fetchStatus(http, session.remoteId!, signal);
    // A file stays PROCESSING_UPLOAD while TikTok processes it: all its bytes there means done.
    const offset = status.uploaded_bytes ?? 0;
    if (offset >= session.bytesTotal) return { done: true };
    // Failed before all its bytes arrived (its upload URL died with it): it can never post, so a new init makes no second post.
    if (status.status === 'FAILED') return { done: false, dead: true, offset: 0 };
    if (status.status !== 'PROCESSING_UPLOAD') return { done: true };
    return { done: false, dead: false, offset };
  }

  async function upload(http: AuthorizedHttp, ctx: ApiUploadContext): Promise<{ remoteId: string }> {
    const { signal } = ctx;
    const options = settingsOf(ctx);
    let session = ctx.session?.remoteId && ctx.session.fileSha256 === ctx.sha256 && ctx.session.bytesTotal === ctx.bytesTotal ? ctx.session : undefined;
    let offset = 0;
    if (session) {
      const where = await whereIs(http, session, signal);
      if (where.done) return { remoteId: session.remoteId! };
      offset = where.offset;
      // Its upload URL is dead: that publish never gets its bytes, so a new one makes no second post.
      if (where.dead || Date.now() - Date.parse(session.startedAt) > UPLOAD_URL_LIFETIME_MS) session = undefined;
    }
    if (!session) {
      // The inbox needs no creator settings (the creator picks them in the app), nor the scope that reads them.
      const info = options.mode === 'inbox' ? undefined : await creatorInfo(http, signal);
      if (info) checkAgainstCreator(info, options, ctx);
      await ctx.beforeCreate();
      session = await init(http, ctx, options, info);
      await ctx.saveSession(session);
      offset = 0;
    }
    const plan = planChunks(ctx.bytesTotal, session.chunkBytes ?? config.chunkBytes);
    ctx.progress(offset);

    const file = await fs.open(ctx.filePath, 'r');
    try {
      let failures = 0;
      for (;;) {
        // The server counts whole chunks only: resume at the chunk holding `offset`.
        const index = Math.min(Math.floor(offset / plan.chunkSize), plan.totalChunkCount - 1);
        const { start, end } = plan.range(index);
        const body = Buffer.alloc(end - start);
        await file.read(body, 0, body.length, start);
        let res: Response | undefined;
        try {
          res = await fetch(session.uri, {
            method: 'PUT',
            headers: { 'content-type': mimeType(ctx.filePath), 'content-range': `bytes ${start}-${end - 1}/${ctx.bytesTotal}` },
            body,
            signal,
          });
        } catch (err) {
          // A cut connection: below, the server says what it kept.
          if (signal.aborted || !(err instanceof TypeError)) throw err;
        }
        await res?.body?.cancel();
        if (res?.status === 201) return { remoteId: session.remoteId! };
        // A 206 for the last chunk (not 201) leaves the publish unfinished: asked about below, as a failure.
        if (res?.status === 206 && end < ctx.bytesTotal) {
          offset = end;
          ctx.progress(offset);
          failures = 0;
          continue;
        }
        if (res && res.status < 500 && res.status !== 206 && res.status !== 416 && res.status !== 403 && res.status !== 404) {
          throw new PlatformError({ platform: NAME, kind: 'rejected', detail: `uploading chunk ${index + 1}/${plan.totalChunkCount} of ${ctx.filePath}: ${res.status}` });
        }
        // 416: the server expects another chunk (it kept one we did not hear about), so no wait; 403/404: the URL may have died.
        await afterFailedUpload({ platform: NAME, filePath: ctx.filePath, failures: ++failures, res, signal, wait: res?.status !== 416 });
        const where = await whereIs(http, session, signal);
        if (where.done) return { remoteId: session.remoteId! };
        if (where.dead)
          throw new PlatformError({ platform: NAME, kind: 'unavailable', detail: `TikTok failed the publish of ${ctx.filePath} mid-upload; the next attempt starts a new one` });
        offset = where.offset;
        ctx.progress(offset);
        if ((res?.status === 403 || res?.status === 404) && Date.now() - Date.parse(session.startedAt) > UPLOAD_URL_LIFETIME_MS) {
          throw new PlatformError({ platform: NAME, kind: 'unavailable', detail: `the upload URL of ${ctx.filePath} expired; the next attempt opens a new one` });
        }
      }
    } finally {
      await file.close();
    }
  }

  const profileUrl = (owner: ConnectedIdentity) => `https://www.tiktok.com/@${encodeURIComponent(owner.name)}`;

  return {
    name: NAME,
    kind: 'api',
    settings: 'TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET',
    oauth: config.client
      ? {
          platform: NAME,
          clientId: config.client.key,
          clientSecret: config.client.secret,
          clientIdParam: 'client_key',
          scopeSeparator: ',',
          authUrl: config.authUrl,
          tokenUrl: config.tokenUrl,
          redirectUri: config.redirectUri,
          scopes: TIKTOK_SCOPES,
          // Either way of posting will do; the one a bulk uses is checked when it posts (scope_not_authorized).
          requiredScopes: ['user.info.basic'],
          pkce: true,
        }
      : undefined,
    // TikTok's limit is per user token: each account's own inits per window.
    quota: config.client
      ? {
          project: 'video-init',
          per: 'account',
          label: `TikTok's ${config.initLimit.perWindow} video inits per ${config.initLimit.windowSeconds} s`,
          budget: config.initLimit.perWindow,
          uploadCost: 1,
          periodSeconds: config.initLimit.windowSeconds,
        }
      : undefined,

    async identify(http, signal) {
      const res = await http.fetch(api('v2/user/info/?fields=open_id,union_id,avatar_url,display_name'), { signal });
      const { user } = await dataOf(res, UserInfo, 'reading the user');
      // The @username (for post links) comes with the creator info, which needs video.publish.
      const info = await creatorInfo(http, signal ?? AbortSignal.timeout(30_000)).catch(() => undefined);
      return { id: user.open_id, name: info?.creator_username ?? user.display_name ?? user.open_id };
    },

    upload,

    async status(http, publishId, { owner, signal }): Promise<LiveState> {
      const status = await fetchStatus(http, publishId, signal);
      switch (status.status) {
        case 'PUBLISH_COMPLETE': {
          const postId = status.publicaly_available_post_id?.[0];
          // A private post has no public id: the profile is the link.
          return { state: 'live', url: postId === undefined ? profileUrl(owner) : `${profileUrl(owner)}/video/${encodeURIComponent(String(postId))}` };
        }
        case 'SEND_TO_USER_INBOX':
          return { state: 'live', url: profileUrl(owner), detail: "in the creator's TikTok inbox: they finish the post in the app" };
        case 'FAILED':
          return { state: 'failed', reason: `TikTok could not publish it: ${status.fail_reason ?? 'no reason given'}` };
        default:
          return { state: 'processing', detail: status.status.toLowerCase().replace(/_/g, ' ') };
      }
    },

    postUrl(_publishId, owner) {
      return profileUrl(owner);
    },

    async check(http, _owner, signal) {
      const info = await creatorInfo(http, signal);
      const audited = info.privacy_level_options.some((level) => level !== 'SELF_ONLY');
      return [
        {
          name: 'creator info',
          ok: true,
          detail: `@${info.creator_username} may post ${info.privacy_level_options.join(', ')}; videos up to ${info.max_video_post_duration_sec} s${
            audited ? '' : ` (SELF_ONLY only: the app is unaudited or the account is private; other levels: ${TIKTOK_PRIVACY_LEVELS.filter((l) => l !== 'SELF_ONLY').join(', ')})`
          }`,
        },
      ];
    },
  };
}
