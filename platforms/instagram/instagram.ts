/**
 * Instagram Reels through Meta's Graph API (developers.facebook.com/docs/instagram-platform/
 * content-publishing), with Facebook Login for Business and an Instagram professional
 * account linked to a Facebook Page, as Meta documents it:
 *
 * 1. `GET <ig-user-id>/content_publishing_limit`: posts in the last 24 hours against the
 *    account's limit (50 in the docs). At the limit the account waits, durably, before it
 *    creates anything.
 * 2. `POST <ig-user-id>/media` with `media_type=REELS`, `upload_type=resumable` and the
 *    caption: a container, and the `uri` its bytes go to (on the upload host).
 * 3. `POST <uri>` with `offset` and `file_size` headers and the bytes from `offset`
 *    (`Authorization: OAuth <token>`, as the upload host documents). After a cut connection
 *    or a crash, `GET <container>?fields=video_status` says how many bytes arrived
 *    (`uploading_phase.bytes_transferred`): the upload goes on from there.
 * 4. `GET <container>?fields=status_code,status` until `FINISHED` (`ERROR` and `EXPIRED`
 *    end it with the reason), then `POST <ig-user-id>/media_publish?creation_id=<container>`:
 *    the post. A container is published once; its status then reads `PUBLISHED`, so an
 *    attempt after a crash never publishes it again.
 *
 * Meta issues no refresh token here: the code's short-lived token is exchanged for a
 * 60-day one, and when that ends (or the person removes the app) the account must connect
 * again (`Reauthorize`).
 */
import { z } from 'zod';
import type { InstagramConfig } from '../../config';
import { PlatformError } from '../adapter';
import type { ApiPlatform, ApiUploadContext, AuthorizedHttp, ConnectedIdentity, LiveState, UploadSession } from '../official-api/api-platform';
import { GrantRevokedError, MissingPermissionError, QuotaExhaustedError, RateLimitedError } from '../official-api/errors';
import { tokenRequest, type OAuthClientSettings, type TokenSet } from '../official-api/oauth';
import { afterFailedUpload, fileRangeStream, readBody, retryAfterMs } from '../official-api/wire';

const NAME = 'instagram';
/** Read the professional account behind the person's Pages, and publish to it. */
export const INSTAGRAM_SCOPES = ['instagram_basic', 'instagram_content_publish', 'pages_show_list', 'pages_read_engagement', 'business_management'] as const;
/** Without these nothing can be posted; the others help find the account. */
const REQUIRED_PERMISSIONS = ['instagram_basic', 'instagram_content_publish', 'pages_show_list'] as const;
/** A Reel's caption is at most 2,200 characters. */
const MAX_CAPTION_CHARS = 2_200;
/** Meta's rate-limit codes (application, user, page, custom) and the publishing limit's. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001, 80002]);
const PUBLISH_LIMIT_SUBCODE = 2207042;
/** A rate limit that names no Retry-After (Meta's usually do not): wait this long. */
const RATE_LIMIT_WAIT_MS = 60_000;
/** How often the upload's progress is reported while bytes go out. */
const PROGRESS_EVERY_BYTES = 1024 * 1024;

const GraphError = z.object({
  error: z.object({ message: z.string().optional(), type: z.string().optional(), code: z.number().optional(), error_subcode: z.number().optional() }),
});
const Pages = z.object({
  data: z.array(z.object({ id: z.string(), name: z.string().optional(), instagram_business_account: z.object({ id: z.string(), username: z.string().optional() }).optional() })),
});
const Permissions = z.object({ data: z.array(z.object({ permission: z.string(), status: z.string() })) });
const PublishingLimit = z.object({ data: z.array(z.object({ quota_usage: z.number(), config: z.object({ quota_total: z.number(), quota_duration: z.number() }).optional() })) });
const Container = z.object({ id: z.string().min(1), uri: z.url().optional() });
const ContainerStatus = z.object({
  status_code: z.string().optional(),
  status: z.string().optional(),
  video_status: z.object({ uploading_phase: z.object({ status: z.string().optional(), bytes_transferred: z.number().optional() }).optional() }).optional(),
});
const Media = z.object({ id: z.string().min(1) });
const UploadRefusal = z.object({ debug_info: z.object({ retriable: z.boolean().optional(), type: z.string().optional(), message: z.string().optional() }) });
const Permalink = z.object({ permalink: z.string().optional() });

