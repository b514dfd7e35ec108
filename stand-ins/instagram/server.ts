/**
 * A local stand-in for the parts of Meta that clipfleet's Instagram Reels support talks to,
 * written from Meta's published docs: the Facebook Login dialog and token exchanges (oauth.ts),
 * the Graph API's Pages, Instagram accounts, publishing limit, containers and media (graph.ts,
 * media.ts), and the rupload host's resumable upload (containers.ts). Tests and the demo run it;
 * `/_stand-in/*` lets a test switch faults on (faults.ts) and read what the server received. It
 * keeps everything in memory and the uploaded bytes in `dataDir`.
 */
import type http from 'node:http';
import { createStandInServer } from '../shared/server';
import { CONFIRM_PATH, GRANTED_FIELD, renderDialogPage, renderErrorPage, REVIEWED_FIELD } from './consent-page';
import { ContainerStore, RUPLOAD_PREFIX, statusCodeAt } from './containers';
import { Faults, FaultSettingsSchema } from './faults';
import { DEFAULT_VERSION, GraphApi } from './graph';
import { DialogError, GraphError, RuploadError } from './graph-errors';
import { authorizationToken, bodyParams, graphParams, redirect, sendHtml, sendJson } from './http';
import { MediaCatalog, permalinkOf } from './media';
import { instagramAccountsOf, LoginServer, type FacebookUser } from './oauth';

export type { FacebookPage, FacebookUser, InstagramAccount } from './oauth';

export interface InstagramStandInOptions {
  /** 0 = a free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The one registered Meta app. */
  appId: string;
  appSecret: string;
  /** Valid OAuth redirect URIs; a dialog request with another is refused ("URL blocked"). Empty/undefined = any http(s) URI on 127.0.0.1/localhost. */
  redirectUris?: string[];
  /** The Facebook users who can log in, with their Pages and linked Instagram professional accounts. Default: one user, one Page 'Demo Page', one account 17841400000000001 'demo.reels'. */
  users?: FacebookUser[];
  /** Lifetime of a code-exchange (short-lived) user token in seconds (default 3600). */
  shortLivedTtlSeconds?: number;
  /** Lifetime of an `fb_exchange_token` (long-lived) user token in seconds (default 5184000, 60 days). */
  longLivedTtlSeconds?: number;
  /** `quota_total` of content_publishing_limit (default 50). */
  publishLimit?: number;
  /** `quota_duration` of content_publishing_limit, the moving window in seconds (default 86400). */
  publishWindowSeconds?: number;
  /** How long a container takes from last byte to FINISHED (default 3000 ms). */
  processingMs?: number;
  /** How long an unpublished container lives before it is EXPIRED (default 24 h). */
  containerTtlMs?: number;
  /** Where uploaded bytes go (a temp dir if unset; removed on close when it made it). */
  dataDir?: string;
}

export interface InstagramStandIn {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  /** `${url}/v21.0/dialog/oauth` (www.facebook.com in reality) */
  authUrl: string;
  /** `${url}/`: the Graph API under `v21.0/...` (graph.facebook.com in reality). */
  graphRootUrl: string;
  /** `${url}/`: rupload under `ig-api-upload/v21.0/<container-id>` (rupload.facebook.com in reality). */
  uploadRootUrl: string;
  /** Stops the server, closes open sockets, removes its temp dir. */
  close(): Promise<void>;
}

export const DEFAULT_USERS: FacebookUser[] = [
  {
    id: '100000000000001',
    name: 'Demo User',
    pages: [{ id: '100000000000101', name: 'Demo Page', instagramAccount: { id: '17841400000000001', username: 'demo.reels' } }],
  },
];
const CONTROL_PREFIX = '/_stand-in/';
const RUPLOAD_PATH = new RegExp(`^${RUPLOAD_PREFIX}/(?:v\\d+\\.\\d+/)?([^/]+)$`);
const VERSIONED_PATH = /^\/(?:(v\d+\.\d+)\/?)?(.*)$/;

