/**
 * The resumable upload protocol of the YouTube Data API
 * (developers.google.com/youtube/v3/guides/using_resumable_upload_protocol): a POST with the
 * video resource opens a session whose URI comes back in `Location`; PUTs with
 * `Content-Range: bytes a-b/total` append bytes, answered `308 Resume Incomplete` with
 * `Range: bytes=0-<last stored>` until the last byte, which is answered with the video
 * resource; `Content-Range: bytes *\/total` asks where the session stands. Bytes are streamed
 * to a file as they arrive, so a cut connection keeps what reached the server.
 */
import { randomBytes } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { BodyFaults, hashFile, inTurn, readHead } from '../shared/uploads';
import type { Faults } from './faults';
import { badRequest, GoogleApiError, quotaExceeded } from './google-errors';
import { integerHeader, readSmallBody, sendJson } from './http';
import type { Channel, Grant } from './oauth';
import type { QuotaLedger } from './quota';
import { parseParts, parseVideoMetadata, VIDEO_PARTS, videoResource, type VideoCatalog, type VideoMetadata } from './videos';

/** Every chunk but the last must be a multiple of this (256 KiB), as the guide requires. */
export const CHUNK_GRANULARITY = 256 * 1024;
/** The path of videos.insert on the upload host. */
export const UPLOAD_PATH = '/upload/youtube/v3/videos';
// Google keeps a resumable session for a week.
const SESSION_TTL_MS = 7 * 24 * 3600_000;
// Enough for the longest container signature we check (AVI: RIFF....AVI ).
const HEAD_BYTES = 12;

export interface UploadSession {
  uploadId: string;
  channelId: string;
  parts: Set<string>;
  metadata: VideoMetadata;
  contentType: string;
  /** From X-Upload-Content-Length, or from the first Content-Range that names it. */
  total?: number;
  /** Bytes on disk, always a prefix of the file: the next PUT must start at or before this. */
  stored: number;
  /** Every body byte that arrived, resent ones included. */
  bytesReceived: number;
  filePath: string;
  expiresAt: number;
  videoId?: string;
  /** The request writing now, which a newer request for the same session makes give way. */
  writer?: http.IncomingMessage;
  /** Settles when the last queued request for this session is done, so requests run one at a time. */
  tail: Promise<void>;
}

type ContentRange = { query: true; total?: number } | { query: false; first: number; last: number; total?: number };

export interface UploadDeps {
  dataDir: string;
  catalog: VideoCatalog;
  faults: Faults;
  quota: QuotaLedger;
  insertCost: number;
  channels: readonly Channel[];
  /** The server's own origin, for the absolute session URI. */
  origin: () => string;
}

/** Parses `bytes a-b/total`, `bytes a-b/*` (length not yet known) or `bytes *\/total` (the status query). */
function parseContentRange(raw: string): ContentRange {
  const match = /^bytes\s+(?:\*|(\d+)-(\d+))\/(\*|\d+)$/.exec(raw.trim());
  if (!match) throw badRequest('badContent', 'Failed to parse Content-Range header.');
  const total = match[3] === '*' ? undefined : Number(match[3]);
  if (match[1] === undefined) return { query: true, total };
  const first = Number(match[1]);
  const last = Number(match[2]);
  if (last < first) throw badRequest('badContent', 'Failed to parse Content-Range header.');
  return { query: false, first, last, total };
}

const isVideoContentType = (type: string): boolean => type === 'application/octet-stream' || /^video\/[\w.+-]+$/.test(type);

/** The resumable sessions of the stand-in. */
export class UploadSessions {
  readonly sessions = new Map<string, UploadSession>();

  constructor(private readonly deps: UploadDeps) {}

