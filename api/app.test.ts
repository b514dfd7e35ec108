import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestStack, type TestStack } from '../test/fixtures/stack';

describe('HTTP API boundaries', { timeout: 60_000 }, () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack({ worker: false, env: { MAX_VIDEO_BYTES: '100000' } });
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

    const notJson = await stack.app.request('/bulk-uploads', { method: 'POST', headers: { authorization: `Bearer ${stack.config.api.token}`, 'content-type': 'application/json' }, body: '{"taskId":' });
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
});
