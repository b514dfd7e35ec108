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
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { BulkUploadTask, LibraryVideo, VideoData } from '../database/entities';
import type { Orm } from '../database/orm';
import { MediaError } from './errors';
import { probe, runFfmpeg } from './ffmpeg';

/** Folders under MEDIA_ROOT the library keeps. */
export const LIBRARY_DIRS = { uploads: '.uploads', library: 'library', thumbnails: '.thumbnails' } as const;
/** Largest body one append may carry; a client sends smaller chunks (the page sends 8 MiB). */
export const MAX_CHUNK_BYTES = 32 * 1024 * 1024;
/** A session nobody appended to for this long is removed (with its bytes) when the next one starts. */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;
const THUMBNAIL_WIDTH = 320;
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
  const partial = `${output}.${process.pid}.partial`;
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

  /** Appends in flight, by session: a newer append stops the older one and waits for it. */
  const inFlight = new Map<string, { stop: AbortController; done: Promise<void> }>();

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
    await fs.writeFile(`${file}.tmp`, JSON.stringify(record));
    await fs.rename(`${file}.tmp`, file);
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

  /** Removes sessions nobody touched for a day, so abandoned uploads do not fill the disk. */
  async function sweepExpired(now = Date.now()): Promise<void> {
    const names = await fs.readdir(dir('uploads')).catch(() => [] as string[]);
    for (const name of names) {
      const m = /^([0-9a-f]{16})\.(json|part)$/.exec(name);
      if (!m || inFlight.has(m[1]!)) continue;
      const stat = await fs.stat(path.join(dir('uploads'), name)).catch(() => null);
      if (stat && now - stat.mtimeMs > UPLOAD_EXPIRY_MS) await fs.rm(path.join(dir('uploads'), name), { force: true });
    }
  }

  /** The paths a bulk may have named `relative` by: as listed, `./`-prefixed, absolute. */
  function spellings(relative: string): string[] {
    return [relative, `./${relative}`, path.join(root, relative)];
  }

  /** Bulks naming each path (newest first), by library path. */
  async function usesOf(paths: string[]): Promise<Map<string, BulkUse[]>> {
    const taskIds = new Map<string, Set<string>>(paths.map((p) => [p, new Set()]));
    const bySpelling = new Map(paths.flatMap((p) => spellings(p).map((s) => [s, p] as const)));
    const em = deps.orm.em.fork();
    const all = [...bySpelling.keys()];
    for (let i = 0; i < all.length; i += ID_CHUNK) {
      const rows = await em.find(VideoData, { originalPath: { $in: all.slice(i, i + ID_CHUNK) } }, { fields: ['originalPath', 'task'] });
      for (const row of rows) taskIds.get(bySpelling.get(row.originalPath)!)!.add(row.task.id);
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

  /** Probes the complete part; a video moves into the library, anything else is deleted with the reason kept. */
  async function finalize(record: SessionRecord): Promise<SessionRecord> {
    const part = partFile(record.id);
    let info;
    try {
      info = await probe(part, { displayPath: record.name });
    } catch (err) {
      if (!(err instanceof MediaError) || err.retryable) throw err;
      await fs.rm(part, { force: true });
      const refused: SessionRecord = { ...record, state: 'refused', error: err.message };
      await writeSession(refused);
      return refused;
    }
    const relative = `${LIBRARY_DIRS.library}/${record.id}-${safeFileName(record.name)}`;
    const target = path.join(root, relative);
    await fs.mkdir(dir('library'), { recursive: true });
    await fs.rename(part, target);
    // A frame that will not decode leaves the library without a picture, not without the video.
    await makeThumbnail(target, thumbnailPath(record.id), info.durationSec).catch((err: unknown) => console.warn(`library: no thumbnail for ${relative}:`, err));
    const em = deps.orm.em.fork();
    em.create(LibraryVideo, {
      id: record.id,
      path: relative,
      originalName: record.name,
      sizeBytes: info.sizeBytes,
      durationSec: info.durationSec,
      width: info.width,
      height: info.height,
    });
    await em.flush();
    const complete: SessionRecord = { ...record, state: 'complete', videoId: record.id };
    await writeSession(complete);
    return complete;
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
      return view(await readSession(id));
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
        let record = await readSession(id);
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
      const file = thumbnailPath(id);
      if (await fs.stat(file).catch(() => null)) return file;
      try {
        await makeThumbnail(path.join(root, video.path), file, video.durationSec);
        return file;
      } catch (err) {
        if (err instanceof MediaError) return null;
        throw err;
      }
    },

    /** Deletes a video nobody uses: its row, file and thumbnail. `in_use` names the bulks that use it. */
    async remove(id: string): Promise<void> {
      const em = deps.orm.em.fork();
      const video = await em.findOne(LibraryVideo, id);
      if (!video) throw new LibraryError('not_found', 'id', `no library video ${id}`);
      const usedBy = (await usesOf([video.path])).get(video.path) ?? [];
      if (usedBy.length) {
        const bulks = usedBy.map((u) => u.taskId);
        throw new LibraryError('in_use', 'id', `${video.originalName} is used by bulk(s) ${bulks.join(', ')}; a video a bulk names stays while the bulk is kept`, { bulks });
      }
      await em.nativeDelete(LibraryVideo, { id });
      await fs.rm(path.join(root, video.path), { force: true });
      await fs.rm(thumbnailPath(id), { force: true });
    },
  };
}

/** The library's operations. */
export type Library = ReturnType<typeof createLibrary>;