  /** Step 1 of the guide: validates the video resource, charges videos.insert's quota and opens a session. */
  async initiate(req: http.IncomingMessage, res: http.ServerResponse, url: URL, grant: Grant): Promise<void> {
    const { quota, faults, insertCost } = this.deps;
    const uploadType = url.searchParams.get('uploadType');
    if (uploadType !== 'resumable') throw badRequest('invalidUploadType', `The stand-in implements uploadType=resumable only, not ${String(uploadType)}.`);
    const parts = parseParts(url.searchParams.get('part'), VIDEO_PARTS);
    const total = integerHeader(req, 'x-upload-content-length');
    const contentType = String(req.headers['x-upload-content-type'] ?? 'application/octet-stream').toLowerCase();
    if (!isVideoContentType(contentType)) {
      throw badRequest('badContent', `Media type '${contentType}' is not supported. Valid media types: [video/*, application/octet-stream]`);
    }
    const raw = await readSmallBody(req);
    let body: unknown = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw badRequest('parseError', 'Invalid JSON payload received.');
      }
    }

    if (faults.takeQuotaExceeded()) throw quotaExceeded();
    let metadata: VideoMetadata;
    try {
      metadata = parseVideoMetadata(body);
    } catch (err) {
      // Google charges invalid requests too, at least one unit.
      quota.chargeAtMost(1);
      throw err;
    }
    quota.charge(insertCost);

    const uploadId = randomBytes(24).toString('base64url');
    const session: UploadSession = {
      uploadId,
      channelId: grant.channelId,
      parts,
      metadata,
      contentType,
      total,
      stored: 0,
      bytesReceived: 0,
      filePath: path.join(this.deps.dataDir, `${uploadId}.upload`),
      expiresAt: Date.now() + SESSION_TTL_MS,
      tail: Promise.resolve(),
    };
    await writeFile(session.filePath, '');
    this.sessions.set(uploadId, session);
    const location = `${this.deps.origin()}${UPLOAD_PATH}?uploadType=resumable&upload_id=${uploadId}`;
    res.writeHead(200, { location, 'x-guploader-uploadid': uploadId, 'content-length': 0 });
    res.end();
  }

  /** Steps 3 and 4 of the guide: a chunk, the whole file, or a status query, one request per session at a time. */
  async put(req: http.IncomingMessage, res: http.ServerResponse, url: URL, grant: Grant): Promise<void> {
    const session = this.sessions.get(url.searchParams.get('upload_id') ?? '');
    if (!session || session.expiresAt <= Date.now()) throw new GoogleApiError(404, 'notFound', 'The upload session was not found or has expired; start a new upload.');
    if (session.channelId !== grant.channelId) throw new GoogleApiError(403, 'forbidden', 'The upload session belongs to another channel.');

    await inTurn(session, () => this.putInTurn(req, res, session));
  }

  private async putInTurn(req: http.IncomingMessage, res: http.ServerResponse, session: UploadSession): Promise<void> {
    if (req.destroyed) return;
    if (session.videoId) {
      req.resume();
      return this.sendVideo(res, session);
    }
    const contentLength = integerHeader(req, 'content-length');
    const rawRange = req.headers['content-range'];
    const range: ContentRange = rawRange ? parseContentRange(rawRange) : { query: false, first: 0, last: (contentLength ?? 0) - 1, total: contentLength };
    if (range.total !== undefined) {
      if (session.total !== undefined && session.total !== range.total) {
        throw badRequest('badContent', `The Content-Range total ${range.total} does not match the upload's length ${session.total}.`);
      }
      session.total = range.total;
    }

    if (range.query || range.last < range.first) {
      req.resume();
      if (session.total !== undefined && session.stored === session.total) return this.finish(res, session);
      return this.sendIncomplete(res, session);
    }

    const { first, last } = range;
    const declared = last - first + 1;
    if (session.total !== undefined && last >= session.total) throw badRequest('badContent', `Content-Range ends at byte ${last}, past the upload's length ${session.total}.`);
    if (contentLength !== undefined && contentLength !== declared) {
      throw badRequest('badContent', `Content-Length ${contentLength} does not match Content-Range bytes ${first}-${last}.`);
    }
    if (first > session.stored) {
      throw badRequest(
        'badContent',
        `The chunk starts at byte ${first} but the server holds ${session.stored} bytes; ask where the upload stands (Content-Range: bytes */total) and resume from there.`,
      );
    }
    const isLast = session.total !== undefined && last + 1 === session.total;
    if (!isLast && declared % CHUNK_GRANULARITY !== 0) {
      throw badRequest('badContent', `Every chunk but the last must be a multiple of ${CHUNK_GRANULARITY} bytes; this one is ${declared}.`);
    }

    session.writer = req;
    const outcome = await this.store(req, session, first, declared);
    if (outcome === 'gone') return;
    if (outcome === 'overlong') throw badRequest('badContent', `The request body is longer than Content-Range bytes ${first}-${last}.`);
    if (session.total !== undefined && session.stored === session.total) return this.finish(res, session);
    return this.sendIncomplete(res, session);
  }

  /**
   * Streams one request body into the session's file from `first`, skipping bytes already
   * stored (a resend after a lost answer) and keeping every byte that arrives, even when the
   * connection is cut. `gone` when the connection ended without a full body.
   */
  private async store(req: http.IncomingMessage, session: UploadSession, first: number, declared: number): Promise<'complete' | 'overlong' | 'gone'> {
    const file = await open(session.filePath, 'r+');
    let position = first;
    let seen = 0;
    let storedHere = 0;
    let outcome: 'complete' | 'overlong' | 'gone' = 'complete';
    const bodyFaults = new BodyFaults(req, this.deps.faults);
    try {
      for await (const chunk of req) {
        let buf = chunk as Buffer;
        session.bytesReceived += buf.length;
        if (seen + buf.length > declared) {
          outcome = 'overlong';
          buf = buf.subarray(0, declared - seen);
        }
        seen += buf.length;
        const skip = Math.min(buf.length, Math.max(0, session.stored - position));
        position += skip;
        buf = buf.subarray(skip);

        const trimmed = bodyFaults.trimToCut(buf, storedHere);
        buf = trimmed.buf;
        await bodyFaults.throttle(buf.length);
        if (buf.length > 0) {
          await file.write(buf, 0, buf.length, position);
          position += buf.length;
          storedHere += buf.length;
          session.stored = position;
        }
        if (trimmed.cutHere) {
          bodyFaults.sever();
          return 'gone';
        }
        if (outcome === 'overlong') break;
      }
    } catch {
      // The client went away mid-body (or the server is closing): what reached the file stays, as on Google's side.
      return 'gone';
    } finally {
      bodyFaults.release();
      await file.close();
    }
    if (req.destroyed && seen < declared) return 'gone';
    return outcome;
  }

  /** The last byte is in: the video exists from now on, and every later PUT on this session gets it. */
  private async finish(res: http.ServerResponse, session: UploadSession): Promise<void> {
    const { catalog, faults, channels } = this.deps;
    const sha256 = await hashFile(session.filePath);
    const head = await readHead(session.filePath, HEAD_BYTES);
    const channelTitle = channels.find((c) => c.id === session.channelId)?.title ?? session.channelId;
    const video = catalog.add({
      channelId: session.channelId,
      channelTitle,
      sha256,
      bytes: session.stored,
      head,
      metadata: session.metadata,
      forced: faults.takeProcessingOutcome(),
    });
    session.videoId = video.id;
    this.sendVideo(res, session);
  }

  private sendVideo(res: http.ServerResponse, session: UploadSession): void {
    const video = this.deps.catalog.videos.get(session.videoId ?? '');
    if (!video) throw new Error(`upload ${session.uploadId} names video ${String(session.videoId)}, which does not exist`);
    sendJson(res, 200, videoResource(video, session.parts, Date.now()), { 'x-guploader-uploadid': session.uploadId });
  }

  private sendIncomplete(res: http.ServerResponse, session: UploadSession): void {
    // No Range header at all when nothing is stored: the guide's signal to start from byte 0.
    const range: Record<string, string> = session.stored > 0 ? { range: `bytes=0-${session.stored - 1}` } : {};
    res.writeHead(308, 'Resume Incomplete', { ...range, 'x-guploader-uploadid': session.uploadId, 'content-length': 0 });
    res.end();
  }
}
