import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Account, BulkUploadTask } from '../database/entities';
import { API_TOKEN, startTestStack, type TestStack } from '../test/fixtures/stack';
import { bulkUploadWorkflowId } from '../contracts/names';

type ErrorBody = { error: string; issues: { field: string; message: string }[] };

describe('HTTP API boundaries', { timeout: 60_000 }, () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack({ worker: false, env: { MAX_VIDEO_BYTES: '100000', LOG_STREAM_POLL_MS: '50' } });
  });
  after(async () => stack?.close());

  it('answers 401 without the bearer token or with a wrong one', async () => {
    assert.equal((await stack.app.request('/bulk-uploads/x')).status, 401);
    const wrong = await stack.app.request('/accounts', { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.equal((await stack.app.request('/health')).status, 200);
  });

  it('answers 400 naming the field for a malformed body', async () => {
    const res = await stack.api('POST', '/bulk-uploads', { taskId: 'ok', videos: [{ path: 'a.mp4', caption: 5 }], accountIds: 'alice' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { issues: { field: string }[] };
    assert.deepEqual(body.issues.map((i) => i.field).sort(), ['accountIds', 'videos.0.caption']);

    const notJson = await stack.app.request('/bulk-uploads', {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.config.api.token}`, 'content-type': 'application/json' },
      body: '{"taskId":',
    });
    assert.equal(notJson.status, 400);
  });

  it('rejects video paths outside MEDIA_ROOT and missing videos before starting anything', async () => {
    const outside = await stack.api('POST', '/bulk-uploads', { taskId: 'escape', videos: [{ path: '../../etc/passwd' }], accountIds: ['a'] });
    assert.equal(outside.status, 400);
    const body = (await outside.json()) as { issues: { field: string; message: string }[] };
    assert.equal(body.issues[0]?.field, 'videos.0.path');
    assert.match(body.issues[0]?.message ?? '', /outside the media root/);

    await fs.symlink('/etc/hostname', path.join(stack.config.media.root, 'link.mp4'));
    const viaLink = await stack.api('POST', '/bulk-uploads', { taskId: 'escape2', videos: [{ path: 'link.mp4' }], accountIds: ['a'] });
    assert.equal(viaLink.status, 400);

    const missing = await stack.api('POST', '/bulk-uploads', { taskId: 'missing', videos: [{ path: 'nope.mp4' }], accountIds: ['a'] });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { error: string }).error, /video not found/);
  });

  it('enforces the limits: video size, caption length, accounts per bulk', async () => {
    await fs.writeFile(path.join(stack.config.media.root, 'huge.mp4'), Buffer.alloc(200_000));
    const huge = await stack.api('POST', '/bulk-uploads', { taskId: 'huge', videos: [{ path: 'huge.mp4' }], accountIds: ['a'] });
    assert.equal(huge.status, 400);
    const hugeBody = (await huge.json()) as { issues: { field: string; message: string }[] };
    assert.equal(hugeBody.issues[0]?.field, 'videos.0.path');
    assert.match(hugeBody.issues[0]?.message ?? '', /video too large: .*200000 bytes; the limit \(MAX_VIDEO_BYTES\) is 100000/);

    const caption = await stack.api('POST', '/bulk-uploads', { taskId: 'cap', videos: [{ path: 'huge.mp4', caption: 'x'.repeat(2201) }], accountIds: ['a'] });
    assert.equal(caption.status, 400);
    assert.equal(((await caption.json()) as { issues: { field: string }[] }).issues[0]?.field, 'videos.0.caption');

    const many = await stack.api('POST', '/bulk-uploads', { taskId: 'many', videos: [{ path: 'huge.mp4' }], accountIds: Array.from({ length: 10_001 }, (_, i) => `a${i}`) });
    assert.equal(many.status, 400);
    assert.equal(((await many.json()) as { issues: { field: string }[] }).issues[0]?.field, 'accountIds');
  });

  it('never returns account secrets', async () => {
    const res = await stack.api('PUT', '/accounts', { id: 'secretive', username: 'sec', password: 'super-secret-pw', otpCode: '123456' });
    assert.equal(res.status, 201);
    const text = JSON.stringify([await res.json(), await (await stack.api('GET', '/accounts')).json()]);
    assert.ok(!text.includes('super-secret-pw') && !text.includes('123456'));
    assert.equal((await stack.api('PUT', '/accounts', { id: 'bad id!', username: 'x', password: 'y' })).status, 400);
  });

  it('answers 409 naming username when another account already uses that login, and writes nothing', async () => {
    assert.equal((await stack.api('PUT', '/accounts', { id: 'holder', username: 'shared-login', password: 'holder-pw' })).status, 201);

    const newcomer = await stack.api('PUT', '/accounts', { id: 'newcomer', username: 'shared-login', password: 'newcomer-pw' });
    assert.equal(newcomer.status, 409);
    const body = (await newcomer.json()) as ErrorBody;
    assert.deepEqual(
      body.issues.map((i) => i.field),
      ['username'],
    );
    assert.match(body.error, /shared-login/);
    assert.equal((await stack.api('GET', '/accounts/newcomer')).status, 404, 'the refused account was not created');

    assert.equal((await stack.api('PUT', '/accounts', { id: 'renamer', username: 'own-login', password: 'renamer-pw' })).status, 201);
    const renamed = await stack.api('PUT', '/accounts', { id: 'renamer', username: 'shared-login', password: 'changed-pw' });
    assert.equal(renamed.status, 409);
    const kept = await stack.deps.orm.em.fork().findOneOrFail(Account, 'renamer');
    assert.equal(kept.username, 'own-login');
    assert.equal(stack.deps.secrets.decrypt(kept.passwordEnc, 'password'), 'renamer-pw', 'the refused update changed nothing');
  });

  it('names a schema error in valid JSON after the part of the request it is in, not "invalid json"', async () => {
    const body = await stack.api('POST', '/bulk-uploads', { taskId: 'schema', videos: [{ path: 'a.mp4', caption: 5 }], accountIds: ['a'] });
    assert.equal(body.status, 400);
    assert.match(((await body.json()) as ErrorBody).error, /^invalid request body: videos\.0\.caption: /);

    const query = await stack.api('GET', '/bulk-uploads?limit=0');
    assert.equal(query.status, 400);
    assert.match(((await query.json()) as ErrorBody).error, /^invalid query: limit: /);
  });

  it('refuses a body without a JSON content-type by saying so, not by listing missing fields', async () => {
    const json = JSON.stringify({ id: 'typed', username: 'typed', password: 'typed-pw' });
    // A Uint8Array body: a string body would get a text/plain content-type from fetch itself.
    for (const contentType of [undefined, 'text/plain', 'application/x-www-form-urlencoded']) {
      const res = await stack.app.request('/accounts', {
        method: 'PUT',
        headers: { authorization: `Bearer ${API_TOKEN}`, ...(contentType ? { 'content-type': contentType } : {}) },
        body: new TextEncoder().encode(json),
      });
      assert.equal(res.status, 415, `content-type ${contentType ?? '(none)'}`);
      assert.equal(((await res.json()) as ErrorBody).error, 'content-type must be application/json');
    }
    assert.equal((await stack.api('GET', '/accounts/typed')).status, 404);
  });

  it('serves the logs with and without the trailing slash, as JSON, HTML and SSE', async () => {
    const em = stack.deps.orm.em.fork();
    em.create(BulkUploadTask, {
      id: 'slashes',
      platform: 'demo',
      workflowId: bulkUploadWorkflowId('slashes'),
      options: { uniquifyPreset: 'fast', concurrency: 1, dryRun: false },
      status: 'completed',
      finishedAt: new Date(),
    });
    await em.flush();
    await stack.deps.logStore.append({ taskId: 'slashes', level: 'info', message: 'the one line' });

    for (const url of ['/bulk-upload/slashes/logs', '/bulk-upload/slashes/logs/']) {
      const json = await stack.api('GET', url);
      assert.equal(json.status, 200, url);
      assert.deepEqual(
        ((await json.json()) as { entries: { message: string }[] }).entries.map((e) => e.message),
        ['the one line'],
      );

      const html = await stack.app.request(url, { headers: { authorization: `Bearer ${API_TOKEN}`, accept: 'text/html' } });
      assert.equal(html.status, 200, url);
      assert.match(await html.text(), /the one line/);

      // The bulk has finished, so the stream sends its line, then `done`, and ends.
      const sse = await stack.app.request(url, { headers: { authorization: `Bearer ${API_TOKEN}`, accept: 'text/event-stream' } });
      assert.equal(sse.status, 200, url);
      const events = await sse.text();
      assert.match(events, /event: log\ndata: .*the one line/);
      assert.match(events, /event: done/);
    }
  });
});
