/**
 * Who may call the API. Programs send the bearer token (`API_TOKEN`); browsers sign in once
 * at `/login` with the same token and get an httpOnly session cookie, so no page ever holds
 * the raw token (an EventSource cannot send an Authorization header anyway). The cookie is
 * `<expiry>.<HMAC-SHA256(expiry)>` under a key derived from `SESSION_SECRET` (or from the
 * token, so rotating the token also ends every browser session). SameSite=Lax keeps other
 * sites from riding the cookie into the cancel, retry and connect forms (a cross-site post
 * carries no cookie), yet lets a provider's consent page send the browser back signed in;
 * a write with the cookie must also come from this server's own origin (another port of the
 * same host is the same site, yet not ours).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config';

/** Name of the dashboard's session cookie. */
export const SESSION_COOKIE = 'clipfleet_session';

type ApiConfig = Config['api'];

function sessionKey(api: ApiConfig): Buffer {
  // A purpose-bound key: the token itself never signs anything, and the secret, when set, wins.
  return createHmac('sha256', api.sessionSecret ?? api.token)
    .update('clipfleet dashboard session v1')
    .digest();
}

function sign(api: ApiConfig, payload: string): string {
  return createHmac('sha256', sessionKey(api)).update(payload).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A fresh session cookie value, valid for `sessionTtlSeconds`. */
export function createSessionValue(api: ApiConfig, now = Date.now()): string {
  const expires = String(Math.floor(now / 1000) + api.sessionTtlSeconds);
  return `${expires}.${sign(api, expires)}`;
}

/** True when `value` is a session cookie this server signed and it has not expired. */
export function verifySessionValue(api: ApiConfig, value: string | undefined, now = Date.now()): boolean {
  if (!value) return false;
  const [expires, mac, ...rest] = value.split('.');
  if (!expires || !mac || rest.length || !/^\d{1,12}$/.test(expires)) return false;
  return safeEqual(mac, sign(api, expires)) && Number(expires) * 1000 > now;
}

/** True when `token` is the API token (compared in constant time). */
export function isApiToken(api: ApiConfig, token: string): boolean {
  return safeEqual(token, api.token);
}

/** True when the request carries a valid session cookie of this server. */
export function hasSession(c: Context, api: ApiConfig): boolean {
  return verifySessionValue(api, getCookie(c, SESSION_COOKIE));
}

/** Sets the session cookie on the response. */
export function startSession(c: Context, api: ApiConfig): void {
  setCookie(c, SESSION_COOKIE, createSessionValue(api), {
    httpOnly: true,
    sameSite: 'Lax',
    secure: api.publicUrl.startsWith('https://'),
    path: '/',
    maxAge: api.sessionTtlSeconds,
  });
}

/** Removes the session cookie. */
export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** Only same-site relative paths: `next` must never send a signed-in browser elsewhere. */
export function safeNextPath(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/dashboard';
}

/** Methods that change nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when a browser sent the request from one of this server's own pages. SameSite=Lax
 * alone is not enough: "same site" ignores the port, so a page on another port of this
 * host (the embedded demo platform's) could post with the cookie. Browsers say where a
 * request comes from (`Sec-Fetch-Site`, else `Origin` on every non-GET request); a request
 * with neither header was not made by a page.
 */
function fromOwnPage(c: Context, api: ApiConfig): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  try {
    // The host the browser reached, or the public URL a reverse proxy serves it under.
    const host = new URL(origin).host;
    return host === (c.req.header('host') ?? new URL(c.req.url).host) || host === new URL(api.publicUrl).host;
  } catch {
    return false;
  }
}

/**
 * Accepts a valid bearer token or a valid session cookie (a write with the cookie only from
 * this server's own pages). Otherwise: a browser asking for a page is sent to the sign-in
 * page; everything else gets 401 JSON.
 */
export function requireAuth(api: ApiConfig): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) return c.json({ error: 'missing bearer token' }, 401, { 'WWW-Authenticate': 'Bearer realm="clipfleet"' });
      if (!isApiToken(api, m[1]!)) return c.json({ error: 'invalid bearer token' }, 401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      return next();
    }
    if (hasSession(c, api)) {
      if (!SAFE_METHODS.has(c.req.method) && !fromOwnPage(c, api)) {
        return c.json({ error: "a signed-in browser may change things only from clipfleet's own pages: this request came from another site or port" }, 403);
      }
      return next();
    }
    const accept = c.req.header('accept') ?? '';
    if (c.req.method === 'GET' && accept.includes('text/html')) {
      const here = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(here.pathname + here.search)}`, 303);
    }
    return c.json({ error: 'missing bearer token' }, 401, { 'WWW-Authenticate': 'Bearer realm="clipfleet"' });
  };
}
