/**
 * A local stand-in for the parts of TikTok that clipfleet's TikTok support talks to, written from
 * TikTok for Developers' docs: Login Kit's consent screen and the OAuth v2 token and revoke
 * endpoints (oauth.ts), the Display API's user info, and the Content Posting API's creator info,
 * Direct Post and Upload (inbox) init, the chunked upload to `upload_url` and Get Post Status
 * (posts.ts), with the per-token rate limits (rate-limit.ts). Tests and the demo run it;
 * `/_stand-in/*` lets a test switch faults on (faults.ts) and read what the server received. It
 * keeps everything in memory and the uploaded bytes in `dataDir`.
 */
import type http from 'node:http';
import { createStandInServer, routeTable, type Route } from '../shared/server';
import { APPROVE_PATH, renderConsentPage, renderErrorPage } from './consent-page';
import { ConsentError, invalidParam, logId, OAuthError, TikTokApiError, UploadError } from './errors';
import { Faults, FaultSettingsSchema } from './faults';
import { bearerToken, readForm, readJsonBody, redirect, sendHtml, sendJson } from './http';
import { BASIC_SCOPE, OAuthServer, type Grant } from './oauth';
import { PRIVACY_LEVELS, Publishes, UPLOAD_PATH, type PrivacyLevel, type TikTokUser } from './posts';
import { SlidingWindowLimit } from './rate-limit';

/** A TikTok account a person can authorize the client as, with its creator info. */
export interface TikTokUserOptions {
  openId: string;
  username: string;
  displayName: string;
  /** Default: derived from openId. */
  unionId?: string;
  avatarUrl?: string;
  /** Default all four levels. */
  privacyLevelOptions?: PrivacyLevel[];
  /** Default 600. */
  maxVideoPostDurationSec?: number;
  commentDisabled?: boolean;
  duetDisabled?: boolean;
  stitchDisabled?: boolean;
}

export interface TikTokStandInOptions {
  /** 0 = a free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The one registered client. */
  clientKey: string;
  clientSecret: string;
  /** Redirect URIs registered for the client; a consent request with another gets an error page. Empty/undefined = any http(s) URI on 127.0.0.1/localhost. */
  redirectUris?: string[];
  /** Accounts a person can pick on the consent page. Default one: tt-open-demo-0001, @demo.creator, "Demo Creator". */
  users?: TikTokUserOptions[];
  /** Whether the client passed TikTok's audit (default false: Direct Post takes only SELF_ONLY). */
  audited?: boolean;
  /** Access-token lifetime in seconds, reported as expires_in (default 86400). */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime in seconds from the first issuance, reported as refresh_expires_in (default 31536000). */
  refreshTokenTtlSeconds?: number;
  /** How long a rotated-out refresh token still works (default 0: the docs say it stops once a new one is issued). */
  refreshGraceMs?: number;
  /** Direct Post and Upload init requests per access token per window (default 6, shared by both endpoints). */
  initPerMinute?: number;
  /** Status fetch requests per access token per window (default 30). */
  statusFetchPerMinute?: number;
  /** Creator info requests per access token per window (default 20). */
  creatorInfoPerMinute?: number;
  /** The rate-limit window (default 60000 ms), so tests can shorten it. */
  rateWindowMs?: number;
  /** How long a post takes from its last chunk to its outcome (default 3000 ms). */
  processingMs?: number;
  /** How long an upload_url works after init (default 3600000 ms: "valid for one hour after issuance"). */
  uploadUrlTtlMs?: number;
  /** Inbox uploads a user may have pending within 24 hours (default 5, as the docs say). */
  maxPendingShares?: number;
  /** Where uploaded bytes go (a temp dir if unset; removed on close when it made it). */
  dataDir?: string;
}

export interface TikTokStandIn {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  /** `${url}/v2/auth/authorize/` */
  authUrl: string;
  /** `${url}/v2/oauth/token/` */
  tokenUrl: string;
  /** `${url}/`: where open.tiktokapis.com's paths (v2/...) live. */
  apiRootUrl: string;
  /** Stops the server, closes open sockets, removes its temp dir. */
  close(): Promise<void>;
}

export const DEFAULT_USER: TikTokUserOptions = { openId: 'tt-open-demo-0001', username: 'demo.creator', displayName: 'Demo Creator' };
const AUTH_PATH = '/v2/auth/authorize/';
const TOKEN_PATH = '/v2/oauth/token/';
const CONTROL_PREFIX = '/_stand-in/';
const PUBLISH_SCOPE = 'video.publish';
const UPLOAD_SCOPE = 'video.upload';

