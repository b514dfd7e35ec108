/** The OpenAPI document (`/openapi.json`) and its browsable page (`/docs`). */
import { Hono } from 'hono';
import type { ApiDeps } from '../deps';
import { openApiDocument } from '../openapi';
import { DocsPage } from '../views/docs-page';
import { htmlPage } from '../views/layout';

/** Docs routes, behind the same auth as the API they describe. */
export function docsRoutes(deps: ApiDeps) {
  const app = new Hono();
  app.get('/openapi.json', (c) => c.json(openApiDocument(deps.config.api.publicUrl)));
  app.get('/docs', (c) => htmlPage(c, <DocsPage doc={openApiDocument(deps.config.api.publicUrl)} />));
  return app;
}
