/**
 * A bulk whose videos come from a Google Drive folder (a local server speaking the Drive
 * protocol stands in for Google): the folder is listed through the cache, its videos are
 * downloaded under MEDIA_ROOT before the accounts start, and every account publishes them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bulkUploadWorkflowId } from '../contracts/names';
import { VideoData } from '../database/entities';
import { makeSampleVideo } from '../media';
import { startFakeGoogle, type FakeGoogle } from './fixtures/fake-google';
import { demoPosts, startTestStack, type TestStack } from './fixtures/stack';

describe('a Drive folder as the video source', { timeout: 300_000 }, () => {
  let google: FakeGoogle;
  let stack: TestStack;
  before(async () => {
    google = await startFakeGoogle();
    stack = await startTestStack({
      env: {
        GOOGLE_API_ROOT_URL: google.url,
        GOOGLE_TOKEN_URL: google.tokenUrl,
        GOOGLE_CLIENT_ID: 'client',
        GOOGLE_CLIENT_SECRET: 'secret',
        GOOGLE_REFRESH_TOKEN: 'refresh',
        CACHE_KEY_PREFIX: `cache-drive-${process.pid}`,
      },
    });
  });
  after(async () => {
    await stack?.close();
    await google?.close();
  });

  it("downloads the folder's videos and publishes them to every account", async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-drive-'));
    google.files = [
      { id: 'driveVid1', name: 'holiday clip.mp4', mimeType: 'video/mp4', parents: ['clipsFolder'] },
      { id: 'driveVid2', name: 'second.mp4', mimeType: 'video/mp4', parents: ['clipsFolder'] },
      { id: 'notes1', name: 'notes.txt', mimeType: 'text/plain', parents: ['clipsFolder'] },
    ];
    for (const [i, f] of google.files.slice(0, 2).entries()) {
      const file = await makeSampleVideo({ outputPath: path.join(tmp, `${i}.mp4`), width: 320, height: 240, durationSec: 2, fps: 15, pattern: `drive-${i}` });
      google.contents.set(f.id, await fs.readFile(file));
    }
    for (const id of ['d1', 'd2']) await stack.addAccount({ id });

    const res = await stack.api('POST', '/bulk-uploads', { taskId: 'from-drive', driveFolder: { folderId: 'clipsFolder', caption: 'from Drive' }, accountIds: ['d1', 'd2'] });
    assert.equal(res.status, 202, await res.clone().text());
    const result = await stack.env.client.workflow.getHandle(bulkUploadWorkflowId('from-drive')).result();
    assert.equal(result.status, 'completed');

    const posts = await demoPosts(stack.demo);
    assert.equal(posts.length, 4, '2 Drive videos × 2 accounts');
    assert.ok(posts.every((p) => p.caption === 'from Drive'));
    const rows = await stack.deps.orm.em.fork().find(VideoData, { task: 'from-drive' });
    assert.deepEqual([...new Set(rows.map((r) => r.originalPath))].sort(), ['drive/from-drive/driveVid1-holiday_clip.mp4', 'drive/from-drive/driveVid2-second.mp4']);
    for (const rel of new Set(rows.map((r) => r.originalPath))) {
      const local = await fs.readFile(path.join(stack.config.media.root, rel));
      assert.ok(google.contents.get(rel.includes('driveVid1') ? 'driveVid1' : 'driveVid2')!.equals(local), `${rel} is the Drive file`);
    }

    // The listing went through the cache: a second read is a hit, no new Drive call.
    const driveCalls = google.calls.drive;
    const again = await stack.deps.google.driveFiles({ userId: 'default', folderId: 'clipsFolder', maxResults: 20 });
    assert.equal(again.source, 'cache');
    assert.equal(google.calls.drive, driveCalls);
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('a folder without videos fails the bulk with a clear error', async () => {
    google.files = [{ id: 'only-notes', name: 'notes.txt', mimeType: 'text/plain', parents: ['emptyFolder'] }];
    await stack.addAccount({ id: 'd3' });
    const res = await stack.api('POST', '/bulk-uploads', { taskId: 'empty-drive', driveFolder: { folderId: 'emptyFolder' }, accountIds: ['d3'] });
    assert.equal(res.status, 202);
    await assert.rejects(stack.env.client.workflow.getHandle(bulkUploadWorkflowId('empty-drive')).result(), (err: Error & { cause?: Error & { cause?: Error } }) => {
      assert.match(err.cause?.cause?.message ?? err.cause?.message ?? '', /Drive folder emptyFolder has no videos/);
      return true;
    });
  });
});
