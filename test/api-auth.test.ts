/**
 * The API's front door and its control endpoints: bearer token or session cookie, 401 and
 * 400 bodies a client can act on, the bulk list filters, cancel, and account reads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SESSION_COOKIE, createSessionValue } from '../api/auth';
import { BulkUploadTask } from '../database/entities';
import { API_TOKEN } from './fixtures/stack';
import { useTestStack } from './fixtures/suite-stack';
import { bulkUploadWorkflowId } from '../contracts/names';

function sessionCookie(res: Response): string {
  const header = res.headers.get('set-cookie') ?? '';
  const m = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(header);
  assert.ok(m, `a session cookie is set: ${header}`);
  return `${SESSION_COOKIE}=${m[1]}`;
}

describe('API auth and control', { timeout: 60_000 }, () => {
  const stack = useTestStack({ worker: false });

  it('answers 401 JSON to API calls without the token, and sends a browser to the sign-in page', async () => {
    const bare = await stack().app.request('/bulk-uploads');
    assert.equal(bare.status, 401);
    assert.deepEqual(await bare.json(), { error: 'missing bearer token' });
    assert.equal((await stack().app.request('/bulk-upload/x/logs/', { headers: { accept: 'text/event-stream' } })).status, 401);
    assert.equal((await stack().app.request('/accounts', { headers: { authorization: `Bearer ${API_TOKEN}x` } })).status, 401);

    const page = await stack().app.request('/dashboard/bulks/a?x=1', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), `/login?next=${encodeURIComponent('/dashboard/bulks/a?x=1')}`);
  });

  it('signs a browser in with the token as a form post, and the cookie (not the token) opens the pages', async () => {
    const form = new URLSearchParams({ token: API_TOKEN, next: '/dashboard' });
    const res = await stack().app.request('/login', { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/dashboard');
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/i);
    // Lax: the OAuth provider's redirect back (a top-level GET from another site) must land signed in; cross-site posts still carry no cookie (test/dashboard-accounts.test.ts).
    assert.match(setCookie, /SameSite=Lax/i);
    assert.ok(!setCookie.includes(API_TOKEN), 'the cookie is not the token');
    const cookie = sessionCookie(res);

    const page = await stack().app.request('/dashboard', { headers: { cookie, accept: 'text/html' } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Bulk uploads/);
    assert.ok(!html.includes(API_TOKEN), 'the page never holds the raw token');
    assert.equal((await stack().app.request('/bulk-uploads', { headers: { cookie } })).status, 200);

    const wrong = await stack().app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ token: 'nope-nope' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);

    const offsite = await stack().app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ token: API_TOKEN, next: '//evil.example/' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(offsite.headers.get('location'), '/dashboard', 'next never leaves the site');
  });

  it('rejects forged and expired session cookies', async () => {
    const api = stack().config.api;
    const forged = `${SESSION_COOKIE}=${createSessionValue({ ...api, token: 'another-token-entirely' })}`;
    assert.equal((await stack().app.request('/bulk-uploads', { headers: { cookie: forged } })).status, 401);
    const expired = `${SESSION_COOKIE}=${createSessionValue(api, Date.now() - (api.sessionTtlSeconds + 10) * 1000)}`;
    assert.equal((await stack().app.request('/bulk-uploads', { headers: { cookie: expired } })).status, 401);
    const tampered = `${SESSION_COOKIE}=9999999999.${createSessionValue(api).split('.')[1]}`;
    assert.equal((await stack().app.request('/bulk-uploads', { headers: { cookie: tampered } })).status, 401);
  });

  it("a signed-in browser changes things only from clipfleet's own pages: a write from another origin (even another port of the same host) is refused", async () => {
    const cookie = `${SESSION_COOKIE}=${createSessionValue(stack().config.api)}`;
    const unknownBulk = '/bulk-uploads/csrf-nobody/cancel';
    const post = (headers: Record<string, string>) => stack().app.request(`http://127.0.0.1:3000${unknownBulk}`, { method: 'POST', headers: { cookie, ...headers } });
    // A page served by another site, or by another port of this host (the demo platform's), posting with the cookie.
    const offsite: Record<string, string>[] = [
      { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://127.0.0.1:3100', 'sec-fetch-site': 'same-site' },
      { origin: 'http://127.0.0.1:3100' },
    ];
    for (const headers of offsite) {
      const res = await post(headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.match(((await res.json()) as { error: string }).error, /own pages/);
    }
    // Our own page's fetch or form: through to the route (404: no such bulk).
    assert.equal((await post({ origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' })).status, 404);
    assert.equal((await post({ origin: 'http://127.0.0.1:3000' })).status, 404);
    // Reading is not a write; a program with the bearer token has no ambient cookie to ride.
    assert.equal((await stack().app.request('/bulk-uploads', { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).status, 200);
    const bearer = await stack().app.request(unknownBulk, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, origin: 'http://evil.example' } });
    assert.equal(bearer.status, 404);
  });

  it('answers 400 naming the field for a bad query, cursor or body', async () => {
    const cursor = await stack().api('GET', '/bulk-upload/t1/logs/?after=abc');
    assert.equal(cursor.status, 400);
    assert.equal(((await cursor.json()) as { issues: { field: string }[] }).issues[0]?.field, 'after');

    const lastEventId = await stack().app.request('/bulk-upload/t1/logs/', {
      headers: { authorization: `Bearer ${API_TOKEN}`, accept: 'text/event-stream', 'last-event-id': '1; DROP' },
    });
    assert.equal(lastEventId.status, 400);
    assert.equal(((await lastEventId.json()) as { issues: { field: string }[] }).issues[0]?.field, 'last-event-id');

    const status = await stack().api('GET', '/bulk-uploads?status=running,sleeping');
    assert.equal(status.status, 400);
    assert.match(((await status.json()) as { issues: { field: string }[] }).issues[0]?.field ?? '', /^status/);

    const body = await stack().api('POST', '/bulk-uploads', { taskId: 'x', videos: [], accountIds: ['a'] });
    assert.equal(body.status, 400);
    assert.deepEqual(
      ((await body.json()) as { issues: { field: string }[] }).issues.map((i) => i.field),
      ['videos'],
    );
  });

  it('lists bulks filtered by status and creation date', async () => {
    const em = stack().deps.orm.em.fork();
    const old = new Date('2026-01-05T10:00:00Z');
    em.create(BulkUploadTask, {
      id: 'list-old',
      platform: 'demo',
      workflowId: bulkUploadWorkflowId('list-old'),
      options: { uniquifyPreset: 'fast', concurrency: 1, dryRun: false },
      status: 'completed',
      createdAt: old,
      finishedAt: old,
    });
    em.create(BulkUploadTask, {
      id: 'list-failed',
      platform: 'demo',
      workflowId: bulkUploadWorkflowId('list-failed'),
      options: { uniquifyPreset: 'fast', concurrency: 1, dryRun: false },
      status: 'failed',
    });
    em.create(BulkUploadTask, {
      id: 'list-done',
      platform: 'demo',
      workflowId: bulkUploadWorkflowId('list-done'),
      options: { uniquifyPreset: 'fast', concurrency: 1, dryRun: false },
      status: 'completed',
    });
    await em.flush();

    const ids = async (query: string) => ((await (await stack().api('GET', `/bulk-uploads${query}`)).json()) as { bulks: { taskId: string }[] }).bulks.map((b) => b.taskId).sort();
    assert.deepEqual(await ids('?status=completed'), ['list-done', 'list-old']);
    assert.deepEqual(await ids('?status=completed,failed&since=2026-02-01'), ['list-done', 'list-failed']);
    assert.deepEqual(await ids('?until=2026-02-01'), ['list-old']);
  });

  it('answers 404 to cancelling an unknown bulk', async () => {
    const res = await stack().api('POST', '/bulk-uploads/never-was/cancel');
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /never-was/);
  });

  it('reads and changes one account; secrets stay write-only', async () => {
    assert.equal((await stack().api('PUT', '/accounts', { id: 'patchy', username: 'patchy-1', password: 'first-secret-pw' })).status, 201);
    await stack().api('PUT', '/accounts', { id: 'other', username: 'taken-name', password: 'x-secret-pw' });
    const changed = await stack().api('PATCH', '/accounts/patchy', { password: 'second-secret-pw', otpCode: '654321' });
    assert.equal(changed.status, 200);
    const read = await stack().api('GET', '/accounts/patchy');
    const text = JSON.stringify([await changed.json(), await read.json()]);
    assert.match(text, /"username":"patchy-1"/);
    assert.ok(!/secret-pw|654321/.test(text), 'no secret is ever returned');
    const account = await stack().deps.orm.em.fork().findOneOrFail('Account', 'patchy');
    assert.equal(stack().deps.secrets.decrypt((account as { passwordEnc: string }).passwordEnc, 'password'), 'second-secret-pw');

    assert.equal((await stack().api('GET', '/accounts/nobody')).status, 404);
    const unknownField = await stack().api('PATCH', '/accounts/patchy', { platform: 'other' });
    assert.equal(unknownField.status, 400);
    const clash = await stack().api('PATCH', '/accounts/patchy', { username: 'taken-name' });
    assert.equal(clash.status, 409);
    assert.equal(((await clash.json()) as { issues: { field: string }[] }).issues[0]?.field, 'username');
  });

  it('describes every route in a public OpenAPI document with a browsable page', async () => {
    const doc = (await (await stack().app.request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    for (const p of ['/bulk-uploads', '/bulk-uploads/{taskId}/cancel', '/bulk-upload/{taskId}/logs', '/accounts/{id}', '/cache', '/google/drive/files', '/huntflow/accounts'])
      assert.ok(doc.paths[p], p);
    const body = doc.paths['/bulk-uploads']!.post!.requestBody!.content['application/json']!.schema;
    assert.ok(body.properties?.taskId && body.properties.videos, 'the body schema comes from the zod schema');
    const page = await stack().app.request('/docs');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /PATCH<\/code> <code>\/accounts\/\{id\}/);
  });
});
