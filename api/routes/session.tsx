/** Signing a browser in and out: the API token, posted once, for an httpOnly session cookie. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { endSession, isApiToken, safeNextPath, startSession } from '../auth';
import { validate } from '../validation';
import { htmlPage } from '../views/layout';
import { LoginPage } from '../views/login-page';

const LoginQuery = z.object({ next: z.string().max(2_000).optional() });
const LoginForm = z.object({ token: z.string().min(1).max(1_000), next: z.string().max(2_000).optional() });

/** `GET /login`, `POST /login`, `POST /logout`: served without auth. */
export function sessionRoutes(deps: ApiDeps) {
  const app = new Hono();
  const api = deps.config.api;

  app.get('/login', validate('query', LoginQuery), (c) => htmlPage(c, <LoginPage next={safeNextPath(c.req.valid('query').next)} />));

  app.post('/login', validate('form', LoginForm), (c) => {
    const { token, next } = c.req.valid('form');
    const target = safeNextPath(next);
    // The same answer for every wrong token; the token is never echoed back.
    if (!isApiToken(api, token)) return htmlPage(c, <LoginPage next={target} error="That is not the API token." />, 401);
    startSession(c, api);
    return c.redirect(target, 303);
  });

  app.post('/logout', (c) => {
    endSession(c);
    return c.redirect('/login', 303);
  });

  return app;
}
