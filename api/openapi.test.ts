/**
 * The API description: generated from the routes themselves, so every route the app serves
 * is in it, and public, so a client can read it before it has a token.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_TOKEN } from '../test/fixtures/stack';
import { useTestStack } from '../test/fixtures/suite-stack';
import { createApp } from './app';

/** The two things of an app these tests look at: its route table and a way to call it. */
interface App {
  routes: { method: string; path: string }[];
  request(path: string): Response | Promise<Response>;
}

interface Operation {
  security?: unknown[];
  responses: Record<string, { description: string }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/** Every `METHOD /path` the app routes that the document does not describe. */
function undocumentedRoutes(app: App, doc: Document): string[] {
  const missing = new Set<string>();
  for (const route of app.routes) {
    // Hono lists app-wide middleware (body limit, auth) as `ALL /*`: not a route of its own.
    if (route.method === 'ALL' && /^\/?\*$/.test(route.path)) continue;
    const path = route.path.replace(/:([^/]+)/g, '{$1}');
    if (!doc.paths[path]?.[route.method.toLowerCase()]) missing.add(`${route.method} ${route.path}`);
  }
  return [...missing];
}

async function publicDocument(app: App): Promise<Document> {
  const res = await app.request('/openapi.json');
  assert.equal(res.status, 200);
  return (await res.json()) as Document;
}

describe('the OpenAPI document', { timeout: 60_000 }, () => {
  const stack = useTestStack({ worker: false });

  it('describes every route the app serves', async () => {
    const doc = await publicDocument(stack().app);
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(undocumentedRoutes(stack().app, doc), []);
    for (const path of ['/cache', '/cache/keys', '/google/sheets', '/huntflow/accounts/{accountId}/candidates', '/bulk-upload/{taskId}/logs']) assert.ok(doc.paths[path], path);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops))
        assert.ok(
          Object.values(op.responses).every((r) => r.description),
          `${method} ${path} describes its responses`,
        );
    }
  });

  it('notices a route added without a description', async () => {
    const app = createApp(stack().apiDeps);
    app.get('/undocumented/:id', (c) => c.text('nobody wrote this down'));
    assert.deepEqual(undocumentedRoutes(app, await publicDocument(app)), ['GET /undocumented/:id']);
  });

  it('is public, page and JSON, while every call it describes still needs the token', async () => {
    const doc = await publicDocument(stack().app);
    assert.deepEqual(doc.paths['/openapi.json']?.get?.security, [], 'the document says it is public');
    assert.deepEqual(doc.paths['/docs']?.get?.security, []);
    assert.equal(doc.paths['/accounts']?.get?.security, undefined, 'a call takes the document-wide security');

    const page = await stack().app.request('/docs', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /PUT<\/code> <code>\/accounts<\/code>/);

    assert.equal((await stack().app.request('/accounts')).status, 401);
    assert.equal((await stack().app.request('/cache/stats')).status, 401);
    assert.equal((await stack().app.request('/accounts', { headers: { authorization: `Bearer ${API_TOKEN}` } })).status, 200);
  });
});
