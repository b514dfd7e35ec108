/**
 * The server every stand-in runs on: a node:http server that hands each request to the
 * provider's route, answers whatever the route throws through the provider's own error mapping,
 * keeps a bounded log of what it received for `/_stand-in/state`, and on close ends open
 * sockets, waits for in-flight handlers and removes the temp data dir it made.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** One request as `/_stand-in/state` reports it. */
export interface LoggedRequest {
  method: string;
  /** Paths only: query strings carry codes and tokens, which must not sit in a log tests read. */
  path: string;
  /** 0 when the connection closed before an answer. */
  status: number;
  /** When the request arrived (epoch ms), so a test can see a client wait out a Retry-After. */
  at: number;
}

/** Handles one request; what it throws goes to the provider's error answer. */
export type Route = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void>;

/** A class of error the provider answers on purpose; anything else is a bug in the stand-in. */
export type RefusalClass = abstract new (...args: never[]) => Error;

/** How a provider turns thrown refusals into its own answers. */
export interface ErrorAnswers {
  /** The refusals `answer` knows; any other error is logged on stderr as a bug. */
  refusals: readonly RefusalClass[];
  /** Sends the provider's answer for `err` (its 500 shape for a bug); called only while the response is unsent. */
  answer(res: http.ServerResponse, err: unknown): Promise<void>;
}

export interface StandInServerOptions {
  /** How errors and messages name the server, e.g. 'YouTube stand-in'; also names its temp dir. */
  name: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = a free port (default). */
  port?: number;
  /** Where uploaded bytes go (a temp dir if unset; removed on close when it made it). */
  dataDir?: string;
}

export interface StandInServer {
  /** The directory for uploaded bytes, existing from creation on. */
  readonly dataDir: string;
  /** The last requests received, oldest first. */
  readonly requests: readonly LoggedRequest[];
  /** Starts serving `route` and resolves with the origin (e.g. http://127.0.0.1:41234) once it listens. */
  listen(route: Route, errors: ErrorAnswers): Promise<string>;
  /** Stops the server, closes open sockets, waits for handlers, removes its temp dir. */
  close(): Promise<void>;
}

const REQUEST_LOG_SIZE = 500;

/** Creates a stand-in's server and its data dir; it listens on `listen`, once the provider's handlers (which need the dir) exist. */
export async function createStandInServer(opts: StandInServerOptions): Promise<StandInServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  const ownsDataDir = opts.dataDir === undefined;
  const tempPrefix = `${opts.name.toLowerCase().replace(/\s+/g, '-')}-`;
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), tempPrefix)));
  mkdirSync(dataDir, { recursive: true });
  const requests: LoggedRequest[] = [];
  const inFlight = new Set<Promise<void>>();
  let server: http.Server | undefined;
  let closing: Promise<void> | undefined;

  const answerError = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, err: unknown, errors: ErrorAnswers): Promise<void> => {
    // An answer sent before the body was read must not leave the body in the way of the next request on the connection.
    req.resume();
    // A bug must be heard even when the connection it happened on is already gone.
    if (!errors.refusals.some((refusal) => err instanceof refusal)) console.error(`${opts.name}: ${req.method} ${url.pathname} failed:`, err);
    if (res.headersSent || res.destroyed) return;
    await errors.answer(res, err);
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (server?.listening) {
        const closed = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
      await Promise.allSettled([...inFlight]);
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    })();
    return closing;
  };

  return {
    dataDir,
    requests,
    close,
    async listen(route, errors) {
      const listening = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://stand-in');
        const at = Date.now();
        res.once('close', () => {
          requests.push({ method: req.method ?? '', path: url.pathname, status: res.headersSent ? res.statusCode : 0, at });
          if (requests.length > REQUEST_LOG_SIZE) requests.splice(0, requests.length - REQUEST_LOG_SIZE);
        });
        // Through a promise, so a handler that throws before its first await is answered like any other.
        const work = Promise.resolve()
          .then(() => route(req, res, url))
          .catch((err: unknown) => answerError(req, res, url, err, errors))
          .finally(() => inFlight.delete(work));
        inFlight.add(work);
      });
      server = listening;
      // Throttled uploads of tens of megabytes outlast Node's default five-minute request timeout.
      listening.requestTimeout = 0;
      listening.listen(port, host);
      try {
        // once() rejects with the server's 'error' (EADDRINUSE, EACCES) instead of waiting forever.
        await once(listening, 'listening');
      } catch (err) {
        // The caller never gets a close() to call, so the temp dir goes now.
        await close();
        throw new Error(`${opts.name} cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const { port: bound } = listening.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    },
  };
}

/**
 * A route that looks up `METHOD /path` in `handlers` and throws `notFound(url)` for anything
 * else, so a reader sees every endpoint in one table.
 */
export function routeTable(handlers: Readonly<Record<string, Route>>, notFound: (url: URL) => Error): Route {
  return async (req, res, url) => {
    const handler = handlers[`${req.method} ${url.pathname}`];
    if (!handler) throw notFound(url);
    await handler(req, res, url);
  };
}
