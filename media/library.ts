/**
 * The video library: originals uploaded through the console in resumable sessions (a small
 * subset of tus 1.0 core: create with a declared size, ask the offset, append at it), probed
 * on arrival, stored under `MEDIA_ROOT/library/`, with a JPEG thumbnail and the bulks that
 * used each one.
 *
 * On disk, under MEDIA_ROOT:
 * - `.uploads/<id>.json` the session (name, size, state), `.uploads/<id>.part` its bytes so
 *   far: the offset is the part's size, made durable (fsync) before it is reported, so a
 *   restarted API continues every session where it stood;
 * - `library/<id>-<safe name>` the original, the path bulks name;
 * - `.thumbnails/<id>.jpg` its thumbnail.
 *
 * Finalizing a complete part takes steps that a crash can cut between: move the part into
 * `library/` (one rename), insert the row, mark the session complete, draw the thumbnail.
 * Each step checks whether it was done already, and reading the session finishes one that
 * stopped after the move, so any step may be where a retry starts.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Config } from '../config';
import { BulkUploadTask, LibraryVideo, VideoData } from '../database/entities';
import type { Orm } from '../database/orm';
import { MediaError } from './errors';
import { probe, runFfmpeg, type VideoInfo } from './ffmpeg';

/** Folders under MEDIA_ROOT the library keeps. */
export const LIBRARY_DIRS = { uploads: '.uploads', library: 'library', thumbnails: '.thumbnails' } as const;
/** Largest body one append may carry; a client sends smaller chunks (the page sends 8 MiB). */
export const MAX_CHUNK_BYTES = 32 * 1024 * 1024;
/** A session nobody appended to for this long is removed (with its bytes) when the next one starts. */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;
/** A thumbnail that failed is not tried again for this long: a broken video would run ffmpeg on every request. */
export const THUMBNAIL_RETRY_MS = 10 * 60 * 1000;
const THUMBNAIL_WIDTH = 320;
/** Bulk rows looked up per `LIKE` query, well under SQLite's parameter limit. */
const LIKE_CHUNK = 200;
/** Paths per `IN (...)` query, well under SQLite's parameter limit. */
const ID_CHUNK = 500;

export const LIBRARY_ERROR_KINDS = ['invalid', 'too_large', 'not_found', 'offset_mismatch', 'in_use', 'refused'] as const;
export type LibraryErrorKind = (typeof LIBRARY_ERROR_KINDS)[number];

/** A request the library refuses: the field it is about, and what the client must know to go on. */
export class LibraryError extends Error {
  constructor(
    readonly kind: LibraryErrorKind,
    readonly field: string,
    message: string,
    readonly details: { offset?: number; bulks?: string[] } = {},
  ) {
    super(message);
    this.name = 'LibraryError';
  }
}

/** Where an upload session stands. */
export type UploadStateName = 'uploading' | 'complete' | 'refused';

/** An upload session as a client sees it. */
export interface UploadSession {
  id: string;
  name: string;
  size: number;
  /** Bytes the server holds durably: the next append starts here. */
  offset: number;
  state: UploadStateName;
  /** Why the file was refused (state `refused`). */
  error?: string;
  /** The library entry it became (state `complete`). */
  video?: LibraryEntry;
}

/** A bulk that names a library video. */
export interface BulkUse {
  taskId: string;
  status: string;
}

/** A library video as the API lists it. */
export interface LibraryEntry {
  id: string;
  /** Relative to MEDIA_ROOT: what a bulk's `videos[].path` takes. */
  path: string;
  originalName: string;
  sizeBytes: number;
  durationSec: number;
  width: number;
  height: number;
  createdAt: string;
  /** Bulks whose videos name this file, newest first: while there are any it cannot be deleted. */
  usedBy: BulkUse[];
}

interface SessionRecord {
  id: string;
  name: string;
  size: number;
  createdAt: string;
  state: UploadStateName;
  error?: string;
  videoId?: string;
}

