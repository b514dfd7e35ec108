/**
 * One Chromium per process, shared by every account: each call gets its own fresh
 * BrowserContext (cookies, storage, proxy) and closes it afterwards, and at most
 * `concurrency` contexts run at once; the rest wait their turn. Contexts are cheap, a
 * browser is not, so accounts never get a browser of their own.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** A context's cookies and local storage, as `context.storageState()` returns it; store it encrypted. */
export type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

export interface ProxySettings {
  server: string;
  username?: string;
  password?: string;
}

export interface BrowserPoolOptions {
  executablePath: string;
  headless: boolean;
  /** Contexts open at once. */
  concurrency: number;
}

export interface ContextOptions {
  /** The account's saved session, so it need not sign in again. */
  storageState?: StorageState;
  /** The account's own proxy. */
  proxy?: ProxySettings;
  /** Aborting stops waiting for a turn, or closes the context (failing whatever `fn` awaits). */
  signal?: AbortSignal;
}

export interface BrowserPool {
  /**
   * Runs `fn` with a fresh context and a page in it, closed afterwards whatever happens.
   * Read the session after signing in with `await context.storageState()`.
   */
  withContext<T>(options: ContextOptions, fn: (context: BrowserContext, page: Page) => Promise<T>): Promise<T>;
  /** Contexts open now, calls waiting for a turn, and how often Chromium was launched. */
  stats(): { active: number; waiting: number; launches: number };
  /** Closes Chromium; calls still waiting fail, later calls are refused. */
  close(): Promise<void>;
}

/** Flags for a container without a GPU, sandbox privileges or reason to phone home. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Creates the pool; Chromium starts on first use and again whenever it has crashed. */
export function createBrowserPool(options: BrowserPoolOptions): BrowserPool {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new Error(`browser pool: concurrency must be a positive integer, got ${options.concurrency}`);
  }
  let browser: Promise<Browser> | null = null;
  let launches = 0;
  let active = 0;
  let closed = false;
  const waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  function launch(): Promise<Browser> {
    launches += 1;
    const launching: Promise<Browser> = chromium
      .launch({ executablePath: options.executablePath, headless: options.headless, args: CHROMIUM_ARGS })
      .then((b) => {
        // A crash or kill disconnects it; the next call launches a new one.
        b.on('disconnected', () => {
          if (browser === launching) browser = null;
        });
        return b;
      })
      .catch((err: unknown) => {
        if (browser === launching) browser = null;
        throw new Error(`browser pool: cannot launch Chromium at ${options.executablePath}: ${err instanceof Error ? err.message : String(err)}`);
      });
    return launching;
  }

  /** The running browser, launching one when there is none or it has died. */
  async function connectedBrowser(): Promise<Browser> {
    const pending = browser;
    if (pending) {
      const b = await pending.catch(() => null);
      if (b?.isConnected()) return b;
      // Dead, and the 'disconnected' event may not have reached us yet.
      if (browser === pending) browser = null;
    }
    // A call that got its turn before close() must not start a browser nobody will close.
    if (closed) throw new Error('browser pool is closed');
    browser ??= launch();
    return browser;
  }

  async function acquire(signal?: AbortSignal): Promise<void> {
    if (closed) throw new Error('browser pool is closed');
    if (active < options.concurrency) {
      active += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const entry = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = (): void => {
        const i = waiting.indexOf(entry);
        if (i >= 0) waiting.splice(i, 1);
        entry.reject(new Error('browser pool: aborted while waiting for a free context'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);
      waiting.push(entry);
    });
  }

  /** Hands the slot straight to the next waiter, so `active` never dips and lets a newcomer jump the queue. */
  function release(): void {
    const next = waiting.shift();
    if (next) next.resolve();
    else active -= 1;
  }

  return {
    async withContext(contextOptions, fn) {
      await acquire(contextOptions.signal);
      let context: BrowserContext | undefined;
      const onAbort = (): void => void context?.close().catch(() => undefined);
      try {
        const b = await connectedBrowser();
        context = await b.newContext({
          storageState: contextOptions.storageState,
          proxy: contextOptions.proxy,
        });
        contextOptions.signal?.addEventListener('abort', onAbort);
        if (contextOptions.signal?.aborted) onAbort();
        const page = await context.newPage();
        return await fn(context, page);
      } finally {
        contextOptions.signal?.removeEventListener('abort', onAbort);
        // Closing fails when the browser died under us; there is nothing left to close then.
        await context?.close().catch(() => undefined);
        release();
      }
    },

    stats: () => ({ active, waiting: waiting.length, launches }),

    async close() {
      closed = true;
      for (const w of waiting.splice(0)) w.reject(new Error('browser pool is closed'));
      const current = browser;
      browser = null;
      if (current) await current.then((b) => b.close()).catch(() => undefined);
    },
  };
}
