/**
 * A local stand-in for the parts of Google that clipfleet's YouTube support talks to, written
 * from Google's published protocols: the OAuth 2.0 consent screen and token endpoint
 * (oauth.ts), the YouTube Data API's resumable upload (uploads.ts), videos.list with
 * processing that takes a few seconds and channels.list (videos.ts), and the project's daily
 * quota (quota.ts). Tests and the demo run it; `/_stand-in/*` lets a test switch faults on
 * (faults.ts) and read what the server received. It keeps everything in memory and the
 * uploaded bytes in `dataDir`.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
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
const REQUEST_LOG_SIZE = 500;
// videos.list and channels.list each cost one unit.
const LIST_COST = 1;

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** Starts the stand-in and resolves once it listens. */
export async function startYouTubeStandIn(opts: YouTubeStandInOptions): Promise<YouTubeStandIn> {
  const host = opts.host ?? '127.0.0.1';
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'youtube-stand-in-')));
  mkdirSync(dataDir, { recursive: true });
  const channels = opts.channels ?? DEFAULT_CHANNELS;

  const oauth = new OAuthServer({ clientId: opts.clientId, clientSecret: opts.clientSecret, redirectUris: opts.redirectUris ?? [] }, channels, opts.accessTokenTtlSeconds ?? 3600);
  const faults = new Faults();
  const quota = new QuotaLedger(opts.quotaPerDay ?? 10_000);
  const catalog = new VideoCatalog(opts.processingMs ?? 3000);
  let origin = '';
  const uploads = new UploadSessions({ dataDir, catalog, faults, quota, insertCost: opts.insertCost ?? 1600, channels, origin: () => origin });
  const requests: LoggedRequest[] = [];

  /** Faults first (a real backend fails before it looks at you), then the bearer check. */
  const apiGrant = (req: http.IncomingMessage, scopes: readonly string[]): Grant => {
    const fault = faults.takeRequestFault();
    if (fault) throw fault;
    return oauth.authenticate(bearerToken(req), scopes);
  };

  const handlers: Record<string, (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void>> = {
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
      const location = oauth.decide(oauth.validateConsentRequest(form), decision, channel);
      res.writeHead(302, { location, 'content-length': 0 });
      res.end();
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
        requests,
      });
    },
  };

  const inFlight = new Set<Promise<void>>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    // Paths only: query strings carry codes and tokens (/revoke?token=...), which must not sit in a log tests read.
    res.once('close', () => {
      requests.push({ method: req.method ?? '', path: url.pathname, status: res.headersSent ? res.statusCode : 0 });
      if (requests.length > REQUEST_LOG_SIZE) requests.splice(0, requests.length - REQUEST_LOG_SIZE);
    });
    const handler = handlers[`${req.method} ${url.pathname}`];
    // Through a promise, so a handler that throws before its first await is answered like any other.
    const work = Promise.resolve()
      .then(() => (handler ? handler(req, res, url) : notFound(url)))
      .catch((err: unknown) => answerError(req, res, url, err))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  // Throttled uploads of tens of megabytes outlast Node's default five-minute request timeout.
  server.requestTimeout = 0;
  server.listen(opts.port ?? 0, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]: unknown[]) => {
      throw new Error(`YouTube stand-in cannot listen on ${host}:${opts.port ?? 0}: ${String(err)}`);
    }),
  ]);
  const { port } = server.address() as AddressInfo;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    authUrl: `${origin}${AUTH_PATH}`,
    tokenUrl: `${origin}/token`,
    apiRootUrl: `${origin}/`,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await Promise.allSettled([...inFlight]);
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

async function notFound(url: URL): Promise<void> {
  throw new GoogleApiError(404, 'notFound', `Not Found: ${url.pathname}`);
}

/** Turns a thrown refusal into Google's answer for that endpoint; anything else is a bug: a line on stderr and a 500. */
async function answerError(req: http.IncomingMessage, res: http.ServerResponse, url: URL, err: unknown): Promise<void> {
  // An answer sent before the body was read must not leave the body in the way of the next request on the connection.
  req.resume();
  const expected = err instanceof ConsentError || err instanceof OAuthError || err instanceof GoogleApiError || err instanceof SyntaxError;
  // A bug must be heard even when the connection it happened on is already gone.
  if (!expected) console.error(`YouTube stand-in: ${req.method} ${url.pathname} failed:`, err);
  if (res.headersSent || res.destroyed) return;
  if (err instanceof ConsentError) return sendHtml(res, err.httpStatus, await renderErrorPage(err.httpStatus, err.error, err.message));
  if (err instanceof OAuthError) return sendJson(res, err.httpStatus, err.body());
  if (err instanceof GoogleApiError) return sendJson(res, err.code, err.body(), err.details.headers);
  if (err instanceof SyntaxError) return sendJson(res, 400, badRequest('parseError', `Invalid JSON payload received. ${err.message}`).body());
  sendJson(res, 500, new GoogleApiError(500, 'internalError', 'Internal error').body());
}
