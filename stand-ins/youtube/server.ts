/**
 * A local stand-in for the parts of Google that clipfleet's YouTube support talks to, written
 * from Google's published protocols: the OAuth 2.0 consent screen and token endpoint
 * (oauth.ts), the YouTube Data API's resumable upload (uploads.ts), videos.list with
 * processing that takes a few seconds and channels.list (videos.ts), and the project's daily
 * quota (quota.ts). Tests and the demo run it; `/_stand-in/*` lets a test switch faults on
 * (faults.ts) and read what the server received. It keeps everything in memory and the
 * uploaded bytes in `dataDir`.
 */
import type http from 'node:http';
import { redirect } from '../shared/http';
import { createStandInServer, routeTable, type Route } from '../shared/server';
import { APPROVE_PATH, renderConsentPage, renderErrorPage } from './consent-page';
import { Faults, FaultSettingsSchema } from './faults';
import { badRequest, ConsentError, GoogleApiError, OAuthError } from './google-errors';
import { bearerToken, parseParams, readSmallBody, sendHtml, sendJson } from './http';
import { OAuthServer, READ_SCOPES, UPLOAD_SCOPES, type Channel, type Grant } from './oauth';
import { QuotaLedger } from './quota';
import { UPLOAD_PATH, UploadSessions } from './uploads';
import { parseParts, uploadStatusAt, VIDEO_PARTS, videoResource, VideoCatalog } from './videos';

export interface YouTubeStandInOptions {
  /** 0 = a free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The one registered OAuth client. */
  clientId: string;
  clientSecret: string;
  /** Redirect URIs registered for the client; a consent request with another is refused (redirect_uri_mismatch). Empty/undefined = accept any http(s) URI on 127.0.0.1/localhost. */
  redirectUris?: string[];
  /** Channels a person can pick on the consent page. Default [{ id: 'UC_demo_channel_0001', title: 'Demo Channel' }]. */
  channels?: { id: string; title: string }[];
  /** Access-token lifetime in seconds (default 3600), reported as expires_in. */
  accessTokenTtlSeconds?: number;
  /**
   * Quota units per project per quota day (default 10000) and the cost of videos.insert
   * (default 1600); videos.list and channels.list cost 1 each from the same budget, and an
   * invalid request costs 1, as Google counts.
   */
  quotaPerDay?: number;
  insertCost?: number;
  /** How long a video takes from uploaded to processed (default 3000 ms). */
  processingMs?: number;
  /** Where uploaded bytes go (a temp dir if unset; removed on close when it made it). */
  dataDir?: string;
}

export interface YouTubeStandIn {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  /** `${url}/o/oauth2/v2/auth` */
  authUrl: string;
  /** `${url}/token` */
  tokenUrl: string;
  /** `${url}/`: googleapis-style rootUrl (the Data API is under youtube/v3/, uploads under upload/youtube/v3/). */
  apiRootUrl: string;
  /** Stops the server, closes open sockets, removes its temp dir. */
  close(): Promise<void>;
}

const DEFAULT_CHANNELS: Channel[] = [{ id: 'UC_demo_channel_0001', title: 'Demo Channel' }];
const AUTH_PATH = '/o/oauth2/v2/auth';
const DATA_API_PREFIX = '/youtube/v3/';
const CONTROL_PREFIX = '/_stand-in/';
// videos.list and channels.list each cost one unit.
const LIST_COST = 1;

