/** Signing a browser in and out (the API token, posted once, for an httpOnly session cookie), and the console's language. */
import { z } from '@hono/zod-openapi';
import { setCookie } from 'hono/cookie';
import { LOCALES, LOCALE_COOKIE, translate, localeOf } from '../i18n';
import type { ApiDeps } from '../deps';
import { endSession, isApiToken, safeNextPath, startSession } from '../auth';
import { publicRoute } from '../openapi';
import { createRouter, errorResponse, htmlResponse } from '../validation';
import { LOCALE_PATH, htmlPage } from '../views/layout';
import { LoginPage } from '../views/login-page';

const next = z.string().max(2_000).optional().openapi({ description: 'where to go once signed in (a path on this site; anything else goes to /dashboard)' });
const LoginQuery = z.object({ next });
const LoginForm = z.object({ token: z.string().min(1).max(1_000).openapi({ description: 'the API token' }), next });

const loginPageRoute = publicRoute({
  method: 'get',
  path: '/login',
  summary: 'The sign-in page',
  request: { query: LoginQuery },
  responses: { 200: htmlResponse('the sign-in form'), 400: errorResponse('`next` is too long') },
});

const loginRoute = publicRoute({
  method: 'post',
  path: '/login',
  summary: 'Browser sign-in with the API token (form); sets the session cookie',
  request: { body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: LoginForm } } } },
  responses: {
    303: { description: 'signed in: the cookie is set, and the browser sent on to `next`' },
    400: errorResponse('the form is incomplete'),
    401: htmlResponse('not the API token: the form again'),
    415: errorResponse('not a form post'),
  },
});

const logoutRoute = publicRoute({
  method: 'post',
  path: '/logout',
  summary: 'Sign a browser out (removes the session cookie)',
  responses: { 303: { description: 'signed out: sent to the sign-in page' } },
});

const LocaleForm = z.object({
  locale: z.enum(LOCALES).openapi({ description: 'the language of the console' }),
});
const localeRoute = publicRoute({
  method: 'post',
  path: LOCALE_PATH,
  summary: "The console's language (the switch in every page's header): a cookie; then back to the page",
  request: { body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: LocaleForm } } } },
  responses: {
    303: { description: 'the language is set: back to the page the switch was on (its Referer, on this site), else the dashboard' },
    400: errorResponse('`locale` is not a language the console speaks'),
  },
});

/** Where a browser goes back to: the path of a same-site Referer, else the dashboard. */
function backTo(referer: string | undefined, self: string): string {
  if (!referer) return '/dashboard';
  try {
    const url = new URL(referer);
    return url.origin === new URL(self).origin ? safeNextPath(`${url.pathname}${url.search}`) : '/dashboard';
  } catch {
    return '/dashboard';
  }
}

/** `GET /login`, `POST /login`, `POST /logout`, `POST /locale`: served without auth. */
export function sessionRoutes(deps: ApiDeps) {
  const app = createRouter();
  const api = deps.config.api;

  app.openapi(loginPageRoute, (c) => htmlPage(c, <LoginPage next={safeNextPath(c.req.valid('query').next)} />));

  app.openapi(loginRoute, (c) => {
    const { token, next } = c.req.valid('form');
    const target = safeNextPath(next);
    // The same answer for every wrong token; the token is never echoed back.
    if (!isApiToken(api, token)) return htmlPage(c, <LoginPage next={target} error={translate(localeOf(c).locale, 'common.login.wrongToken')} />, 401);
    startSession(c, api);
    return c.redirect(target, 303);
  });

  // Public: the sign-in page has the switch too, and a language is no secret.
  app.openapi(localeRoute, (c) => {
    setCookie(c, LOCALE_COOKIE, c.req.valid('form').locale, { path: '/', sameSite: 'Lax', maxAge: 365 * 24 * 3600 });
    return c.redirect(backTo(c.req.header('referer'), c.req.url), 303);
  });

  app.openapi(logoutRoute, (c) => {
    endSession(c);
    return c.redirect('/login', 303);
  });

  return app;
}