/** Starts the stand-in and resolves once it listens. */
export async function startInstagramStandIn(opts: InstagramStandInOptions): Promise<InstagramStandIn> {
  const server = await createStandInServer({ name: 'Instagram stand-in', host: opts.host, port: opts.port, dataDir: opts.dataDir });
  const users = opts.users ?? DEFAULT_USERS;

  const login = new LoginServer({ appId: opts.appId, appSecret: opts.appSecret, redirectUris: opts.redirectUris ?? [] }, users, {
    short: opts.shortLivedTtlSeconds ?? 3600,
    long: opts.longLivedTtlSeconds ?? 5_184_000,
  });
  const faults = new Faults();
  const catalog = new MediaCatalog(opts.publishLimit ?? 50, opts.publishWindowSeconds ?? 86_400);
  const containers = new ContainerStore({ dataDir: server.dataDir, faults, processingMs: opts.processingMs ?? 3000, containerTtlMs: opts.containerTtlMs ?? 24 * 3600_000 });
  let origin = '';
  const graph = new GraphApi({ login, containers, catalog, origin: () => origin });
  const allAccounts = users.flatMap(instagramAccountsOf);

  const control: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>> = {
    'GET faults': async (_req, res) => sendJson(res, 200, faults.report()),
    'POST faults': async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw) : {};
      } catch {
        return sendJson(res, 400, { error: 'the faults body is not JSON' });
      }
      const parsed = FaultSettingsSchema.safeParse(body);
      if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      const { revokeGrantOf, reachPublishLimit } = parsed.data;
      const known = (id: string): boolean => users.some((u) => u.id === id) || allAccounts.some((a) => a.id === id);
      if (revokeGrantOf !== undefined && !known(revokeGrantOf)) return sendJson(res, 400, { error: `revokeGrantOf: no Facebook user or Instagram account ${revokeGrantOf}` });
      if (typeof reachPublishLimit === 'string' && !allAccounts.some((a) => a.id === reachPublishLimit)) {
        return sendJson(res, 400, { error: `reachPublishLimit: no Instagram account ${reachPublishLimit}` });
      }
      const actions = faults.merge(parsed.data);
      if (actions.expireTokens) login.expireAll();
      if (actions.revokeGrantOf) login.revokeUser(actions.revokeGrantOf);
      if (actions.reachPublishLimit === true) for (const account of allAccounts) catalog.fillQuota(account.id);
      else if (actions.reachPublishLimit) catalog.fillQuota(actions.reachPublishLimit);
      sendJson(res, 200, faults.report());
    },
    'DELETE faults': async (_req, res) => {
      faults.reset();
      sendJson(res, 200, faults.report());
    },
    'GET state': async (_req, res) => {
      const now = Date.now();
      sendJson(res, 200, {
        containers: [...containers.containers.values()].map((c) => ({
          id: c.id,
          igUserId: c.igUserId,
          caption: c.caption,
          shareToFeed: c.shareToFeed,
          fileSize: c.fileSize ?? null,
          bytesStored: c.stored,
          bytesReceived: c.bytesReceived,
          sha256: c.sha256 ?? null,
          statusCode: statusCodeAt(c, now),
          publishedMediaId: c.publishedMediaId ?? null,
          createdAt: new Date(c.createdAt).toISOString(),
        })),
        media: [...catalog.media.values()].map((m) => ({
          id: m.id,
          igUserId: m.igUserId,
          containerId: m.containerId,
          permalink: permalinkOf(m),
          sha256: m.sha256,
          caption: m.caption,
          publishedAt: new Date(m.publishedAt).toISOString(),
        })),
        publishing: Object.fromEntries(
          allAccounts.map((a) => [a.id, { quotaUsage: catalog.quotaUsage(a.id, now), quotaTotal: catalog.quotaTotal, quotaDuration: catalog.quotaDurationSeconds }]),
        ),
        tokens: login.report(),
        requests: server.requests,
      });
    },
  };

  /** The dialog's form: the person's choice of user, permissions and button. */
  const confirm = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const form = await bodyParams(req);
    const decision = form.get('decision');
    if (decision !== 'continue' && decision !== 'cancel') throw new DialogError(400, 'Invalid request', 'The Login dialog was sent without a decision (Continue or Cancel).');
    const userId = form.get('user') ?? undefined;
    const granted = form.has(REVIEWED_FIELD) ? form.getAll(GRANTED_FIELD) : undefined;
    for (const field of ['decision', 'user', REVIEWED_FIELD, GRANTED_FIELD]) form.delete(field);
    redirect(res, login.decide(login.validateDialog(form), decision, userId, granted));
  };

  /** The rupload host: its own auth answer (the guide's "unauthorized user request"), then the container's upload. */
  const rupload = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, containerId: string): Promise<void> => {
    const fault = faults.takeRequestFault('rupload');
    if (fault) throw fault;
    let userId: string;
    try {
      userId = login.authenticate(authorizationToken(req) ?? url.searchParams.get('access_token') ?? undefined).userId;
    } catch (err) {
      if (err instanceof GraphError) throw new RuploadError(400, false, 'unauthorized user request');
      throw err;
    }
    const owner = users.find((u) => u.id === userId);
    const container = containers.containers.get(containerId);
    if (!container || !owner || !instagramAccountsOf(owner).some((a) => a.id === container.igUserId)) throw new RuploadError(400, false, 'unauthorized user request');
    await containers.upload(req, res, container);
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      const handler = control[`${method} ${url.pathname.slice(CONTROL_PREFIX.length)}`];
      if (!handler) return sendJson(res, 404, { error: `no stand-in control ${method} ${url.pathname}` });
      return handler(req, res);
    }
    if (url.pathname === CONFIRM_PATH && method === 'POST') return confirm(req, res);
    const upload = RUPLOAD_PATH.exec(url.pathname);
    if (upload && method === 'POST') return rupload(req, res, url, upload[1]!);
    const [, version, rest = ''] = VERSIONED_PATH.exec(url.pathname) ?? [];
    if (rest === 'dialog/oauth' && method === 'GET') return sendHtml(res, 200, await renderDialogPage(login.validateDialog(url.searchParams), users));
    const segments = rest.split('/').filter(Boolean).map(decodeURIComponent);
    // Faults stand for Graph's own failures; the token endpoint is left alone, as in the YouTube stand-in.
    if (segments[0] !== 'oauth') {
      const fault = faults.takeRequestFault('graph');
      if (fault) throw fault;
    }
    await graph.handle({ req, res, method, segments, params: await graphParams(req, url), version });
  };

  origin = await server.listen(route, { refusals: [GraphError, RuploadError, DialogError], answer: answerError });

  return {
    url: origin,
    authUrl: `${origin}/${DEFAULT_VERSION}/dialog/oauth`,
    graphRootUrl: `${origin}/`,
    uploadRootUrl: `${origin}/`,
    close: () => server.close(),
  };
}

/** Turns a thrown refusal into Meta's answer for that host; anything else is a bug, answered as Graph's code 1. */
async function answerError(res: http.ServerResponse, err: unknown): Promise<void> {
  if (err instanceof DialogError) return sendHtml(res, err.httpStatus, await renderErrorPage(err.title, err.message));
  if (err instanceof GraphError) return sendJson(res, err.httpStatus, err.body(), err.details.headers);
  if (err instanceof RuploadError) return sendJson(res, err.httpStatus, err.body(), err.headers);
  const unknown = new GraphError(500, 1, 'An unknown error has occurred.', { isTransient: true });
  sendJson(res, 500, unknown.body());
}
