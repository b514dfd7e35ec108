import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BulkUploadTask, LibraryVideo, VideoData } from '../database/entities';
import { openDatabase, type Orm } from '../database/orm';
import { runFfmpeg } from './ffmpeg';
import { LIBRARY_DIRS, LibraryError, UPLOAD_EXPIRY_MS, createLibrary, makeThumbnail, safeFileName, type Library, type UploadSession } from './library';
import { makeSampleVideo } from './sample-video';

describe('safeFileName', () => {
  it('keeps a plain name, its extension, and nothing of a path', () => {
    assert.equal(safeFileName('clip-01.final.mp4'), 'clip-01.final.mp4');
    assert.equal(safeFileName('../../etc/passwd'), 'passwd');
    assert.equal(safeFileName('C:\\Users\\ann\\My clip (1).mov'), 'My_clip_1.mov');
  });

  it('drops letters outside ASCII (accents kept as their base letter), and names what is left empty "video"', () => {
    assert.equal(safeFileName('Отпуск 2026.mp4'), '2026.mp4');
    assert.equal(safeFileName('видео.mp4'), 'video.mp4');
    assert.equal(safeFileName('café.mp4'), 'cafe.mp4');
    assert.equal(safeFileName('...'), 'video');
    assert.equal(safeFileName('.hidden.mp4'), 'hidden.mp4');
  });

  it('keeps the end of a long name, so the extension survives', () => {
    const name = safeFileName(`${'a'.repeat(300)}.mp4`);
    assert.equal(name.length, 100);
    assert.ok(name.endsWith('.mp4'));
  });
});

