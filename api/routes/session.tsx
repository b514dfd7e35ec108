/** Signing a browser in and out: the API token, posted once, for an httpOnly session cookie. */
import { z } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { endSession, isApiToken, safeNextPath, startSession } from '../auth';
import { publicRoute } from '../openapi';
import { createRouter, errorResponse, htmlResponse } from '../validation';
import { htmlPage } from '../views/layout';
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

/** `GET /login`, `POST /login`, `POST /logout`: served without auth. */
export function sessionRoutes(deps: ApiDeps) {
  const app = createRouter();
  const api = deps.config.api;

  app.openapi(loginPageRoute, (c) => htmlPage(c, <LoginPage next={safeNextPath(c.req.valid('query').next)} />));

  app.openapi(loginRoute, (c) => {
    const { token, next } = c.req.valid('form');
    const target = safeNextPath(next);
    // The same answer for every wrong token; the token is never echoed back.
    if (!isApiToken(api, token)) return htmlPage(c, <LoginPage next={target} error="That is not the API token." />, 401);
    startSession(c, api);
    return c.redirect(target, 303);
  });

  app.openapi(logoutRoute, (c) => {
    endSession(c);
    return c.redirect('/login', 303);
  });

  return app;
}