/** Display API user fields and the scope each needs (doc: "User Info"). */
const USER_FIELD_SCOPES: Readonly<Record<string, string>> = {
  open_id: BASIC_SCOPE,
  union_id: BASIC_SCOPE,
  avatar_url: BASIC_SCOPE,
  avatar_url_100: BASIC_SCOPE,
  avatar_large_url: BASIC_SCOPE,
  display_name: BASIC_SCOPE,
  bio_description: 'user.info.profile',
  profile_deep_link: 'user.info.profile',
  is_verified: 'user.info.profile',
  username: 'user.info.profile',
  follower_count: 'user.info.stats',
  following_count: 'user.info.stats',
  likes_count: 'user.info.stats',
  video_count: 'user.info.stats',
};

const withDefaults = (user: TikTokUserOptions): TikTokUser => ({
  unionId: `tt-union-${user.openId}`,
  avatarUrl: `https://p16-sign.tiktokcdn.com/stand-in/${encodeURIComponent(user.openId)}.jpeg`,
  privacyLevelOptions: [...PRIVACY_LEVELS],
  maxVideoPostDurationSec: 600,
  commentDisabled: false,
  duetDisabled: false,
  stitchDisabled: false,
  ...user,
});

/** Sends the Open API's success envelope around `data` (or around already-serialised `raw` data). */
function sendOk(res: http.ServerResponse, data: unknown, raw?: string): void {
  const error = JSON.stringify({ code: 'ok', message: '', log_id: logId() });
  sendJson(res, 200, undefined, {}, `{"data":${raw ?? JSON.stringify(data)},"error":${error}}`);
}