/** Starts the stand-in and resolves once it listens. */
export async function startYouTubeStandIn(opts: YouTubeStandInOptions): Promise<YouTubeStandIn> {
  const server = await createStandInServer({ name: 'YouTube stand-in', host: opts.host, port: opts.port, dataDir: opts.dataDir });
  const channels = opts.channels ?? DEFAULT_CHANNELS;

  const oauth = new OAuthServer({ clientId: opts.clientId, clientSecret: opts.clientSecret, redirectUris: opts.redirectUris ?? [] }, channels, opts.accessTokenTtlSeconds ?? 3600);
  const faults = new Faults();
  const quota = new QuotaLedger(opts.quotaPerDay ?? 10_000);
  const catalog = new VideoCatalog(opts.processingMs ?? 3000);
  let origin = '';
  const uploads = new UploadSessions({ dataDir: server.dataDir, catalog, faults, quota, insertCost: opts.insertCost ?? 1600, channels, origin: () => origin });

  /** Faults first (a real backend fails before it looks at you), then the bearer check. */
  const apiGrant = (req: http.IncomingMessage, scopes: readonly string[]): Grant => {
    const fault = faults.takeRequestFault();
    if (fault) throw fault;
    return oauth.authenticate(bearerToken(req), scopes);
  };

  const handlers: Record<string, Route> = {
    [`GET ${AUTH_PATH}`]: async (_req, res, url) => {
      const request = oauth.validateConsentRequest(url.searchParams);
      sendHtml(res, 200, await renderConsentPage(request, channels));
    },
    [`POST ${APPROVE_PATH}`]: async (req, res) => {
      const form = parseParams(req, await readSmallBody(req));
      const decision = form.get('decision');
      if (decision !== 'allow' && decision !== 'deny') throw new ConsentError(400, 'invalid_request', 'The consent form was sent without a decision (Allow or Cancel).');
      const channel = form.get('channel') ?? undefined;
      form.delete('decision');
      form.delete('channel');
      redirect(res, oauth.decide(oauth.validateConsentRequest(form), decision, channel));
    },
    'POST /token': async (req, res) => {
      const params = parseParams(req, await readSmallBody(req));
      sendJson(res, 200, oauth.token(params, req.headers.authorization), { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' });
    },
    'POST /revoke': async (req, res, url) => {
      const params = parseParams(req, await readSmallBody(req));
      oauth.revoke(url.searchParams.get('token') ?? params.get('token'));
      sendJson(res, 200, {});
    },
    [`POST ${UPLOAD_PATH}`]: (req, res, url) => uploads.initiate(req, res, url, apiGrant(req, UPLOAD_SCOPES)),
    [`PUT ${UPLOAD_PATH}`]: (req, res, url) => uploads.put(req, res, url, apiGrant(req, UPLOAD_SCOPES)),
    [`GET ${DATA_API_PREFIX}videos`]: async (req, res, url) => {
      const grant = apiGrant(req, READ_SCOPES);
      const parts = parseParts(url.searchParams.get('part'), VIDEO_PARTS);
      const ids = (url.searchParams.get('id') ?? '').split(',').filter(Boolean);
      if (ids.length === 0) throw badRequest('missingRequiredParameter', 'No filter selected. Expected one of: myRated, id, chart');
      quota.charge(LIST_COST);
      const now = Date.now();
      // Another channel's unlisted or private video is left out, as YouTube does, rather than refused.
      const items = ids.flatMap((id) => {
        const video = catalog.videos.get(id);
        return video && video.channelId === grant.channelId ? [videoResource(video, parts, now)] : [];
      });
      sendJson(res, 200, { kind: 'youtube#videoListResponse', etag: '', items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } });
    },
    [`GET ${DATA_API_PREFIX}channels`]: async (req, res, url) => {
      const grant = apiGrant(req, READ_SCOPES);
      const parts = parseParts(url.searchParams.get('part'), ['id', 'snippet', 'contentDetails', 'statistics', 'status', 'brandingSettings', 'topicDetails', 'localizations']);
      const ids = (url.searchParams.get('id') ?? '').split(',').filter(Boolean);
      if (url.searchParams.get('mine') !== 'true' && ids.length === 0) {
        throw badRequest('missingRequiredParameter', 'No filter selected. Expected one of: forHandle, forUsername, id, managedByMe, categoryId, mine');
      }
      quota.charge(LIST_COST);
      const wanted = url.searchParams.get('mine') === 'true' ? [grant.channelId] : ids;
      const items = channels
        .filter((c) => wanted.includes(c.id))
        .map((c) => ({
          kind: 'youtube#channel',
          etag: '',
          id: c.id,
          ...(parts.has('snippet') ? { snippet: { title: c.title, description: '', localized: { title: c.title, description: '' } } } : {}),
        }));
      sendJson(res, 200, { kind: 'youtube#channelListResponse', etag: '', items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } });
    },

    [`GET ${CONTROL_PREFIX}faults`]: async (_req, res) => sendJson(res, 200, faults.report()),
    [`POST ${CONTROL_PREFIX}faults`]: async (req, res) => {
      const raw = await readSmallBody(req);
      const parsed = FaultSettingsSchema.safeParse(raw.length ? JSON.parse(raw.toString('utf8')) : {});
      if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      const actions = faults.merge(parsed.data);
      if (actions.expireAccessTokens) oauth.expireAccessTokens();
      if (actions.revokeRefreshTokensOf) oauth.revokeChannel(actions.revokeRefreshTokensOf);
      sendJson(res, 200, faults.report());
    },
    [`DELETE ${CONTROL_PREFIX}faults`]: async (_req, res) => {
      faults.reset();
      sendJson(res, 200, faults.report());
    },
    [`POST ${CONTROL_PREFIX}quota/reset`]: async (_req, res) => {
      quota.reset();
      sendJson(res, 200, { quota: quota.report() });
    },
    [`GET ${CONTROL_PREFIX}state`]: async (_req, res) => {
      const now = Date.now();
      sendJson(res, 200, {
        videos: [...catalog.videos.values()].map((v) => ({
          id: v.id,
          channelId: v.channelId,
          sha256: v.sha256,
          bytes: v.bytes,
          title: v.metadata.title,
          description: v.metadata.description,
          privacyStatus: v.metadata.privacyStatus,
          madeForKids: v.metadata.selfDeclaredMadeForKids ?? false,
          uploadStatus: uploadStatusAt(v, now),
          createdAt: new Date(v.createdAt).toISOString(),
        })),
        sessions: [...uploads.sessions.values()].map((s) => ({
          uploadId: s.uploadId,
          channelId: s.channelId,
          total: s.total ?? null,
          stored: s.stored,
          bytesReceived: s.bytesReceived,
          complete: s.videoId !== undefined,
          ...(s.videoId ? { videoId: s.videoId } : {}),
        })),
        tokens: { access: [...oauth.issued.access], refresh: [...oauth.issued.refresh] },
        quota: quota.report(),
        // This log has always been method, path and status; `at` stays out so the shape tests read does not change.
        requests: server.requests.map(({ method, path, status }) => ({ method, path, status })),
      });
    },
  };

  origin = await server.listen(routeTable(handlers, notFound), { refusals: [ConsentError, OAuthError, GoogleApiError, SyntaxError], answer: answerError });

  return {
    url: origin,
    authUrl: `${origin}${AUTH_PATH}`,
    tokenUrl: `${origin}/token`,
    apiRootUrl: `${origin}/`,
    close: () => server.close(),
  };
}

function notFound(url: URL): GoogleApiError {
  return new GoogleApiError(404, 'notFound', `Not Found: ${url.pathname}`);
}

/** Turns a thrown refusal into Google's answer for that endpoint; anything else is a bug, answered 500. */
async function answerError(res: http.ServerResponse, err: unknown): Promise<void> {
  if (err instanceof ConsentError) return sendHtml(res, err.httpStatus, await renderErrorPage(err.httpStatus, err.error, err.message));
  if (err instanceof OAuthError) return sendJson(res, err.httpStatus, err.body());
  if (err instanceof GoogleApiError) return sendJson(res, err.code, err.body(), err.details.headers);
  if (err instanceof SyntaxError) return sendJson(res, 400, badRequest('parseError', `Invalid JSON payload received. ${err.message}`).body());
  sendJson(res, 500, new GoogleApiError(500, 'internalError', 'Internal error').body());
}
