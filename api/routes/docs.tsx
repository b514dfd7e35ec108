/** The OpenAPI document (`/openapi.json`) and its browsable page (`/docs`): public, no data in them. */
import { createRoute } from '@hono/zod-openapi';
import { hasSession } from '../auth';
import type { ApiDeps } from '../deps';
import { PUBLIC, type OpenApiDocument } from '../openapi';
import { createRouter } from '../validation';
import { DocsPage } from '../views/docs-page';
import { htmlPage } from '../views/layout';

const documentRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  summary: 'This description, as OpenAPI 3.1',
  ...PUBLIC,
  responses: { 200: { description: 'the OpenAPI document (JSON)' } },
});

const pageRoute = createRoute({
  method: 'get',
  path: '/docs',
  summary: 'This description, as a page',
  ...PUBLIC,
  responses: { 200: { description: 'every operation, its parameters and body schema', content: { 'text/html': { schema: { type: 'string' } } } } },
});

/** Docs routes; `describe` generates the document of the whole app. */
export function docsRoutes(deps: ApiDeps, describe: () => OpenApiDocument) {
  const app = createRouter();
  app.openapi(documentRoute, (c) => c.json(describe(), 200));
  app.openapi(pageRoute, (c) => htmlPage(c, <DocsPage doc={describe()} signedIn={hasSession(c, deps.config.api)} />));
  return app;
}
