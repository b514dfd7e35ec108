/**
 * Shared test fixtures: a demo platform on a free port over a temporary data directory, a
 * small real video made by ffmpeg, and an HTTP client with a cookie jar. Used by this
 * folder's tests, the adapter's, and anyone else's that need a real upload target.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startDemoPlatform, type RunningDemoPlatform } from './server';

const run = promisify(execFile);

export interface TestDemoPlatform extends RunningDemoPlatform {
  dataDir: string;
  /** Closes this server; the data directory stays, so a test can start it again. */
  restart(): Promise<TestDemoPlatform>;
  /** Closes the server and deletes the data directory. */
  destroy(): Promise<void>;
}

/** A demo platform on 127.0.0.1 and a free port, over `dataDir` or a fresh temporary one. */
export async function startTestDemoPlatform(dataDir?: string): Promise<TestDemoPlatform> {
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'clipfleet-demo-')));
  const running = await startDemoPlatform({ dataDir: dir, host: '127.0.0.1', port: 0 });
  return {
    ...running,
    dataDir: dir,
    async restart() {
      await running.close();
      return startTestDemoPlatform(dir);
    },
    async destroy() {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes a 1-second 320x240 H.264 MP4 test pattern. Different `tag`s give different bytes
 * (the tag goes into the metadata), so tests can make as many distinct videos as they need.
 */
export async function makeTestVideo(filePath: string, tag = 'clipfleet'): Promise<string> {
  await run('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', '-metadata', `comment=${tag}`, filePath]);
  return filePath;
}

/** fetch against one origin that keeps cookies between calls and never follows redirects. */
export class SiteClient {
  constructor(
    readonly baseUrl: string,
    private readonly cookies = new Map<string, string>(),
  ) {}

  /** The same cookie jar against another origin, e.g. the platform after a restart on a new port. */
  withBaseUrl(baseUrl: string): SiteClient {
    return new SiteClient(baseUrl, this.cookies);
  }

  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(pathname, this.baseUrl), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** POSTs an HTML form (urlencoded). */
  postForm(pathname: string, fields: Record<string, string>): Promise<Response> {
    return this.fetch(pathname, { method: 'POST', body: new URLSearchParams(fields) });
  }

  /** POSTs JSON to the API. */
  postJson(pathname: string, body: unknown): Promise<Response> {
    return this.fetch(pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  /** Signs in with username and password (and the one-time code when given); returns the last response. */
  async signIn(username: string, password: string, otpCode?: string): Promise<Response> {
    const res = await this.postForm('/login', { username, password });
    if (res.status !== 200 || otpCode === undefined) return res;
    const challenge = /name="challenge" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
    return this.postForm('/login/otp', { challenge, otp: otpCode });
  }

  /** POSTs the upload form with `bytes` as the video file. */
  upload(bytes: Uint8Array, caption: string, fileName = 'clip.mp4', signal?: AbortSignal): Promise<Response> {
    const form = new FormData();
    form.append('video', new Blob([new Uint8Array(bytes)]), fileName);
    form.append('caption', caption);
    return this.fetch('/upload', { method: 'POST', body: form, signal });
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }
}
