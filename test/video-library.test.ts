/**
 * The video library through the API, on a real stack: a file sent in chunks lands in the
 * library probed and with a thumbnail; a chunk at the wrong offset is refused with the
 * offset the server holds; a client that gave up mid-chunk continues from what the server
 * kept, and the stored file is the source byte for byte; a non-video is refused with the
 * reason and leaves nothing behind, and so is a playlist (in an upload and in a bulk); an
 * oversized file is refused before a byte is sent; a bulk admits a library path, and a video
 * a bulk uses cannot be deleted (whatever spelling of its path the bulk sent, and before a
 * worker has registered the bulk) while one nobody uses can.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { CHUNK_CONTENT_TYPE } from '../api/routes/videos';
import { parseBulkUploadInput } from '../contracts/bulk-input';
import { BulkTaskIdAttribute, PlatformAttribute, bulkUploadWorkflowId } from '../contracts/names';
import { BulkUploadTask, VideoData } from '../database/entities';
import { LIBRARY_DIRS, makeSampleVideo, runFfmpeg, sha256File } from '../media';
import { BulkUpload } from '../workflows/bulk-upload';
import { API_TOKEN } from './fixtures/stack';
import { useTestStack } from './fixtures/suite-stack';
import { waitFor } from './fixtures/wait';

interface Upload {
  id: string;
  url: string;
  offset: number;
  size: number;
  state: string;
  error?: string;
  video?: { id: string; path: string; durationSec: number; width: number; height: number; sizeBytes: number; thumbnailUrl: string; fileUrl: string; usedBy: { taskId: string }[] };
}

const run = randomBytes(3).toString('hex');

describe('video library', { timeout: 120_000 }, () => {
  const s = useTestStack();
  let source: string;
  let sourceBytes: Buffer;
  let server: ServerType;
  let base: string;
  before(async () => {
    source = path.join(s().dir, 'sources', 'clip.mp4');
    await makeSampleVideo({ outputPath: source, width: 320, height: 240, durationSec: 2, fps: 15, pattern: `library-${run}` });
    sourceBytes = await fs.readFile(source);
    server = serve({ fetch: s().app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined))));

  const start = async (name: string, size: number): Promise<Upload> => {
    const res = await s().api('POST', '/videos/uploads', { name, size });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as Upload;
  };
  const patch = (url: string, offset: number, bytes: Uint8Array) =>
    s().app.request(url, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'upload-offset': String(offset), 'content-type': CHUNK_CONTENT_TYPE },
      body: new Uint8Array(bytes),
    });
  const held = async (url: string) => ((await (await s().api('GET', url)).json()) as Upload).offset;
  /** Sends `bytes` from `offset` to the end in one chunk; the upload as the server answers. */
  const sendRest = async (upload: Upload, bytes: Buffer, offset: number): Promise<Upload> => {
    const res = await patch(upload.url, offset, bytes.subarray(offset));
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Upload;
  };
  const uploadWhole = async (name: string, bytes: Buffer) => sendRest(await start(name, bytes.length), bytes, 0);
  const uploadsLeft = async () => (await fs.readdir(path.join(s().config.media.root, LIBRARY_DIRS.uploads))).filter((f) => f.endsWith('.part'));

  it('stores a file sent in three chunks, probed, with a thumbnail, and serves ranges of it', async () => {
    const upload = await start('My clip (final).mp4', sourceBytes.length);
    assert.equal(upload.offset, 0);
    const third = Math.ceil(sourceBytes.length / 3);
    let last: Upload = upload;
    for (let offset = 0; offset < sourceBytes.length; offset += third) {
      const res = await patch(upload.url, offset, sourceBytes.subarray(offset, offset + third));
      assert.equal(res.status, 200, await res.clone().text());
      last = (await res.json()) as Upload;
      assert.equal(last.offset, Math.min(offset + third, sourceBytes.length));
    }
    assert.equal(last.state, 'complete');
    const video = last.video!;
    assert.match(video.path, /^library\/[0-9a-f]{16}-My_clip_final\.mp4$/);
    assert.equal(video.width, 320);
    assert.equal(video.height, 240);
    assert.ok(Math.abs(video.durationSec - 2) < 0.2, `duration ${video.durationSec}`);
    assert.equal(video.sizeBytes, sourceBytes.length);
    assert.equal(await sha256File(path.join(s().config.media.root, video.path)), await sha256File(source));

    const listed = (await (await s().api('GET', '/videos')).json()) as { videos: { id: string }[] };
    assert.ok(listed.videos.some((v) => v.id === video.id));

    const thumb = await s().api('GET', video.thumbnailUrl);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
    const jpeg = Buffer.from(await thumb.arrayBuffer());
    assert.deepEqual([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');

    const range = await s().app.request(video.fileUrl, { headers: { authorization: `Bearer ${API_TOKEN}`, range: 'bytes=100-199' } });
    assert.equal(range.status, 206);
    assert.equal(range.headers.get('content-range'), `bytes 100-199/${sourceBytes.length}`);
    assert.deepEqual(Buffer.from(await range.arrayBuffer()), sourceBytes.subarray(100, 200));
  });

  it('refuses a chunk at the wrong offset, naming the offset the server holds', async () => {
    const upload = await start('offsets.mp4', sourceBytes.length);
    assert.equal((await patch(upload.url, 0, sourceBytes.subarray(0, 1000))).status, 200);
    for (const wrong of [0, 5000]) {
      const res = await patch(upload.url, wrong, sourceBytes.subarray(wrong, wrong + 1000));
      assert.equal(res.status, 409);
      const body = (await res.json()) as { offset: number; issues: { field: string }[] };
      assert.equal(body.offset, 1000);
      assert.equal(body.issues[0]!.field, 'Upload-Offset');
    }
    const head = await s().app.request(upload.url, { method: 'HEAD', headers: { authorization: `Bearer ${API_TOKEN}` } });
    assert.equal(head.headers.get('upload-offset'), '1000');
    assert.equal((await sendRest(upload, sourceBytes, 1000)).state, 'complete');
  });

  it('continues an upload whose client gave up mid-chunk from what the server kept: no byte lost or doubled', async () => {
    const upload = await start('resumed.mp4', sourceBytes.length);
    // A chunk of the whole file, cut off after its first part has reached the server.
    const cutAfter = Math.floor(sourceBytes.length / 2);
    const req = http.request(`${base}${upload.url}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'upload-offset': '0', 'content-type': CHUNK_CONTENT_TYPE, 'content-length': String(sourceBytes.length) },
    });
    req.on('error', () => undefined);
    req.write(sourceBytes.subarray(0, cutAfter));
    await waitFor('the server to hold the first part', async () => (await held(upload.url)) === cutAfter, 10_000);
    req.destroy();

    // The server kept the part that arrived; the client sends only the rest. (The append of
    // the broken request may still be closing: the new one waits for it.)
    const offset = await held(upload.url);
    assert.equal(offset, cutAfter);
    const done = await sendRest(upload, sourceBytes, offset);
    assert.equal(done.state, 'complete');
    assert.equal(await sha256File(path.join(s().config.media.root, done.video!.path)), await sha256File(source));
  });

  it('refuses a file that is not a video, with the reason, and keeps none of it', async () => {
    const notes = Buffer.from('these are notes, not a video\n'.repeat(50));
    const upload = await start('notes.mp4', notes.length);
    const res = await patch(upload.url, 0, notes);
    assert.equal(res.status, 422);
    const body = (await res.json()) as { error: string; upload: Upload };
    assert.match(body.error, /^not a video: notes\.mp4 \(ffprobe/);
    assert.equal(body.upload.state, 'refused');
    const later = (await (await s().api('GET', upload.url)).json()) as Upload;
    assert.equal(later.error, body.error, 'a client that lost the answer learns the reason');
    assert.deepEqual(await uploadsLeft(), []);
    const library = await fs.readdir(path.join(s().config.media.root, LIBRARY_DIRS.library));
    assert.ok(!library.some((f) => f.includes(upload.id)), 'nothing of it is in the library');
  });

  it('refuses a playlist (HLS) naming files outside MEDIA_ROOT, in an upload and in a bulk, naming its format', async () => {
    const segment = path.join(s().dir, 'outside', 'segment.ts');
    await fs.mkdir(path.dirname(segment), { recursive: true });
    await runFfmpeg({ input: 'testsrc2=size=160x120:rate=10:duration=1', inputOptions: ['-f', 'lavfi'], output: segment, outputOptions: ['-c:v', 'libx264', '-f', 'mpegts'] });
    const playlist = Buffer.from(`#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile:${segment}\n#EXT-X-ENDLIST\n`);

    const upload = await start('list.m3u8', playlist.length);
    const res = await patch(upload.url, 0, playlist);
    assert.equal(res.status, 422);
    assert.match(((await res.json()) as { error: string }).error, /^not a video: list\.m3u8 .*"hls"/);
    assert.deepEqual(await uploadsLeft(), []);

    await fs.writeFile(path.join(s().config.media.root, 'list.m3u8'), playlist);
    const accountId = `lib-hls-${run}`;
    await s().addAccount({ id: accountId });
    const bulk = await s().api('POST', '/bulk-uploads', { taskId: `lib-hls-${run}`, videos: [{ path: 'list.m3u8' }], accountIds: [accountId], options: { dryRun: true } });
    assert.equal(bulk.status, 400, await bulk.clone().text());
    const body = (await bulk.json()) as { issues: { field: string; message: string }[] };
    assert.deepEqual(
      body.issues.map((i) => i.field),
      ['videos.0.path'],
    );
    assert.match(body.issues[0]!.message, /"hls"/);
  });

  it('refuses a file over MAX_VIDEO_BYTES before a byte is sent, naming size', async () => {
    const res = await s().api('POST', '/videos/uploads', { name: 'huge.mp4', size: s().config.media.maxVideoBytes + 1 });
    assert.equal(res.status, 413);
    const body = (await res.json()) as { error: string; issues: { field: string }[] };
    assert.equal(body.issues[0]!.field, 'size');
    assert.match(body.error, /MAX_VIDEO_BYTES/);
  });

  it('admits a library path in a bulk; a video a bulk uses cannot be deleted, one nobody uses can', async () => {
    const used = (await uploadWhole('used.mp4', sourceBytes)).video!;
    const unused = (await uploadWhole('unused.mp4', sourceBytes)).video!;
    const taskId = `lib-${run}`;
    const accountId = `lib-acc-${run}`;
    await s().addAccount({ id: accountId });
    const started = await s().api('POST', '/bulk-uploads', { taskId, videos: [{ path: used.path }], accountIds: [accountId], options: { dryRun: true } });
    assert.equal(started.status, 202, await started.clone().text());
    await waitFor('the bulk to register its videos', async () => (await s().deps.orm.em.fork().count(VideoData, { task: taskId })) === 1, 30_000);

    const refused = await s().api('DELETE', `/videos/${used.id}`);
    assert.equal(refused.status, 409);
    const body = (await refused.json()) as { error: string; bulks: string[] };
    assert.deepEqual(body.bulks, [taskId]);
    assert.match(body.error, new RegExp(taskId));
    const listed = (await (await s().api('GET', '/videos')).json()) as { videos: Upload['video'][] };
    assert.deepEqual(
      listed.videos.find((v) => v!.id === used.id)!.usedBy.map((u) => u.taskId),
      [taskId],
    );

    assert.equal((await s().api('DELETE', `/videos/${unused.id}`)).status, 204);
    await assert.rejects(fs.stat(path.join(s().config.media.root, unused.path)), { code: 'ENOENT' });
    assert.equal((await s().api('GET', unused.thumbnailUrl)).status, 404);
    assert.ok(!((await (await s().api('GET', '/videos')).json()) as { videos: { id: string }[] }).videos.some((v) => v.id === unused.id));

    const result = (await s().env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result()) as { status: string };
    assert.equal(result.status, 'completed');
  });

  it('keeps a video that a bulk names by another spelling of its path', async () => {
    const video = (await uploadWhole('spelled.mp4', sourceBytes)).video!;
    const taskId = `lib-spelled-${run}`;
    const accountId = `lib-spelled-acc-${run}`;
    await s().addAccount({ id: accountId });
    const spelling = `./${LIBRARY_DIRS.library}//${path.basename(video.path)}`;
    const started = await s().api('POST', '/bulk-uploads', { taskId, videos: [{ path: spelling }], accountIds: [accountId], options: { dryRun: true } });
    assert.equal(started.status, 202, await started.clone().text());
    await waitFor('the bulk to register its videos', async () => (await s().deps.orm.em.fork().count(VideoData, { task: taskId })) === 1, 30_000);

    const refused = await s().api('DELETE', `/videos/${video.id}`);
    assert.equal(refused.status, 409);
    assert.deepEqual(((await refused.json()) as { bulks: string[] }).bulks, [taskId]);
    const result = (await s().env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result()) as { status: string };
    assert.equal(result.status, 'completed');
  });

  it('keeps a video that a started bulk names before any worker has registered the bulk', async () => {
    const video = (await uploadWhole('waiting.mp4', sourceBytes)).video!;
    const taskId = `lib-waiting-${run}`;
    const input = parseBulkUploadInput({ taskId, videos: [{ path: video.path }], accountIds: [`lib-waiting-acc-${run}`], options: { dryRun: true } });
    // Started as the API starts a bulk, but no worker takes it for an hour: no rows name it.
    const handle = await s().env.client.workflow.start(BulkUpload, {
      taskQueue: s().config.temporal.taskQueue,
      workflowId: bulkUploadWorkflowId(taskId),
      args: [input],
      startDelay: '1 hour',
      typedSearchAttributes: [
        { key: BulkTaskIdAttribute, value: taskId },
        { key: PlatformAttribute, value: input.platform },
      ],
    });
    try {
      // The library asks Temporal's list of running bulks, which is written just after the start.
      const listed = `WorkflowId = '${handle.workflowId}' AND ExecutionStatus = 'Running'`;
      await waitFor('Temporal to list the started bulk', async () => (await s().env.client.workflow.count(listed)).count === 1, 10_000);
      assert.equal(await s().deps.orm.em.fork().count(BulkUploadTask, { id: taskId }), 0);
      const refused = await s().api('DELETE', `/videos/${video.id}`);
      assert.equal(refused.status, 409, await refused.clone().text());
      assert.deepEqual(((await refused.json()) as { bulks: string[] }).bulks, [taskId]);
    } finally {
      await handle.terminate('test done');
    }
    await waitFor('the video to be deletable once the bulk is gone', async () => (await s().api('DELETE', `/videos/${video.id}`)).status === 204, 10_000);
  });
});