describe('library', () => {
  let dir: string;
  let root: string;
  let orm: Orm;
  let library: Library;
  let clip: Buffer;
  /** Every thumbnail build the library asked for, by output path. */
  const builds: string[] = [];
  const run = randomBytes(3).toString('hex');

  const body = (bytes: Uint8Array) => new Response(new Uint8Array(bytes)).body;
  const sessionFile = (id: string) => path.join(root, LIBRARY_DIRS.uploads, `${id}.json`);
  const partFile = (id: string) => path.join(root, LIBRARY_DIRS.uploads, `${id}.part`);
  const thumbnail = (id: string) => path.join(root, LIBRARY_DIRS.thumbnails, `${id}.jpg`);
  const uploadWhole = async (name: string, bytes: Buffer): Promise<UploadSession> => {
    const session = await library.createUpload({ name, size: bytes.length });
    return library.append(session.id, 0, body(bytes));
  };
  const addBulk = async (taskId: string, originalPath: string) => {
    const em = orm.em.fork();
    const task = em.create(BulkUploadTask, {
      id: taskId,
      platform: 'demo',
      workflowId: `w-${taskId}`,
      options: { uniquifyPreset: 'fast', concurrency: 1, dryRun: true },
      status: 'running',
      accountCount: 1,
    });
    em.create(VideoData, { task, accountId: 'acc', videoId: 'v1', originalPath });
    await em.flush();
  };

  before(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-library-')));
    // MEDIA_ROOT is a symlink to the real folder, as on a machine whose media disk is linked in.
    await fs.mkdir(path.join(dir, 'media-real'));
    root = path.join(dir, 'media');
    await fs.symlink(path.join(dir, 'media-real'), root);
    orm = await openDatabase({ driver: 'sqlite', dbName: path.join(dir, 'db.sqlite'), secretsKeyFile: path.join(dir, 'secrets.key') });
    library = createLibrary({
      orm,
      media: { root, maxVideoBytes: 50 * 1024 * 1024 },
      makeThumbnail: async (input, output, durationSec) => {
        builds.push(output);
        await makeThumbnail(input, output, durationSec);
      },
    });
    const source = path.join(dir, 'clip.mp4');
    await makeSampleVideo({ outputPath: source, width: 320, height: 240, durationSec: 1, fps: 10, withAudio: false, pattern: `library-unit-${run}` });
    clip = await fs.readFile(source);
  });
  after(async () => {
    await orm.close(true);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps an upload that still receives chunks a day after it started, and removes one nobody touched for a day', async () => {
    const live = await library.createUpload({ name: 'big.mp4', size: 10_000 });
    const abandoned = await library.createUpload({ name: 'old.mp4', size: 10_000 });
    await library.append(abandoned.id, 0, body(Buffer.alloc(100)));
    const dayAndAnHourAgo = new Date(Date.now() - UPLOAD_EXPIRY_MS - 60 * 60 * 1000);
    // The session file dates from the start; the part grows with every chunk.
    await fs.utimes(sessionFile(live.id), dayAndAnHourAgo, dayAndAnHourAgo);
    await fs.utimes(partFile(live.id), dayAndAnHourAgo, dayAndAnHourAgo);
    await library.append(live.id, 0, body(Buffer.alloc(100)));
    for (const file of [sessionFile(abandoned.id), partFile(abandoned.id)]) await fs.utimes(file, dayAndAnHourAgo, dayAndAnHourAgo);

    await library.createUpload({ name: 'next.mp4', size: 1 });

    assert.equal((await library.upload(live.id)).offset, 100);
    assert.equal((await library.append(live.id, 100, body(Buffer.alloc(100)))).offset, 200);
    await assert.rejects(library.upload(abandoned.id), (err: unknown) => err instanceof LibraryError && err.kind === 'not_found');
    await assert.rejects(fs.stat(partFile(abandoned.id)), { code: 'ENOENT' });
  });

  it('counts a bulk as using a video whatever spelling of its path the bulk sent', async () => {
    const video = (await uploadWhole('spelled.mp4', clip)).video!;
    const name = path.basename(video.path);
    const spellings = [
      `library//${name}`,
      `./library/../library/${name}`,
      path.join(root, video.path),
      path.join(dir, 'media-real', video.path),
      `${root}/./${LIBRARY_DIRS.library}/${name}`,
    ];
    const taskIds = spellings.map((_, i) => `spelling-${i}-${run}`);
    for (const [i, spelling] of spellings.entries()) await addBulk(taskIds[i]!, spelling);

    await assert.rejects(
      library.remove(video.id),
      (err: unknown) => err instanceof LibraryError && err.kind === 'in_use' && [...(err.details.bulks ?? [])].sort().join() === [...taskIds].sort().join(),
    );
    assert.deepEqual((await library.get(video.id))!.usedBy.map((u) => u.taskId).sort(), [...taskIds].sort());
    assert.deepEqual(
      (await library.list())
        .find((v) => v.id === video.id)!
        .usedBy.map((u) => u.taskId)
        .sort(),
      [...taskIds].sort(),
    );
    assert.ok(await fs.stat(path.join(root, video.path)), 'the file stays');
  });

  it('keeps a video that a started bulk names before a worker has registered the bulk', async () => {
    const video = (await uploadWhole('waiting.mp4', clip)).video!;
    const taskId = `unregistered-${run}`;
    const waiting = createLibrary({
      orm,
      media: { root, maxVideoBytes: 50 * 1024 * 1024 },
      unregisteredBulks: () => Promise.resolve([{ taskId, paths: ['other.mp4', `./${LIBRARY_DIRS.library}//${path.basename(video.path)}`] }]),
    });
    await assert.rejects(waiting.remove(video.id), (err: unknown) => err instanceof LibraryError && err.kind === 'in_use' && err.details.bulks?.join() === taskId);
    assert.ok(await library.get(video.id), 'the video stays');
  });

  it('finishes an upload whose finalize stopped after the file moved into the library, before its row', async () => {
    const session = await library.createUpload({ name: 'cut-after-move.mp4', size: clip.length });
    const beforeFinalize = await fs.readFile(sessionFile(session.id));
    const done = await library.append(session.id, 0, body(clip));
    assert.equal(done.state, 'complete');
    // What a crash right after the rename leaves: the file in the library, no row, no
    // thumbnail, the session still `uploading` and no part.
    await fs.writeFile(sessionFile(session.id), beforeFinalize);
    await orm.em.fork().nativeDelete(LibraryVideo, { id: session.id });
    await fs.rm(thumbnail(session.id));

    const resumed = await library.upload(session.id);
    assert.equal(resumed.state, 'complete');
    assert.equal(resumed.offset, clip.length);
    assert.equal(resumed.video?.path, done.video!.path);
    assert.equal(resumed.video?.durationSec, done.video!.durationSec);
    assert.ok((await library.list()).some((v) => v.id === session.id));
    assert.equal(await library.thumbnailFile(session.id), thumbnail(session.id));
  });

  it('answers a chunk retried after finalize wrote the row but not the session with where the upload stands, not a clash', async () => {
    const session = await library.createUpload({ name: 'cut-after-row.mp4', size: clip.length });
    const beforeFinalize = await fs.readFile(sessionFile(session.id));
    const done = await library.append(session.id, 0, body(clip));
    assert.equal(done.state, 'complete');
    await fs.writeFile(sessionFile(session.id), beforeFinalize);

    // A client that lost the answer sends the whole file again from where it started.
    await assert.rejects(
      library.append(session.id, 0, body(clip)),
      (err: unknown) => err instanceof LibraryError && err.kind === 'offset_mismatch' && err.details.offset === clip.length,
    );
    const resumed = await library.upload(session.id);
    assert.equal(resumed.state, 'complete');
    assert.equal(resumed.video?.id, done.video!.id);
    assert.equal((await library.list()).filter((v) => v.id === session.id).length, 1);
  });

  it('refuses a playlist (HLS) that names files outside MEDIA_ROOT, naming its format, and keeps none of it', async () => {
    const segment = path.join(dir, 'outside', 'segment.ts');
    await fs.mkdir(path.dirname(segment));
    await runFfmpeg({ input: 'testsrc2=size=160x120:rate=10:duration=1', inputOptions: ['-f', 'lavfi'], output: segment, outputOptions: ['-c:v', 'libx264', '-f', 'mpegts'] });
    const playlist = Buffer.from(`#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile:${segment}\n#EXT-X-ENDLIST\n`);

    const session = await uploadWhole('list.m3u8', playlist);
    assert.equal(session.state, 'refused');
    assert.match(session.error ?? '', /hls/);
    await assert.rejects(fs.stat(partFile(session.id)), { code: 'ENOENT' });
    assert.ok(!(await fs.readdir(path.join(root, LIBRARY_DIRS.library))).some((f) => f.startsWith(session.id)));
  });

  it('builds a missing thumbnail once for requests that arrive together', async () => {
    const video = (await uploadWhole('thumbs.mp4', clip)).video!;
    await fs.rm(thumbnail(video.id));
    builds.length = 0;
    const files = await Promise.all([1, 2, 3].map(() => library.thumbnailFile(video.id)));
    assert.deepEqual(
      files,
      [1, 2, 3].map(() => thumbnail(video.id)),
    );
    assert.deepEqual(builds, [thumbnail(video.id)]);
    assert.deepEqual([...(await fs.readFile(thumbnail(video.id))).subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
  });

  it('does not run ffmpeg on every request for a video whose frame will not decode', async () => {
    const video = (await uploadWhole('broken.mp4', clip)).video!;
    await fs.writeFile(path.join(root, video.path), Buffer.alloc(clip.length, 7));
    await fs.rm(thumbnail(video.id));
    builds.length = 0;
    assert.equal(await library.thumbnailFile(video.id), null);
    assert.equal(await library.thumbnailFile(video.id), null);
    assert.deepEqual(builds, [thumbnail(video.id)]);
  });

  it("lets two builds of one thumbnail run at once without one removing the other's file", async () => {
    const video = (await uploadWhole('twice.mp4', clip)).video!;
    const output = path.join(dir, 'twice.jpg');
    const input = path.join(root, video.path);
    await Promise.all([makeThumbnail(input, output, video.durationSec), makeThumbnail(input, output, video.durationSec)]);
    assert.deepEqual([...(await fs.readFile(output)).subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
  });
});
