/**
 * The HTTP API (Hono): auth (bearer token, or the dashboard's session cookie), JSON
 * errors, the route groups and the dashboard pages. Built from its dependencies so tests
 * serve it on their own services. Every route is declared with `createRoute`, so the
 * OpenAPI document (`/openapi.json`) is generated from the routes themselves.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requireAuth } from './auth';
import type { ApiDeps } from './deps';
import { openApiDocument, publicRoute, registerSecuritySchemes } from './openapi';
import { accountRoutes } from './routes/accounts';
import { accountsDashboardRoutes } from './routes/accounts-dashboard';
import { bulkImportRoutes } from './routes/bulk-import';
import { bulkNewRoutes } from './routes/bulk-new';
import { bulkUploadRoutes } from './routes/bulk-uploads';
import { cacheRoutes } from './routes/cache';
import { dashboardRoutes } from './routes/dashboard';
import { docsRoutes } from './routes/docs';
import { logRoutes } from './routes/logs';
import { oauthRoutes } from './routes/oauth';
import { platformRoutes } from './routes/platforms';
import { scheduleRoutes } from './routes/schedules';
import { sessionRoutes } from './routes/session';
import { isUploadChunkRequest, videoRoutes } from './routes/videos';
import { createRouter } from './validation';
import { DASHBOARD_SCRIPT } from './views/dashboard-script';
import { ACCOUNTS_SCRIPT } from './views/scripts/accounts';
import { BULK_NEW_SCRIPT } from './views/scripts/bulk-new';
import { VIDEOS_SCRIPT } from './views/scripts/videos';

/** The console's one script file: the common part first (it defines what the page parts use). */
const CONSOLE_SCRIPT = [DASHBOARD_SCRIPT, VIDEOS_SCRIPT, ACCOUNTS_SCRIPT, BULK_NEW_SCRIPT].join('\n');

/** Largest request body the API reads. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

const healthRoute = publicRoute({ method: 'get', path: '/health', summary: 'Liveness: the API process answers', responses: { 200: { description: '`{ ok: true }`' } } });

const scriptRoute = publicRoute({
  method: 'get',
  path: '/assets/dashboard.js',
  summary: "The dashboard's script (static, no data in it)",
  responses: { 200: { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } } },
});

/** Builds the API app. */
export function createApp(deps: ApiDeps): OpenAPIHono {
  // Not strict: `/bulk-upload/x/logs/` and `/bulk-upload/x/logs` are one route, as people type both.
  const app = createRouter({ strict: false });
  registerSecuritySchemes(app);

  // Large enough for a 10,000-account bulk; anything bigger is refused before it is parsed.
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: `request body too large (limit ${MAX_BODY_BYTES} bytes)`, issues: [{ field: '(body)', message: 'too large' }] }, 413),
  });
  // Video chunks stream to disk under the library's own per-chunk limit.
  app.use('*', (c, next) => (isUploadChunkRequest(c.req.method, c.req.path) ? next() : limitBody(c, next)));

  // Public: health, the sign-in form, the OAuth callback (its single-use state is its
  // credential), the dashboard's static script and the API description (no data in any of them). Mounted before the auth middleware, so it never runs for them.
  app.openapi(healthRoute, (c) => c.json({ ok: true }, 200));
  app.openapi(scriptRoute, (c) => c.body(CONSOLE_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));
  app.route('/', sessionRoutes(deps));
  app.route('/', oauthRoutes(deps));
  app.route(
    '/',
    docsRoutes(deps, () => openApiDocument(app, deps.config.api.publicUrl)),
  );

  app.use('*', requireAuth(deps.config.api));
  app.route('/', bulkUploadRoutes(deps));
  app.route('/', scheduleRoutes(deps));
  app.route('/', bulkImportRoutes(deps));
  app.route('/', logRoutes(deps));
  app.route('/', accountRoutes(deps));
  app.route('/', platformRoutes(deps));
  app.route('/', cacheRoutes(deps.cache));
  app.route('/', videoRoutes(deps));
  // Before the dashboard's `/dashboard/bulks/{taskId}`, which would read `new` as a task id.
  app.route('/', bulkNewRoutes(deps));
  app.route('/', accountsDashboardRoutes(deps));
  app.route('/', dashboardRoutes(deps));

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      if (err.status === 401) return err.getResponse();
      // E.g. a malformed JSON body: named as the body, in the same shape as a schema error.
      return c.json({ error: err.message, issues: [{ field: '(body)', message: err.message }] }, err.status);
    }
    console.error(`api: ${c.req.method} ${c.req.path} failed:`, err);
    return c.json({ error: 'internal error; see the API log' }, 500);
  });
  return app;
}
