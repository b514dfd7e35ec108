/** The OpenAPI document (`/openapi.json`) and its browsable page (`/docs`): public, no data in them. */
import { hasSession } from '../auth';
import type { ApiDeps } from '../deps';
import { publicRoute, type OpenApiDocument } from '../openapi';
import { createRouter, htmlResponse } from '../validation';
import { DocsPage } from '../views/docs-page';
import { htmlPage } from '../views/layout';

const documentRoute = publicRoute({
  method: 'get',
  path: '/openapi.json',
  summary: 'This description, as OpenAPI 3.1',
  responses: { 200: { description: 'the OpenAPI document (JSON)' } },
});
const pageRoute = publicRoute({
  method: 'get',
  path: '/docs',
  summary: 'This description, as a page',
  responses: { 200: htmlResponse('every operation, its parameters and body schema') },
});

/** Docs routes; `describe` generates the document of the whole app. */
export function docsRoutes(deps: ApiDeps, describe: () => OpenApiDocument) {
  const app = createRouter();
  app.openapi(documentRoute, (c) => c.json(describe(), 200));
  app.openapi(pageRoute, (c) => htmlPage(c, <DocsPage doc={describe()} signedIn={hasSession(c, deps.config.api)} />));
  return app;
}
