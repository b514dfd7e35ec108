/**
 * Who is signed in: the session cookie, and the middleware that resolves it to a username.
 * The cookie holds an opaque token; the session table in `DemoState` decides if it is live.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { DemoState } from './state';

export const SESSION_COOKIE = 'demo_session';

/** Hono env of the site routes: `c.var.user` is the signed-in username, or null. */
export interface SiteEnv {
  Variables: { user: string | null };
}

/** Resolves the session cookie into `c.var.user` for every site request. */
export function resolveSession(state: DemoState): MiddlewareHandler<SiteEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const user = token ? state.sessionUser(token) : null;
    if (token && !user) deleteCookie(c, SESSION_COOKIE, { path: '/' });
    c.set('user', user);
    await next();
  };
}

/** Sends anonymous visitors to the sign-in page, as a real site does. */
export const requireUser: MiddlewareHandler<SiteEnv> = async (c, next) => {
  if (!c.var.user) return c.redirect('/login', c.req.method === 'GET' ? 302 : 303);
  await next();
};

/** The signed-in username of a route behind `requireUser`. */
export function signedInUser(c: Context<SiteEnv>): string {
  const user = c.var.user;
  if (!user) throw new Error('signedInUser called on a route without requireUser');
  return user;
}

/** Sets the httpOnly session cookie; it lives as long as the server-side session. */
export function setSessionCookie(c: Context, token: string, expiresAt: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: Math.max(1, Math.floor((expiresAt - Date.now()) / 1000)),
  });
}