/** Builds the Instagram platform from its settings. */
export function createInstagramPlatform(config: InstagramConfig): ApiPlatform {
  const graph = (p: string) => new URL(`${config.version}/${p}`, config.graphRootUrl).toString();
  const uploadOrigin = new URL(config.uploadRootUrl).origin;
  const waitLabel = (total: number, seconds: number) => `Instagram's ${total} posts per ${seconds === 86_400 ? '24 hours' : `${seconds} s`}`;

  /** Turns a Graph API error into the error a person (or the retry policy) can act on. */
  async function failure(res: Response, what: string): Promise<Error> {
    const { text, json } = await readBody(res);
    const parsed = GraphError.safeParse(json);
    const e = parsed.success ? parsed.data.error : undefined;
    const code = e?.code;
    const detail = `${what}: ${res.status}${code !== undefined ? ` (#${code}${e?.error_subcode ? `/${e.error_subcode}` : ''})` : ''}: ${e?.message ?? text.slice(0, 200)}`;
    if (code === 190) return new GrantRevokedError(NAME, detail);
    if (code === 9 && e?.error_subcode === PUBLISH_LIMIT_SUBCODE) {
      return new QuotaExhaustedError(NAME, new Date(Date.now() + config.limitRecheckSeconds * 1000), `the account is at its publishing limit (${detail})`, waitLabel(50, 86_400));
    }
    if (res.status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) return new RateLimitedError(NAME, retryAfterMs(res, RATE_LIMIT_WAIT_MS), detail);
    if (code === 10 || (code !== undefined && code >= 200 && code < 300)) return new MissingPermissionError(NAME, detail);
    if (res.status >= 500 || code === 1 || code === 2) return new PlatformError({ platform: NAME, kind: 'unavailable', detail });
    return new PlatformError({ platform: NAME, kind: 'rejected', detail });
  }

  /** The upload host's refusal: `{ debug_info: { retriable, type, message } }`, as its guide shows. */
  async function uploadRefusal(res: Response): Promise<{ retriable: boolean; message: string }> {
    const { text, json } = await readBody(res);
    const parsed = UploadRefusal.safeParse(json);
    const info = parsed.success ? parsed.data.debug_info : undefined;
    return {
      retriable: res.status >= 500 || res.status === 429 || (info?.retriable ?? false),
      message: `${res.status} ${info?.type ?? ''}: ${info?.message ?? text.slice(0, 200)}`,
    };
  }

  async function read<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    if (!res.ok) throw await failure(res, what);
    const body = schema.safeParse(await res.json());
    if (!body.success)
      throw new PlatformError({ platform: NAME, kind: 'unexpected', detail: `${what}: an answer without the documented fields (${body.error.issues[0]?.message ?? ''})` });
    return body.data;
  }

  const form = (params: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });

  async function containerStatus(http: AuthorizedHttp, containerId: string, signal: AbortSignal): Promise<z.infer<typeof ContainerStatus>> {
    const res = await http.fetch(graph(`${encodeURIComponent(containerId)}?fields=id,status_code,status,video_status`), { signal });
    return read(res, ContainerStatus, `reading container ${containerId}`);
  }

  /** Step 1: posts left in the window, or a durable wait until asking again. */
  async function publishingLimit(http: AuthorizedHttp, owner: ConnectedIdentity, signal: AbortSignal): Promise<{ used: number; total: number; seconds: number }> {
    const res = await http.fetch(graph(`${encodeURIComponent(owner.id)}/content_publishing_limit?fields=quota_usage,config`), { signal });
    const row = (await read(res, PublishingLimit, 'reading the publishing limit')).data[0];
    return { used: row?.quota_usage ?? 0, total: row?.config?.quota_total ?? 50, seconds: row?.config?.quota_duration ?? 86_400 };
  }

  /** Step 2: a container and where its bytes go. */
  async function createContainer(http: AuthorizedHttp, ctx: ApiUploadContext): Promise<UploadSession> {
    const res = await http.fetch(graph(`${encodeURIComponent(ctx.owner.id)}/media`), {
      ...form({
        media_type: 'REELS',
        upload_type: 'resumable',
        caption: [...ctx.caption].slice(0, MAX_CAPTION_CHARS).join(''),
        share_to_feed: String(ctx.options.instagram?.shareToFeed ?? true),
      }),
      signal: ctx.signal,
    });
    const container = await read(res, Container, `creating a Reels container for ${ctx.filePath}`);
    const uri = new URL(container.uri ?? `ig-api-upload/${config.version}/${container.id}`, config.uploadRootUrl);
    // The upload request carries the account's token: never to another host than the configured one.
    if (uri.origin !== uploadOrigin) {
      throw new PlatformError({
        platform: NAME,
        kind: 'unexpected',
        detail: `the container's upload URI is on ${uri.origin}, not ${uploadOrigin}; refusing to send the token there`,
      });
    }
    return { uri: uri.toString(), remoteId: container.id, fileSha256: ctx.sha256, bytesTotal: ctx.bytesTotal, startedAt: new Date().toISOString() };
  }

  /** How many bytes the upload host holds; `complete` when it needs no more (or the container moved on). */
  async function bytesHeld(http: AuthorizedHttp, session: UploadSession, signal: AbortSignal): Promise<{ offset: number; complete: boolean; expired: boolean }> {
    const status = await containerStatus(http, session.remoteId!, signal);
    const phase = status.video_status?.uploading_phase;
    const offset = phase?.bytes_transferred ?? 0;
    const expired = status.status_code === 'EXPIRED';
    return {
      offset,
      complete: !expired && (phase?.status === 'complete' || offset >= session.bytesTotal || status.status_code === 'FINISHED' || status.status_code === 'PUBLISHED'),
      expired,
    };
  }

  async function upload(http: AuthorizedHttp, ctx: ApiUploadContext): Promise<{ remoteId: string }> {
    const { signal } = ctx;
    let session = ctx.session?.remoteId && ctx.session.fileSha256 === ctx.sha256 && ctx.session.bytesTotal === ctx.bytesTotal ? ctx.session : undefined;
    let offset = 0;
    if (session) {
      const held = await bytesHeld(http, session, signal);
      if (held.complete) return { remoteId: session.remoteId! };
      offset = held.offset;
      // An expired container was never published: a new one makes no second post.
      if (held.expired) session = undefined;
    }
    if (!session) {
      const limit = await publishingLimit(http, ctx.owner, signal);
      if (limit.used >= limit.total) {
        throw new QuotaExhaustedError(
          NAME,
          new Date(Date.now() + config.limitRecheckSeconds * 1000),
          `@${ctx.owner.name} published ${limit.used} of ${limit.total} posts allowed in ${limit.seconds} s`,
          waitLabel(limit.total, limit.seconds),
        );
      }
      await ctx.beforeCreate();
      session = await createContainer(http, ctx);
      await ctx.saveSession(session);
      offset = 0;
    }
    ctx.progress(offset);

    let failures = 0;
    for (;;) {
      const from = offset;
      let reported = 0;
      let res: Response | undefined;
      try {
        res = await http.fetch(session.uri, {
          method: 'POST',
          authScheme: 'OAuth',
          headers: { offset: String(from), file_size: String(ctx.bytesTotal), 'content-type': 'application/octet-stream' },
          body: () =>
            fileRangeStream(ctx.filePath, from, ctx.bytesTotal, (sent) => {
              if (sent - reported >= PROGRESS_EVERY_BYTES) {
                reported = sent;
                ctx.progress(from + sent);
              }
            }),
          signal,
        });
      } catch (err) {
        // A cut connection: below, the container says what arrived.
        if (signal.aborted || !(err instanceof TypeError)) throw err;
      }
      if (res?.ok) {
        await res.body?.cancel();
        ctx.progress(ctx.bytesTotal);
        return { remoteId: session.remoteId! };
      }
      // The upload host answers every refusal alike (`debug_info`), an offset it disagrees with
      // included: ask the container below, and give up only on one that moves nothing.
      const refusal = res ? await uploadRefusal(res) : undefined;
      await afterFailedUpload({ platform: NAME, filePath: ctx.filePath, failures: ++failures, res, signal });
      const held = await bytesHeld(http, session, signal);
      if (held.complete) return { remoteId: session.remoteId! };
      if (held.expired)
        throw new PlatformError({ platform: NAME, kind: 'unavailable', detail: `the container of ${ctx.filePath} expired mid-upload; the next attempt makes a new one` });
      if (refusal && !refusal.retriable && held.offset === from)
        throw new PlatformError({ platform: NAME, kind: 'rejected', detail: `uploading ${ctx.filePath}: ${refusal.message}` });
      if (held.offset > offset) failures = 0;
      offset = held.offset;
      ctx.progress(offset);
    }
  }

  const profileUrl = (owner: ConnectedIdentity) => `https://www.instagram.com/${encodeURIComponent(owner.name)}/`;

  const oauth: OAuthClientSettings | undefined = config.app
    ? {
        platform: NAME,
        clientId: config.app.id,
        clientSecret: config.app.secret,
        authUrl: config.authUrl,
        tokenUrl: graph('oauth/access_token'),
        tokenMethod: 'GET',
        scopeSeparator: ',',
        redirectUri: config.redirectUri,
        scopes: INSTAGRAM_SCOPES,
        // The token answer names no scopes: identify() reads the granted permissions instead.
        requiredScopes: [],
        pkce: false,
        // The code's token lasts an hour or two; Meta's long-lived one, 60 days.
        async afterExchange(client, short: TokenSet, signal) {
          return tokenRequest(client, { grant_type: 'fb_exchange_token', fb_exchange_token: short.accessToken }, signal);
        },
      }
    : undefined;

  return {
    name: NAME,
    kind: 'api',
    settings: 'INSTAGRAM_APP_ID and INSTAGRAM_APP_SECRET',
    oauth,
    // The limit is each account's posts per 24 hours, which the Graph API reports itself (step 1).
    quota: undefined,

    async identify(http, signal) {
      const granted = await read(await http.fetch(graph('me/permissions'), { signal }), Permissions, 'reading the granted permissions');
      const missing = REQUIRED_PERMISSIONS.filter((p) => !granted.data.some((g) => g.permission === p && g.status === 'granted'));
      if (missing.length) {
        throw new PlatformError({
          platform: NAME,
          kind: 'rejected',
          detail: `access was granted without ${missing.join(' and ')}; connect again and leave every permission ticked`,
        });
      }
      const pages = await read(await http.fetch(graph('me/accounts?fields=id,name,instagram_business_account{id,username}'), { signal }), Pages, 'reading the Pages');
      const linked = pages.data.find((p) => p.instagram_business_account);
      if (!linked?.instagram_business_account) {
        throw new PlatformError({
          platform: NAME,
          kind: 'rejected',
          detail: 'none of the Facebook Pages granted has an Instagram professional account linked: link one (Instagram settings, Account type and tools), then connect again',
        });
      }
      const ig = linked.instagram_business_account;
      return { id: ig.id, name: ig.username ?? ig.id };
    },

    upload,

    async status(http, containerId, { owner, signal }): Promise<LiveState> {
      const status = await containerStatus(http, containerId, signal);
      switch (status.status_code) {
        case 'FINISHED':
          return { state: 'ready' };
        // Published by an attempt that crashed before it recorded the post: the profile is the link.
        case 'PUBLISHED':
          return { state: 'live', url: profileUrl(owner) };
        case 'ERROR':
          return { state: 'failed', reason: `Instagram could not process it: ${status.status ?? 'no reason given'}` };
        case 'EXPIRED':
          return { state: 'failed', reason: 'the container expired before it was published (24 hours after it was made)' };
        default:
          return { state: 'processing', detail: status.status_code?.toLowerCase().replace(/_/g, ' ') ?? 'processing' };
      }
    },

    async publish(http, containerId, { owner, signal }) {
      const res = await http.fetch(graph(`${encodeURIComponent(owner.id)}/media_publish`), { ...form({ creation_id: containerId }), signal });
      const media = await read(res, Media, `publishing container ${containerId}`);
      const link = await http
        .fetch(graph(`${encodeURIComponent(media.id)}?fields=id,permalink`), { signal })
        .then((r) => read(r, Permalink, `reading the link of media ${media.id}`))
        // The post exists whatever this read says: the profile is the link then.
        .catch(() => ({ permalink: undefined }));
      return { url: link.permalink ?? profileUrl(owner) };
    },

    postUrl(_containerId, owner) {
      return profileUrl(owner);
    },

    async check(http, owner, signal) {
      const limit = await publishingLimit(http, owner, signal);
      return [
        {
          name: 'publishing limit',
          ok: limit.used < limit.total,
          detail: `@${owner.name} published ${limit.used} of ${limit.total} posts allowed in the last ${limit.seconds === 86_400 ? '24 hours' : `${limit.seconds} s`}`,
        },
      ];
    },
  };
}
