/**
 * YouTube through the Data API v3: OAuth scopes, who a connection is (its channel), the
 * resumable upload protocol, and processing status. The protocol, as Google documents it
 * (developers.google.com/youtube/v3/guides/using_resumable_upload_protocol):
 *
 * 1. `POST upload/youtube/v3/videos?uploadType=resumable&part=snippet,status` with the video
 *    resource as JSON and `X-Upload-Content-Length`/`-Type`: the session URI comes back in
 *    `Location`. This is the call that costs quota (videos.insert).
 * 2. `PUT <session>` chunks (multiples of 256 KiB) with `Content-Range: bytes a-b/total`:
 *    `308 Resume Incomplete` with `Range: bytes=0-n` until the last gets 200/201 with the video.
 * 3. After a cut connection, a 5xx or a crash: `PUT <session>` with no body and a Content-Range
 *    of `bytes *` over the total answers where the server stands (308 + Range), or the
 *    finished video (200/201).
 * 4. `videos.list?part=status,processingDetails` until `uploadStatus` is `processed` (or
 *    `failed`/`rejected` with the reason).
 */
import fs from 'node:fs/promises';
import { z } from 'zod';
import type { YouTubeConfig } from '../../config';
import { PlatformError } from '../adapter';
import type { ApiPlatform, ApiUploadContext, AuthorizedHttp, LiveState, UploadSession } from '../official-api/api-platform';
import { MissingPermissionError, ProviderQuotaExceededError, RateLimitedError } from '../official-api/errors';
import { afterFailedUpload, mimeType, readBody, retryAfterMs } from '../official-api/wire';

const NAME = 'youtube';
/** Upload and read: nothing else is asked for. */
export const YOUTUBE_SCOPES = ['https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.readonly'] as const;
/** Every chunk but the last must be a multiple of this. */
export const CHUNK_GRANULARITY = 256 * 1024;
/** Titles are at most 100 characters and may not contain `<` or `>`. */
const MAX_TITLE_CHARS = 100;
const MAX_DESCRIPTION_BYTES = 5_000;
/** Google keeps a resumable session for about a week. */
const SESSION_LIFETIME_MS = 6 * 24 * 3600_000;

const GoogleErrorBody = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    errors: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() })).optional(),
    status: z.string().optional(),
  }),
});

const VideoResource = z.object({ id: z.string().min(1) });
const VideoList = z.object({
  items: z
    .array(
      z.object({
        id: z.string(),
        status: z.object({ uploadStatus: z.string(), failureReason: z.string().optional(), rejectionReason: z.string().optional() }).optional(),
        processingDetails: z
          .object({
            processingStatus: z.string().optional(),
            processingProgress: z.object({ partsTotal: z.coerce.number().optional(), partsProcessed: z.coerce.number().optional() }).optional(),
          })
          .optional(),
      }),
    )
    .default([]),
});
const ChannelList = z.object({ items: z.array(z.object({ id: z.string(), snippet: z.object({ title: z.string() }) })).default([]) });

/** `{ status, reason, message }` of a Google error answer. */
async function readError(res: Response): Promise<{ status: number; reason: string; message: string }> {
  const { text, json } = await readBody(res);
  const parsed = GoogleErrorBody.safeParse(json);
  const first = parsed.success ? parsed.data.error.errors?.[0] : undefined;
  return {
    status: res.status,
    reason: first?.reason ?? (parsed.success ? (parsed.data.error.status ?? '') : ''),
    message: (parsed.success ? parsed.data.error.message : undefined) ?? first?.message ?? text.slice(0, 200),
  };
}

