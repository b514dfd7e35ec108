/**
 * The HTTP API (Hono): bearer-token auth, JSON errors, and the route groups. Built from its
 * dependencies so tests serve it on their own services.
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import type { ApiDeps } from './deps';
import { accountRoutes } from './routes/accounts';
import { bulkUploadRoutes } from './routes/bulk-uploads';

/** Builds the API app. */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();

  app.get('/health', (c) => c.json({ ok: true }));
  app.use('*', bearerAuth({ token: deps.config.api.token, noAuthenticationHeader: { message: { error: 'missing bearer token' } }, invalidToken: { message: { error: 'invalid bearer token' } } }));
  app.route('/', bulkUploadRoutes(deps));
  app.route('/', accountRoutes(deps));

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      // Auth answers carry their own JSON body; the rest (e.g. malformed JSON) get ours.
      if (err.status === 401) return err.getResponse();
      return c.json({ error: err.message, issues: [{ field: '(body)', message: err.message }] }, err.status);
    }
    console.error(`api: ${c.req.method} ${c.req.path} failed:`, err);
    return c.json({ error: 'internal error; see the API log' }, 500);
  });
  return app;
}