export interface LibraryDeps {
  orm: Orm;
  media: Pick<Config['media'], 'root' | 'maxVideoBytes'>;
  /** Draws a thumbnail; {@link makeThumbnail} unless a test counts the builds. */
  makeThumbnail?: typeof makeThumbnail;
  /**
   * Bulks started but not registered yet (no rows: no worker has run them), with the paths
   * their input names; a video one of them names is not deleted either.
   */
  unregisteredBulks?: () => Promise<{ taskId: string; paths: string[] }[]>;
}

/** An id for a session, and for the video it becomes. */
const newId = () => randomBytes(8).toString('hex');
const ID_PATTERN = /^[0-9a-f]{16}$/;

/** A file name safe on every file system and in a URL: letters, digits, `.`, `_`, `-`, the extension kept. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [base.slice(0, dot), base.slice(dot + 1)] : [base, ''];
  const clean = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/_+/g, '_')
      .replace(/^[._-]+|[._-]+$/g, '');
  const ext = clean(extension).replace(/\./g, '').slice(0, 10);
  const safeStem = (clean(stem) || 'video').slice(-(100 - ext.length - 1));
  return ext ? `${safeStem}.${ext}` : safeStem;
}

/** A JPEG of the frame a tenth into the video, `width` wide, at `output`. */
export async function makeThumbnail(input: string, output: string, durationSec: number, width = THUMBNAIL_WIDTH): Promise<void> {
  await fs.mkdir(path.dirname(output), { recursive: true });
  // Unique per build: two builds of one output never write, rename or delete each other's file.
  const partial = `${output}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await runFfmpeg({
      input,
      // Seeking before the input is fast (keyframe); a tenth in skips fades from black.
      inputOptions: ['-ss', (durationSec * 0.1).toFixed(3)],
      output: partial,
      outputOptions: ['-y', '-frames:v', '1', '-vf', `scale=${width}:-2`, '-q:v', '4', '-f', 'image2', '-c:v', 'mjpeg'],
    });
    await fs.rename(partial, output);
  } finally {
    await fs.rm(partial, { force: true });
  }
}

/** The library over its folders and rows. */
export function createLibrary(deps: LibraryDeps) {
  const root = path.resolve(deps.media.root);
  const dir = (name: keyof typeof LIBRARY_DIRS) => path.join(root, LIBRARY_DIRS[name]);
  const sessionFile = (id: string) => path.join(dir('uploads'), `${id}.json`);
  const partFile = (id: string) => path.join(dir('uploads'), `${id}.part`);
  const thumbnailPath = (id: string) => path.join(dir('thumbnails'), `${id}.jpg`);
  const libraryPath = (record: SessionRecord) => `${LIBRARY_DIRS.library}/${record.id}-${safeFileName(record.name)}`;
  const drawThumbnail = deps.makeThumbnail ?? makeThumbnail;

  /** Appends in flight, by session: a newer append stops the older one and waits for it. */
  const inFlight = new Map<string, { stop: AbortController; done: Promise<void> }>();
  /** Thumbnails being drawn, by video: a second request waits for the same build. */
  const thumbnailBuilds = new Map<string, Promise<boolean>>();
  /** Videos whose thumbnail failed, with when to try again. */
  const thumbnailFailedUntil = new Map<string, number>();

  async function readSession(id: string): Promise<SessionRecord> {
    if (!ID_PATTERN.test(id)) throw new LibraryError('not_found', 'id', `no upload ${id}`);
    try {
      return JSON.parse(await fs.readFile(sessionFile(id), 'utf8')) as SessionRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new LibraryError('not_found', 'id', `no upload ${id} (finished sessions expire after a day)`);
      throw err;
    }
  }

  async function writeSession(record: SessionRecord): Promise<void> {
    const file = sessionFile(record.id);
    // A temp name of its own: two requests finishing one session may write it at once.
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(record));
    await fs.rename(tmp, file);
  }

  async function heldBytes(id: string): Promise<number> {
    return (await fs.stat(partFile(id)).catch(() => null))?.size ?? 0;
  }

  async function view(record: SessionRecord): Promise<UploadSession> {
    const session: UploadSession = {
      id: record.id,
      name: record.name,
      size: record.size,
      offset: record.state === 'uploading' ? await heldBytes(record.id) : record.size,
      state: record.state,
    };
    if (record.error !== undefined) session.error = record.error;
    if (record.videoId !== undefined) {
      const video = await get(record.videoId);
      if (video) session.video = video;
    }
    return session;
  }

  /**
   * Removes sessions nobody touched for a day, so abandoned uploads do not fill the disk. A
   * session is as old as the newest of its files: the `.json` is written at the start and
   * the end, the `.part` grows with every chunk, so a long upload still sending is kept.
   */
  async function sweepExpired(now = Date.now()): Promise<void> {
    const names = await fs.readdir(dir('uploads')).catch(() => [] as string[]);
    const filesOf = new Map<string, string[]>();
    for (const name of names) {
      const m = /^([0-9a-f]{16})\.(json|part)$/.exec(name);
      if (m) filesOf.set(m[1]!, [...(filesOf.get(m[1]!) ?? []), path.join(dir('uploads'), name)]);
    }
    for (const [id, files] of filesOf) {
      if (inFlight.has(id)) continue;
      const stats = await Promise.all(files.map((f) => fs.stat(f).catch(() => null)));
      const touched = Math.max(...stats.map((st) => st?.mtimeMs ?? 0));
      // Re-checked after the awaits: an append may have started meanwhile.
      if (now - touched <= UPLOAD_EXPIRY_MS || inFlight.has(id)) continue;
      // A finalize cut off after the move, never asked about again, would leave its file in the library without a row.
      const record = await readSession(id).catch(() => null);
      if (record) await resumed(record).catch((err: unknown) => console.warn(`library: upload ${id} could not be finished:`, err));
      await Promise.all(files.map((f) => fs.rm(f, { force: true })));
    }
  }

  /**
   * The file a path names, as one string however it was spelled: resolved under MEDIA_ROOT
   * (`library//x.mp4`, `./library/../library/x.mp4`, absolute) and through symlinks (a
   * linked MEDIA_ROOT) where the file or its folder exists.
   */
  async function canonicalPath(spelling: string): Promise<string> {
    const absolute = path.resolve(root, spelling);
    const real = await fs.realpath(absolute).catch(() => null);
    if (real) return real;
    const folder = await fs.realpath(path.dirname(absolute)).catch(() => path.dirname(absolute));
    return path.join(folder, path.basename(absolute));
  }

  /**
   * Bulks naming each path (newest first), by library path. A bulk keeps the path as its
   * client spelled it, so rows are found by the file's name (every spelling ends with it;
   * `LIKE`'s `_` only widens the match) and then compared resolved. A symlink of another name
   * pointing at a library file is not seen.
   */
  async function usesOf(paths: string[]): Promise<Map<string, BulkUse[]>> {
    const taskIds = new Map<string, Set<string>>(paths.map((p) => [p, new Set()]));
    const byCanonical = new Map<string, string>();
    for (const p of paths) byCanonical.set(await canonicalPath(p), p);
    const em = deps.orm.em.fork();
    const canonicalOf = new Map<string, string>();
    for (let i = 0; i < paths.length; i += LIKE_CHUNK) {
      const names = paths.slice(i, i + LIKE_CHUNK).map((p) => `%${path.basename(p)}`);
      const rows = await em.find(VideoData, { $or: names.map((name) => ({ originalPath: { $like: name } })) }, { fields: ['originalPath', 'task'] });
      for (const row of rows) {
        if (!canonicalOf.has(row.originalPath)) canonicalOf.set(row.originalPath, await canonicalPath(row.originalPath));
        const named = byCanonical.get(canonicalOf.get(row.originalPath)!);
        if (named !== undefined) taskIds.get(named)!.add(row.task.id);
      }
    }
    const ids = [...new Set([...taskIds.values()].flatMap((s) => [...s]))];
    const tasks = new Map<string, Pick<BulkUploadTask, 'id' | 'status' | 'createdAt'>>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      for (const t of await em.find(BulkUploadTask, { id: { $in: ids.slice(i, i + ID_CHUNK) } }, { fields: ['id', 'status', 'createdAt'] })) tasks.set(t.id, t);
    }
    const newestFirst = (a: BulkUse & { at: number }, b: BulkUse & { at: number }) => b.at - a.at || a.taskId.localeCompare(b.taskId);
    return new Map(
      [...taskIds].map(([p, set]) => [
        p,
        [...set]
          .map((taskId) => ({ taskId, status: tasks.get(taskId)?.status ?? 'pending', at: tasks.get(taskId)?.createdAt.getTime() ?? 0 }))
          .sort(newestFirst)
          .map(({ taskId, status }) => ({ taskId, status })),
      ]),
    );
  }

  function entry(video: LibraryVideo, usedBy: BulkUse[]): LibraryEntry {
    return {
      id: video.id,
      path: video.path,
      originalName: video.originalName,
      sizeBytes: video.sizeBytes,
      durationSec: video.durationSec,
      width: video.width,
      height: video.height,
      createdAt: video.createdAt.toISOString(),
      usedBy,
    };
  }

  /** One library video with its uses, or null. */
  async function get(id: string): Promise<LibraryEntry | null> {
    const video = await deps.orm.em.fork().findOne(LibraryVideo, id);
    if (!video) return null;
    return entry(video, (await usesOf([video.path])).get(video.path) ?? []);
  }

  /**
   * Probes the complete part; a video moves into the library, anything else is deleted with
   * the reason kept. The reason is written before the bytes go, so a crash between the two
   * leaves a refused session (its part swept later), never an `uploading` one at offset 0.
   */
  async function finalize(record: SessionRecord): Promise<SessionRecord> {
    const part = partFile(record.id);
    let info: VideoInfo;
    try {
      info = await probe(part, { displayPath: record.name });
    } catch (err) {
      if (!(err instanceof MediaError) || err.retryable) throw err;
      const refused: SessionRecord = { ...record, state: 'refused', error: err.message };
      await writeSession(refused);
      await fs.rm(part, { force: true });
      return refused;
    }
    await fs.mkdir(dir('library'), { recursive: true });
    await fs.rename(part, path.join(root, libraryPath(record)));
    return admitMoved(record, info);
  }

  /**
   * Finishes a session whose file is in the library: its row (unless an earlier attempt
   * inserted it; `probed` is the file's probe when the caller has it), the session marked
   * complete, then the thumbnail, which a later request draws again when a crash left it out.
   */
  async function admitMoved(record: SessionRecord, probed?: VideoInfo): Promise<SessionRecord> {
    const relative = libraryPath(record);
    const target = path.join(root, relative);
    const em = deps.orm.em.fork();
    let video = await em.findOne(LibraryVideo, record.id);
    if (!video) {
      const info = probed ?? (await probe(target, { displayPath: record.name }));
      video = em.create(LibraryVideo, {
        id: record.id,
        path: relative,
        originalName: record.name,
        sizeBytes: info.sizeBytes,
        durationSec: info.durationSec,
        width: info.width,
        height: info.height,
      });
      try {
        await em.flush();
      } catch (err) {
        // Another request finishing the same session inserted it first: the row is there.
        if (!(err instanceof UniqueConstraintViolationException) || !(await deps.orm.em.fork().findOne(LibraryVideo, record.id))) throw err;
      }
    }
    const complete: SessionRecord = { ...record, state: 'complete', videoId: record.id };
    await writeSession(complete);
    await thumbnail(video);
    return complete;
  }

  /**
   * A session left `uploading` by a finalize that stopped after moving the part (no part
   * left, the file of the declared size in the library) is finished here; any other is as
   * it was.
   */
  async function resumed(record: SessionRecord): Promise<SessionRecord> {
    if (record.state !== 'uploading' || (await fs.stat(partFile(record.id)).catch(() => null))) return record;
    const moved = await fs.stat(path.join(root, libraryPath(record))).catch(() => null);
    if (moved?.size !== record.size) return record;
    return admitMoved(record);
  }

  /**
   * The thumbnail of `video`, drawn when missing: one build at a time per video (a request
   * arriving during a build waits for it), and a video that failed is not tried again for
   * THUMBNAIL_RETRY_MS. False when there is no frame to show.
   */
  async function thumbnail(video: Pick<LibraryVideo, 'id' | 'path' | 'durationSec'>): Promise<boolean> {
    const file = thumbnailPath(video.id);
    if (await fs.stat(file).catch(() => null)) return true;
    if ((thumbnailFailedUntil.get(video.id) ?? 0) > Date.now()) return false;
    const running = thumbnailBuilds.get(video.id);
    if (running) return running;
    const build = drawThumbnail(path.join(root, video.path), file, video.durationSec).then(
      () => {
        thumbnailFailedUntil.delete(video.id);
        return true;
      },
      (err: unknown) => {
        if (!(err instanceof MediaError)) throw err;
        // A frame that will not decode leaves the library without a picture, not without the video.
        console.warn(`library: no thumbnail for ${video.path}:`, err.message);
        thumbnailFailedUntil.set(video.id, Date.now() + THUMBNAIL_RETRY_MS);
        return false;
      },
    );
    thumbnailBuilds.set(video.id, build);
    try {
      return await build;
    } finally {
      thumbnailBuilds.delete(video.id);
    }
  }

  /** Writes `body` at the part's end, stopping at `limit` bytes or when `stop` fires; durable on return. */
  async function appendBody(id: string, body: ReadableStream<Uint8Array> | null, limit: number, stop: AbortSignal): Promise<{ written: number; overflow: boolean }> {
    const handle = await fs.open(partFile(id), 'a');
    let written = 0;
    let overflow = false;
    const reader = body?.getReader();
    const onStop = () => void reader?.cancel().catch(() => undefined);
    stop.addEventListener('abort', onStop, { once: true });
    if (stop.aborted) onStop();
    try {
      while (reader && !stop.aborted) {
        // A client that goes away mid-chunk ends the stream with an error: what arrived is kept.
        const next = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (next.done) break;
        const room = limit - written;
        const piece = next.value.byteLength > room ? next.value.subarray(0, room) : next.value;
        if (piece.byteLength) await handle.write(piece);
        written += piece.byteLength;
        if (piece.byteLength < next.value.byteLength) {
          overflow = true;
          await reader.cancel().catch(() => undefined);
          break;
        }
      }
      await handle.datasync();
    } finally {
      stop.removeEventListener('abort', onStop);
      await handle.close();
    }
    return { written, overflow };
  }

  return {
    /**
     * Starts a session for a file of `size` bytes. Refuses a size over MAX_VIDEO_BYTES
     * (`too_large`) before a byte is sent.
     */
    async createUpload(input: { name: string; size: number }): Promise<UploadSession> {
      if (input.size > deps.media.maxVideoBytes) {
        throw new LibraryError('too_large', 'size', `${input.size} bytes is over the limit of ${deps.media.maxVideoBytes} bytes (MAX_VIDEO_BYTES)`);
      }
      await fs.mkdir(dir('uploads'), { recursive: true });
      await sweepExpired();
      const record: SessionRecord = { id: newId(), name: input.name, size: input.size, createdAt: new Date().toISOString(), state: 'uploading' };
      await fs.writeFile(partFile(record.id), '');
      await writeSession(record);
      return view(record);
    },

    /** Where a session stands; `not_found` for an unknown or expired one. */
    async upload(id: string): Promise<UploadSession> {
      const record = await readSession(id);
      // An append in flight finalizes on its own; finishing it here too would race it.
      return view(inFlight.has(id) ? record : await resumed(record));
    },

    /**
     * Appends a chunk that starts at `offset`, streaming it to disk. An append still running
     * for the same session (its client gave up on it) is stopped first, and what it wrote
     * counts. Refuses an offset other than the one held (`offset_mismatch`, with the held
     * offset), and bytes past the declared size (`invalid`: none of this chunk is kept).
     * The append that completes the file finalizes it: the session is `complete` with its
     * library entry, or `refused` with the reason and no bytes left behind.
     */
    async append(id: string, offset: number, body: ReadableStream<Uint8Array> | null, declaredLength?: number): Promise<UploadSession> {
      // Appends to one session run one at a time, the newest taking over: each stops and
      // waits for the one before it (a stopped one that never started writes nothing).
      const earlier = inFlight.get(id);
      const stop = new AbortController();
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      const mine = { stop, done };
      inFlight.set(id, mine);
      try {
        if (earlier) {
          earlier.stop.abort();
          await earlier.done;
        }
        let record = await resumed(await readSession(id));
        if (record.state !== 'uploading') throw new LibraryError('offset_mismatch', 'Upload-Offset', `upload ${id} is already ${record.state}`, { offset: record.size });
        const held = await heldBytes(id);
        if (offset !== held)
          throw new LibraryError('offset_mismatch', 'Upload-Offset', `the server holds ${held} bytes of this upload: send from offset ${held}`, { offset: held });
        const room = record.size - held;
        if (declaredLength !== undefined && declaredLength > Math.min(room, MAX_CHUNK_BYTES)) {
          const why = declaredLength > MAX_CHUNK_BYTES ? `a chunk may carry at most ${MAX_CHUNK_BYTES} bytes` : `only ${room} bytes remain of the declared size ${record.size}`;
          throw new LibraryError('invalid', '(body)', `${declaredLength} bytes: ${why}`, { offset: held });
        }
        const { overflow } = await appendBody(id, body, Math.min(room, MAX_CHUNK_BYTES), stop.signal);
        if (overflow) {
          await fs.truncate(partFile(id), held);
          throw new LibraryError(
            'invalid',
            '(body)',
            `the chunk is longer than the ${Math.min(room, MAX_CHUNK_BYTES)} bytes allowed here (at most ${MAX_CHUNK_BYTES} a chunk, up to the declared size ${record.size})`,
            { offset: held },
          );
        }
        if ((await heldBytes(id)) === record.size) record = await finalize(record);
        return await view(record);
      } finally {
        if (inFlight.get(id) === mine) inFlight.delete(id);
        release();
      }
    },

    /** Ends a session and deletes its bytes (tus termination); a finished one is just forgotten. */
    async cancelUpload(id: string): Promise<void> {
      await readSession(id);
      const earlier = inFlight.get(id);
      if (earlier) {
        earlier.stop.abort();
        await earlier.done;
      }
      await fs.rm(partFile(id), { force: true });
      await fs.rm(sessionFile(id), { force: true });
    },

    /** Every library video, newest first, with the bulks that used it. */
    async list(): Promise<LibraryEntry[]> {
      const videos = await deps.orm.em.fork().find(LibraryVideo, {}, { orderBy: { createdAt: 'desc', id: 'desc' } });
      const uses = await usesOf(videos.map((v) => v.path));
      return videos.map((v) => entry(v, uses.get(v.path) ?? []));
    },

    get,

    /** The original's absolute path, or null for an unknown id. */
    async originalFile(id: string): Promise<string | null> {
      const video = await deps.orm.em.fork().findOne(LibraryVideo, id, { fields: ['path'] });
      return video ? path.join(root, video.path) : null;
    },

    /** The thumbnail's absolute path (made again when missing), or null when there is none to make. */
    async thumbnailFile(id: string): Promise<string | null> {
      const video = await deps.orm.em.fork().findOne(LibraryVideo, id);
      if (!video) return null;
      return (await thumbnail(video)) ? thumbnailPath(id) : null;
    },

    /**
     * Deletes a video nobody uses: its row, file and thumbnail. `in_use` names the bulks that
     * use it: registered ones, and started ones no worker has registered yet.
     */
    async remove(id: string): Promise<void> {
      const em = deps.orm.em.fork();
      const video = await em.findOne(LibraryVideo, id);
      if (!video) throw new LibraryError('not_found', 'id', `no library video ${id}`);
      const bulks = new Set(((await usesOf([video.path])).get(video.path) ?? []).map((u) => u.taskId));
      const file = await canonicalPath(video.path);
      for (const bulk of (await deps.unregisteredBulks?.()) ?? []) {
        for (const named of bulk.paths) if ((await canonicalPath(named)) === file) bulks.add(bulk.taskId);
      }
      if (bulks.size) {
        throw new LibraryError('in_use', 'id', `${video.originalName} is used by bulk(s) ${[...bulks].join(', ')}; a video a bulk names stays while the bulk is kept`, {
          bulks: [...bulks],
        });
      }
      await em.nativeDelete(LibraryVideo, { id });
      await fs.rm(path.join(root, video.path), { force: true });
      await fs.rm(thumbnailPath(id), { force: true });
      thumbnailFailedUntil.delete(id);
    },
  };
}

/** The library's operations. */
export type Library = ReturnType<typeof createLibrary>;
