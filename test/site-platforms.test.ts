/**
 * A browser platform added without code: a site file in PLATFORMS_DIR makes its name a
 * platform that accounts and bulks accept and the worker publishes to; a name without a
 * site file is refused where it is first seen.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDemoPlatform, type RunningDemoPlatform } from '../demo-platform/server';
import { DEMO_SITE_FILE } from '../platforms/demo/adapter';
import type { BulkUploadResult } from '../workflows/bulk-upload';
import { demoPosts, startTestStack, type TestStack } from './fixtures/stack';

describe('browser platforms from site files', { timeout: 300_000 }, () => {
  let dir: string;
  let acme: RunningDemoPlatform;
  let stack: TestStack;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-sites-'));
    // A second site: another demo server, described by a file named after it.
    acme = await startDemoPlatform({ dataDir: path.join(dir, 'acme-data'), port: 0 });
    const sites = path.join(dir, 'sites');
    await fs.mkdir(sites);
    await fs.copyFile(DEMO_SITE_FILE, path.join(sites, 'demo.json'));
    const demo = JSON.parse(await fs.readFile(DEMO_SITE_FILE, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(path.join(sites, 'acme.json'), JSON.stringify({ ...demo, name: 'acme', description: 'a second site', baseUrl: acme.url }));
    stack = await startTestStack({ env: { PLATFORMS_DIR: sites } });
  });

  after(async () => {
    await stack?.close();
    await acme?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a bulk on the new platform publishes there, through the browser', async () => {
    const created = await fetch(`${acme.url}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ann', password: 'ann-pw' }),
    });
    assert.equal(created.status, 201);
    const put = await stack.api('PUT', '/accounts', { id: 'acme-ann', platform: 'acme', username: 'ann', password: 'ann-pw' });
    assert.equal(put.status, 201, await put.clone().text());
    assert.equal(((await put.json()) as { kind: string }).kind, 'browser');

    const video = await stack.addVideo('acme.mp4');
    const res = await stack.api('POST', '/bulk-uploads', { taskId: 'acme-bulk', platform: 'acme', videos: [{ path: video, caption: 'on acme' }], accountIds: ['acme-ann'] });
    assert.equal(res.status, 202, await res.clone().text());
    const { workflowId } = (await res.json()) as { workflowId: string };
    const result = (await stack.env.client.workflow.getHandle(workflowId).result()) as BulkUploadResult;
    assert.equal(result.status, 'completed');

    assert.deepEqual(
      (await demoPosts(acme)).map((p) => [p.account, p.caption]),
      [['ann', 'on acme']],
    );
    assert.deepEqual(await demoPosts(stack.demo), [], 'nothing went to the demo platform');
  });

  it('a platform without a site file is refused by PUT /accounts and by a bulk, naming the platforms there are', async () => {
    const put = await stack.api('PUT', '/accounts', { id: 'nope-ann', platform: 'nope', username: 'ann', password: 'pw-secret' });
    assert.equal(put.status, 400);
    assert.deepEqual(((await put.json()) as { issues: unknown[] }).issues, [{ field: 'platform', message: 'must be one of: acme, demo, youtube, tiktok, instagram' }]);

    const video = await stack.addVideo('nope.mp4');
    const bulk = await stack.api('POST', '/bulk-uploads', { taskId: 'nope-bulk', platform: 'nope', videos: [{ path: video }], accountIds: ['acme-ann'] });
    assert.equal(bulk.status, 400);
    const { issues } = (await bulk.json()) as { issues: { field: string; message: string }[] };
    assert.deepEqual(
      issues.find((i) => i.field === 'platform'),
      {
        field: 'platform',
        message: 'unknown platform "nope"; known: acme, demo, youtube, tiktok, instagram (a browser platform needs a site file in PLATFORMS_DIR)',
      },
    );
  });
});