/** Turns an error answer into the error a person (or the retry policy) can act on. */
async function failure(res: Response, what: string): Promise<Error> {
  const e = await readError(res);
  const detail = `${what}: ${e.status}${e.reason ? ` ${e.reason}` : ''}: ${e.message}`;
  if (e.status === 429 || e.reason === 'rateLimitExceeded' || e.reason === 'userRateLimitExceeded') return new RateLimitedError(NAME, retryAfterMs(res), detail);
  if (e.reason === 'quotaExceeded' || e.reason === 'dailyLimitExceeded') return new ProviderQuotaExceededError(NAME, detail);
  if (e.status === 403 && (e.reason === 'insufficientPermissions' || e.reason === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT')) return new MissingPermissionError(NAME, detail);
  if (e.status >= 500) return new PlatformError({ platform: NAME, kind: 'unavailable', detail });
  // A 401 after the refresh-and-retry, a 404 of something we just made: a glitch the retry policy bounds.
  if (e.status === 401 || e.status === 404) return new PlatformError({ platform: NAME, kind: 'unexpected', detail });
  return new PlatformError({ platform: NAME, kind: 'rejected', detail });
}

/** The title: the caption's first line without `<` or `>`, at most 100 characters; the video id when that leaves nothing. */
export function titleFromCaption(caption: string, fallback: string): string {
  const firstLine = caption.split('\n')[0]!.replace(/[<>]/g, '').trim();
  return [...(firstLine || fallback)].slice(0, MAX_TITLE_CHARS).join('');
}

function clipBytes(text: string, maxBytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}

/** The next byte the server expects, from a 308's `Range: bytes=0-n` (none = nothing stored). */
function confirmedOffset(res: Response): number {
  const range = res.headers.get('range');
  const match = range ? /bytes=0-(\d+)/.exec(range) : null;
  return match ? Number(match[1]) + 1 : 0;
}

type SessionState = { kind: 'done'; remoteId: string } | { kind: 'at'; offset: number } | { kind: 'gone' };

/** Builds the YouTube platform from its settings. */
export function createYouTubePlatform(config: YouTubeConfig): ApiPlatform {
  const api = (p: string) => new URL(p, config.apiRootUrl).toString();

  /** Asks the server where an upload session stands (step 3). */
  async function whereIs(http: AuthorizedHttp, session: UploadSession, signal: AbortSignal): Promise<SessionState> {
    const res = await http.fetch(session.uri, { method: 'PUT', headers: { 'content-range': `bytes */${session.bytesTotal}` }, body: '', signal });
    if (res.status === 308) {
      await res.body?.cancel();
      return { kind: 'at', offset: confirmedOffset(res) };
    }
    if (res.status === 200 || res.status === 201) return { kind: 'done', remoteId: VideoResource.parse(await res.json()).id };
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      return { kind: 'gone' };
    }
    throw await failure(res, 'asking where the upload stands');
  }

  /** Opens a session (step 1): the one call that can create a video, and costs quota. */
  async function initiate(http: AuthorizedHttp, ctx: ApiUploadContext): Promise<UploadSession> {
    const yt = ctx.options.youtube;
    const resource = {
      snippet: {
        title: titleFromCaption(ctx.caption, ctx.videoId),
        description: clipBytes(ctx.caption, MAX_DESCRIPTION_BYTES),
        ...(yt?.categoryId ? { categoryId: yt.categoryId } : {}),
      },
      status: { privacyStatus: yt?.privacyStatus ?? 'private', selfDeclaredMadeForKids: yt?.madeForKids ?? false },
    };
    const res = await http.fetch(api('upload/youtube/v3/videos?uploadType=resumable&part=snippet,status'), {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-length': String(ctx.bytesTotal), 'x-upload-content-type': mimeType(ctx.filePath) },
      body: JSON.stringify(resource),
      signal: ctx.signal,
    });
    if (!res.ok) throw await failure(res, `starting the upload of ${ctx.filePath}`);
    await res.body?.cancel();
    const location = res.headers.get('location');
    if (!location) throw new PlatformError({ platform: NAME, kind: 'unexpected', detail: 'the upload was accepted without a session URI (no Location header)' });
    const uri = new URL(location, config.apiRootUrl);
    // The session gets the account's bearer token: never on another host than the API's.
    if (uri.origin !== new URL(config.apiRootUrl).origin) {
      throw new PlatformError({
        platform: NAME,
        kind: 'unexpected',
        detail: `the upload session is on ${uri.origin}, not ${new URL(config.apiRootUrl).origin}; refusing to send the token there`,
      });
    }
    return { uri: uri.toString(), fileSha256: ctx.sha256, bytesTotal: ctx.bytesTotal, startedAt: new Date().toISOString() };
  }

  return {
    name: NAME,
    kind: 'api',
    settings: 'YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET',
    oauth: config.client
      ? {
          platform: NAME,
          clientId: config.client.id,
          clientSecret: config.client.secret,
          authUrl: config.authUrl,
          tokenUrl: config.tokenUrl,
          redirectUri: config.redirectUri,
          scopes: YOUTUBE_SCOPES,
          pkce: true,
          // Offline access for a refresh token; `prompt=consent` so a reconnect gets a new one.
          authParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
        }
      : undefined,
    quota: config.client ? { project: config.client.id, budget: config.quota.budget, uploadCost: config.quota.uploadCost, periodSeconds: config.quota.periodSeconds } : undefined,

    async identify(http, signal) {
      const res = await http.fetch(api('youtube/v3/channels?part=snippet&mine=true'), { signal });
      if (!res.ok) throw await failure(res, 'reading the channel');
      const channel = ChannelList.parse(await res.json()).items[0];
      if (!channel) throw new PlatformError({ platform: NAME, kind: 'rejected', detail: 'the Google account has no YouTube channel: create one, then connect again' });
      return { id: channel.id, name: channel.snippet.title };
    },

    async upload(http, ctx) {
      const { signal } = ctx;
      let session = ctx.session?.fileSha256 === ctx.sha256 && ctx.session.bytesTotal === ctx.bytesTotal ? ctx.session : undefined;
      let offset = 0;
      if (session) {
        const where = await whereIs(http, session, signal);
        if (where.kind === 'done') return { remoteId: where.remoteId };
        if (where.kind === 'at') offset = where.offset;
        else if (Date.now() - Date.parse(session.startedAt) < SESSION_LIFETIME_MS) {
          // A session Google should still hold is gone: it may have finished before we heard. Opening
          // another could make a second video; a later attempt asks again, and a person decides if it persists.
          throw new PlatformError({
            platform: NAME,
            kind: 'unexpected',
            detail: `the upload session of ${ctx.filePath} answers 404 though it should live until a week after its start; not opening another`,
          });
        }
        // Expired after its week: it made no video that finished within it, so a new session is safe.
        else session = undefined;
      }
      if (!session) {
        await ctx.beforeCreate();
        session = await initiate(http, ctx);
        await ctx.saveSession(session);
      }
      ctx.progress(offset);

      const file = await fs.open(ctx.filePath, 'r');
      try {
        let failures = 0;
        for (;;) {
          const end = Math.min(offset + config.chunkBytes, ctx.bytesTotal);
          const body = Buffer.alloc(end - offset);
          await file.read(body, 0, body.length, offset);
          let res: Response | undefined;
          try {
            res = await http.fetch(session.uri, {
              method: 'PUT',
              headers: { 'content-type': mimeType(ctx.filePath), 'content-range': `bytes ${offset}-${end - 1}/${ctx.bytesTotal}` },
              body,
              signal,
            });
          } catch (err) {
            // A cut connection: the server may have kept part of the chunk. Below, we ask.
            if (signal.aborted || !(err instanceof TypeError)) throw err;
          }
          if (res?.status === 308) {
            await res.body?.cancel();
            const confirmed = confirmedOffset(res);
            // A 308 that confirms nothing new is a failure too, or a server that keeps nothing would be fed forever.
            if (confirmed > offset) {
              offset = confirmed;
              ctx.progress(offset);
              failures = 0;
              continue;
            }
          } else if (res?.status === 200 || res?.status === 201) return { remoteId: VideoResource.parse(await res.json()).id };
          // A 400 on a chunk is most often an offset the server no longer agrees with (another attempt wrote meanwhile): ask, below.
          else if (res && res.status < 500 && res.status !== 400 && res.status !== 404 && res.status !== 410) throw await failure(res, `uploading ${ctx.filePath}`);
          if (res && res.status !== 308) await res.body?.cancel();
          await afterFailedUpload({ platform: NAME, filePath: ctx.filePath, failures: ++failures, res, signal });
          const where = await whereIs(http, session, signal);
          if (where.kind === 'done') return { remoteId: where.remoteId };
          if (where.kind === 'gone')
            throw new PlatformError({ platform: NAME, kind: 'unavailable', detail: `the upload session of ${ctx.filePath} answers 404 mid-upload; the next attempt asks again` });
          offset = where.offset;
          ctx.progress(offset);
        }
      } finally {
        await file.close();
      }
    },

    async status(http, remoteId, { signal }): Promise<LiveState> {
      const res = await http.fetch(api(`youtube/v3/videos?part=status,processingDetails&id=${encodeURIComponent(remoteId)}`), { signal });
      if (!res.ok) {
        // Only the video's own status is a verdict on it: a refused read is a glitch to retry.
        const err = await failure(res, `reading the status of video ${remoteId}`);
        throw err instanceof PlatformError && err.kind === 'rejected' ? new PlatformError({ platform: NAME, kind: 'unexpected', detail: err.message.slice(NAME.length + 2) }) : err;
      }
      const video = VideoList.parse(await res.json()).items.find((v) => v.id === remoteId);
      if (!video?.status) return { state: 'missing' };
      const { uploadStatus, failureReason, rejectionReason } = video.status;
      if (uploadStatus === 'processed') return { state: 'live' };
      if (uploadStatus === 'failed') return { state: 'failed', reason: `processing failed: ${failureReason ?? 'no reason given'}` };
      if (uploadStatus === 'rejected') return { state: 'failed', reason: `rejected: ${rejectionReason ?? 'no reason given'}` };
      if (uploadStatus === 'deleted') return { state: 'failed', reason: 'the video was deleted' };
      const progress = video.processingDetails?.processingProgress;
      const parts = progress?.partsTotal ? ` (${progress.partsProcessed ?? 0}/${progress.partsTotal} parts)` : '';
      return { state: 'processing', detail: `${video.processingDetails?.processingStatus ?? uploadStatus}${parts}` };
    },

    postUrl(remoteId) {
      return `https://www.youtube.com/watch?v=${encodeURIComponent(remoteId)}`;
    },

    async check(http, owner, signal) {
      const channel = await this.identify(http, signal);
      const same = channel.id === owner.id;
      return [
        {
          name: 'channel',
          ok: same,
          detail: same ? `uploads go to "${channel.name}" (${channel.id})` : `the token now acts as channel ${channel.id}, not the connected ${owner.id}: connect again`,
        },
      ];
    },
  };
}
