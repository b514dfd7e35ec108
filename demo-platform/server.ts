/**
 * The demo platform: a small real video-hosting site, clipfleet's embedded default upload
 * target. `createDemoPlatform` builds the Hono app over a data directory; `startDemoPlatform`
 * serves it over HTTP.
 */
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { apiRoutes } from './api-routes';
import { Faults } from './faults';
import { loginRoutes } from './login-routes';
import { postRoutes } from './post-routes';
import { resolveSession, type SiteEnv } from './session';
import { randomFailures } from './site-faults';
import { DemoState } from './state';
import { uploadRoutes } from './upload-routes';

export interface DemoPlatformOptions {
  /** Holds state.json and uploads/. */
  dataDir: string;
  /** Base of post URLs (e.g. http://127.0.0.1:3100); defaults to the origin each request came in on. */
  publicUrl?: string;
  /** Default 7 days. */
  sessionTtlMs?: number;
  /** Default 1 GiB. */
  maxUploadBytes?: number;
}

export interface DemoPlatform {
  app: Hono;
  state: DemoState;
  faults: Faults;
  /** Ends held requests and waits until every state change is on disk. */
  close(): Promise<void>;
}

/** Builds the demo platform over `dataDir`, loading any state a previous run left there. */
export function createDemoPlatform(options: DemoPlatformOptions): DemoPlatform {
  const state = DemoState.open(options.dataDir, { sessionTtlMs: options.sessionTtlMs ?? 7 * 24 * 3600_000 });
  const faults = new Faults();
  const uploadsDir = path.join(options.dataDir, 'uploads');
  mkdirSync(uploadsDir, { recursive: true });
  const publicUrl = options.publicUrl?.replace(/\/$/, '');

  const site = new Hono<SiteEnv>()
    .use(randomFailures(faults))
    .use(resolveSession(state))
    .route('/', loginRoutes(state))
    .route('/', uploadRoutes({ state, faults, uploadsDir, publicUrl, maxUploadBytes: options.maxUploadBytes ?? 1024 ** 3 }))
    .route('/', postRoutes(state, uploadsDir));

  const app = new Hono();
  app.route('/api', apiRoutes(state, faults));
  app.route('/', site);
  app.onError((err, c) => {
    const isApi = c.req.path.startsWith('/api/');
    if (err instanceof HTTPException) {
      return isApi ? c.json({ error: err.message }, err.status) : c.text(err.message, err.status);
    }
    console.error(`demo platform: ${c.req.method} ${c.req.path} failed:`, err);
    return isApi ? c.json({ error: 'internal error' }, 500) : c.text('Internal error', 500);
  });

  return {
    app,
    state,
    faults,
    async close() {
      faults.releaseAll();
      await state.flush();
    },
  };
}

export interface StartDemoPlatformOptions extends DemoPlatformOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port; `url` reports the real one. */
  port: number;
}

export interface RunningDemoPlatform {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  platform: DemoPlatform;
  /** Stops listening, drops open connections (held uploads included) and flushes state. */
  close(): Promise<void>;
}

/** Serves the demo platform over HTTP and resolves once it is listening. */
export async function startDemoPlatform(options: StartDemoPlatformOptions): Promise<RunningDemoPlatform> {
  const host = options.host ?? '127.0.0.1';
  const platform = createDemoPlatform(options);
  const server = serve({ fetch: platform.app.fetch, hostname: host, port: options.port });
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]: unknown[]) => {
      throw new Error(`demo platform cannot listen on ${host}:${options.port}: ${String(err)}`);
    }),
  ]);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    platform,
    close() {
      closing ??= (async () => {
        platform.faults.releaseAll();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
        await closed;
        await platform.close();
      })();
      return closing;
    },
  };
}