/** Starts the stand-in and resolves once it listens. */
export async function startTikTokStandIn(opts: TikTokStandInOptions): Promise<TikTokStandIn> {
  const server = await createStandInServer({ name: 'TikTok stand-in', host: opts.host, port: opts.port, dataDir: opts.dataDir });
  const users = (opts.users ?? [DEFAULT_USER]).map(withDefaults);
  const windowMs = opts.rateWindowMs ?? 60_000;

  const oauth = new OAuthServer(
    { clientKey: opts.clientKey, clientSecret: opts.clientSecret, redirectUris: opts.redirectUris ?? [] },
    users.map((u) => u.openId),
    { accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 86_400, refreshTokenTtlSeconds: opts.refreshTokenTtlSeconds ?? 31_536_000, refreshGraceMs: opts.refreshGraceMs ?? 0 },
  );
  const faults = new Faults();
  const limits = {
    init: new SlidingWindowLimit(opts.initPerMinute ?? 6, windowMs),
    statusFetch: new SlidingWindowLimit(opts.statusFetchPerMinute ?? 30, windowMs),
    creatorInfo: new SlidingWindowLimit(opts.creatorInfoPerMinute ?? 20, windowMs),
  };
  let origin = '';
  const publishes = new Publishes({
    dataDir: server.dataDir,
    faults,
    users,
    audited: opts.audited ?? false,
    processingMs: opts.processingMs ?? 3000,
    uploadUrlTtlMs: opts.uploadUrlTtlMs ?? 3_600_000,
    maxPendingShares: opts.maxPendingShares ?? 5,
    origin: () => origin,
  });

  /** Faults first (a real backend fails before it looks at you), then the bearer check, then the token's limit. */
  const apiGrant = (req: http.IncomingMessage, scopes: readonly string[], limit?: SlidingWindowLimit): Grant => {
    const fault = faults.takeRequestFault();
    if (fault) throw fault;
    const token = bearerToken(req);
    const grant = oauth.authenticate(token, scopes);
    if (limit && token) limit.take(token);
    return grant;
  };

  const handlers: Record<string, Route> = {
    [`GET ${AUTH_PATH}`]: async (_req, res, url) => {
      const request = oauth.validateConsentRequest(url.searchParams);
      if ('redirect' in request) return redirect(res, request.redirect);
      sendHtml(res, 200, await renderConsentPage(request, users));
    },
    [`POST ${APPROVE_PATH}`]: async (req, res) => {
      const form = await readForm(req);
      const decision = form.get('decision');
      if (decision !== 'allow' && decision !== 'deny') throw new ConsentError(400, 'invalid_request', 'The consent form was sent without a decision (Allow or Cancel).');
      const openId = form.get('user') ?? undefined;
      const granted = form.getAll('granted_scope');
      for (const name of ['decision', 'user', 'granted_scope']) form.delete(name);
      const request = oauth.validateConsentRequest(form);
      if ('redirect' in request) return redirect(res, request.redirect);
      redirect(res, oauth.decide(request, decision, openId, granted));
    },
    [`POST ${TOKEN_PATH}`]: async (req, res) => {
      sendJson(res, 200, oauth.token(await readForm(req)), { 'cache-control': 'no-store', pragma: 'no-cache' });
    },
    'POST /v2/oauth/revoke/': async (req, res) => {
      oauth.revoke(await readForm(req));
      sendJson(res, 200, {});
    },
    'GET /v2/user/info/': async (req, res, url) => {
      const grant = apiGrant(req, [BASIC_SCOPE]);
      const fields = (url.searchParams.get('fields') ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      if (fields.length === 0) throw invalidParam('fields is required, e.g. fields=open_id,union_id,avatar_url,display_name.');
      const unknown = fields.filter((f) => !(f in USER_FIELD_SCOPES));
      if (unknown.length > 0) throw invalidParam(`Unknown fields: ${unknown.join(',')}.`);
      const missing = fields.filter((f) => !grant.scopes.includes(USER_FIELD_SCOPES[f] ?? ''));
      if (missing.length > 0) {
        const scopes = [...new Set(missing.map((f) => USER_FIELD_SCOPES[f]))].join(',');
        throw new TikTokApiError(400, 'scope_permission_missed', `The fields ${missing.join(',')} need the scope ${scopes}, which the user did not grant.`);
      }
      const user = publishes.user(grant.openId);
      const values: Record<string, unknown> = {
        open_id: user.openId,
        union_id: user.unionId,
        avatar_url: user.avatarUrl,
        avatar_url_100: user.avatarUrl,
        avatar_large_url: user.avatarUrl,
        display_name: user.displayName,
        bio_description: '',
        profile_deep_link: `https://vm.tiktok.com/stand-in/${encodeURIComponent(user.username)}`,
        is_verified: false,
        username: user.username,
        follower_count: 0,
        following_count: 0,
        likes_count: 0,
        video_count: [...publishes.byId.values()].filter((p) => p.openId === user.openId && publishes.statusAt(p, Date.now()) === 'PUBLISH_COMPLETE').length,
      };
      sendOk(res, { user: Object.fromEntries(fields.map((f) => [f, values[f]])) });
    },
    'POST /v2/post/publish/creator_info/query/': async (req, res) => {
      const grant = apiGrant(req, [PUBLISH_SCOPE], limits.creatorInfo);
      req.resume();
      const user = publishes.user(grant.openId);
      const data = {
        creator_avatar_url: user.avatarUrl,
        creator_username: user.username,
        creator_nickname: user.displayName,
        privacy_level_options: user.privacyLevelOptions,
        comment_disabled: user.commentDisabled,
        duet_disabled: user.duetDisabled,
        stitch_disabled: user.stitchDisabled,
        max_video_post_duration_sec: user.maxVideoPostDurationSec,
      };
      // The docs mark this one "200 (intentional)": the cap is reported with the creator info, not as an HTTP error.
      if (faults.postLimitReached) {
        const error = { code: 'spam_risk_too_many_posts', message: 'The daily post cap from the API is reached for the current user.', log_id: logId() };
        return sendJson(res, 200, { data, error });
      }
      sendOk(res, data);
    },
    'POST /v2/post/publish/video/init/': async (req, res) => {
      const grant = apiGrant(req, [PUBLISH_SCOPE], limits.init);
      sendOk(res, await publishes.init(grant, 'direct', await readJsonBody(req)));
    },
    'POST /v2/post/publish/inbox/video/init/': async (req, res) => {
      const grant = apiGrant(req, [UPLOAD_SCOPE], limits.init);
      sendOk(res, await publishes.init(grant, 'inbox', await readJsonBody(req)));
    },
    'POST /v2/post/publish/status/fetch/': async (req, res) => {
      const grant = apiGrant(req, [PUBLISH_SCOPE, UPLOAD_SCOPE], limits.statusFetch);
      sendOk(res, undefined, publishes.status(grant, await readJsonBody(req)).raw);
    },
    [`PUT ${UPLOAD_PATH}`]: async (req, res, url) => {
      // No bearer token here: the upload_token in upload_url is the credential.
      const fault = faults.takeRequestFault();
      if (fault) throw fault;
      await publishes.put(req, res, url);
    },

    [`GET ${CONTROL_PREFIX}faults`]: async (_req, res) => sendJson(res, 200, faults.report()),
    [`POST ${CONTROL_PREFIX}faults`]: async (req, res) => {
      let posted: unknown;
      try {
        posted = await readJsonBody(req);
      } catch {
        return sendJson(res, 400, { error: 'the faults body is not JSON' });
      }
      const parsed = FaultSettingsSchema.safeParse(posted);
      if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      const actions = faults.merge(parsed.data);
      if (actions.expireAccessTokens) oauth.expireAccessTokens();
      if (actions.revokeUser) {
        oauth.revokeUser(actions.revokeUser);
        publishes.removeAuth(actions.revokeUser);
      }
      sendJson(res, 200, faults.report());
    },
    [`DELETE ${CONTROL_PREFIX}faults`]: async (_req, res) => {
      faults.reset();
      sendJson(res, 200, faults.report());
    },
    [`GET ${CONTROL_PREFIX}state`]: async (_req, res) => {
      const now = Date.now();
      const iso = (at: number | undefined): string | null => (at === undefined ? null : new Date(at).toISOString());
      const perToken = (limit: SlidingWindowLimit): { accessToken: string; openId: string | null; at: number[] }[] =>
        [...limit.accepted].map(([accessToken, at]) => ({ accessToken, openId: oauth.openIdOf(accessToken) ?? null, at: [...at] }));
      sendJson(res, 200, {
        posts: [...publishes.byId.values()].map((p) => ({
          publishId: p.publishId,
          openId: p.openId,
          mode: p.mode,
          postInfo: p.postInfo,
          videoSize: p.plan.videoSize,
          chunkSize: p.plan.chunkSize,
          totalChunkCount: p.plan.totalChunkCount,
          chunksReceived: p.chunksReceived,
          uploadedBytes: p.uploadedBytes,
          bytesReceived: p.bytesReceived,
          sha256: p.sha256 ?? null,
          status: publishes.statusAt(p, now),
          failReason: publishes.statusAt(p, now) === 'FAILED' ? (publishes.failReasonOf(p) ?? null) : null,
          postId: publishes.statusAt(p, now) === 'PUBLISH_COMPLETE' ? (p.postId ?? null) : null,
          createdAt: iso(p.createdAt),
          completedAt: iso(p.completedAt),
        })),
        uploadBytesReceived: publishes.bytesReceived,
        tokens: { access: [...oauth.issued.access], refresh: [...oauth.issued.refresh] },
        tokenCounts: { access: oauth.issued.access.length, refresh: oauth.issued.refresh.length },
        inits: perToken(limits.init),
        statusFetches: perToken(limits.statusFetch),
        requests: server.requests,
      });
    },
  };

  origin = await server.listen(routeTable(handlers, notFound), { refusals: [ConsentError, OAuthError, TikTokApiError, UploadError], answer: answerError });

  return {
    url: origin,
    authUrl: `${origin}${AUTH_PATH}`,
    tokenUrl: `${origin}${TOKEN_PATH}`,
    apiRootUrl: `${origin}/`,
    close: () => server.close(),
  };
}

function notFound(url: URL): TikTokApiError {
  return new TikTokApiError(404, 'not_found', `Not Found: ${url.pathname}`);
}

/** Turns a thrown refusal into TikTok's answer for that endpoint; anything else is a bug, answered 500. */
async function answerError(res: http.ServerResponse, err: unknown): Promise<void> {
  if (err instanceof ConsentError) return sendHtml(res, err.httpStatus, await renderErrorPage(err.httpStatus, err.error, err.message));
  if (err instanceof OAuthError) return sendJson(res, err.httpStatus, err.body());
  if (err instanceof TikTokApiError) return sendJson(res, err.httpStatus, err.body(), err.headers);
  if (err instanceof UploadError) return sendJson(res, err.httpStatus, err.body(), err.headers);
  sendJson(res, 500, new TikTokApiError(500, 'internal_error', 'Internal error').body());
}
