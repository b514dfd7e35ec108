/**
 * IG Containers for resumable Reels uploads ("Upload Video to Meta Servers", "IG Container"):
 * `POST /<ig-user-id>/media?upload_type=resumable` creates one and returns its rupload `uri`;
 * `POST /ig-api-upload/<version>/<container-id>` with `offset` and `file_size` headers appends
 * bytes, streamed to a file as they arrive so a cut connection keeps what reached the server;
 * `GET /<container-id>?fields=status_code,video_status` says where it stands, with
 * `uploading_phase.bytes_transferred` as the offset to resume from. Once the last byte is in,
 * processing takes `processingMs`, then the container is FINISHED (or ERROR), and EXPIRED when
 * it was not published within `containerTtlMs`.
 */
import { open, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { BodyFaults, hashFile, inTurn, readHead } from '../shared/uploads';
import { failureStatus, type Faults, type ProcessingFailure } from './faults';
import { renderNode, type FieldSelection } from './fields';
import { RuploadError } from './graph-errors';
import { integerHeader, sendJson } from './http';
import { numericId } from './media';

export const CONTAINER_NODE = 'ShadowIGMediaBuilder';
export const CONTAINER_DEFAULT_FIELDS = ['id'];
/** The rupload path prefix; the guide's URI is `<prefix>/<api-version>/<container-id>`. */
export const RUPLOAD_PREFIX = '/ig-api-upload';
export const STATUS_CODES = ['IN_PROGRESS', 'FINISHED', 'ERROR', 'EXPIRED', 'PUBLISHED'] as const;
export type StatusCode = (typeof STATUS_CODES)[number];
// MP4 and MOV files open with one of these atoms at offset 4; anything else is not a video Instagram takes.
const VIDEO_ATOMS = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip']);

export interface Container {
  id: string;
  igUserId: string;
  caption: string;
  shareToFeed: boolean;
  /** From the first rupload request's `file_size`. */
  fileSize?: number;
  /** Bytes on disk, always a prefix of the file: the next request must start exactly here. */
  stored: number;
  /** Every body byte that arrived, those of cut and refused requests included. */
  bytesReceived: number;
  filePath: string;
  createdAt: number;
  expiresAt: number;
  sha256?: string;
  /** When processing ends; set when the last byte arrives. */
  readyAt?: number;
  failure?: ProcessingFailure;
  publishedMediaId?: string;
  /** The request writing now, which a newer request for the same container makes give way. */
  writer?: http.IncomingMessage;
  /** Settles when the last queued request for this container is done, so requests run one at a time. */
  tail: Promise<void>;
}

export interface ContainerDeps {
  dataDir: string;
  faults: Faults;
  processingMs: number;
  containerTtlMs: number;
}

/** Where the container stands at `now`. */
export function statusCodeAt(c: Container, now: number): StatusCode {
  if (c.publishedMediaId) return 'PUBLISHED';
  if (now >= c.expiresAt) return 'EXPIRED';
  if (c.readyAt === undefined || now < c.readyAt) return 'IN_PROGRESS';
  return c.failure ? 'ERROR' : 'FINISHED';
}

const STATUS_TEXT: Record<Exclude<StatusCode, 'ERROR'>, string> = {
  IN_PROGRESS: 'In Progress: Media is still being processed.',
  FINISHED: 'Finished: Media has been uploaded and it is ready to be published.',
  // The resumable-upload guide's sample.
  PUBLISHED: 'Published: Media has been successfully published.',
  EXPIRED: 'Expired: Media was not published within 24 hours.',
};

/** The IG Container node with the requested fields; `video_status` follows the resumable-upload guide's samples. */
export function containerNode(c: Container, selection: FieldSelection, now: number): Record<string, unknown> {
  const code = statusCodeAt(c, now);
  const complete = c.fileSize !== undefined && c.stored === c.fileSize;
  const processing = !complete ? 'not_started' : c.readyAt !== undefined && now < c.readyAt ? 'in_progress' : c.failure ? 'error' : 'complete';
  return renderNode(CONTAINER_NODE, selection, {
    id: () => c.id,
    status_code: () => code,
    status: () => (code === 'ERROR' ? (c.failure?.status ?? failureStatus(0)) : STATUS_TEXT[code]),
    video_status: () => ({
      uploading_phase: { status: complete ? 'complete' : c.stored > 0 ? 'in_progress' : 'not_started', bytes_transferred: c.stored },
      processing_phase: { status: processing },
    }),
    copyright_check_status: () => ({ matches_found: false, status: processing === 'complete' ? 'completed' : processing === 'error' ? 'error' : processing }),
  });
}

/** The containers of the stand-in and the rupload endpoint that fills them. */
export class ContainerStore {
  readonly containers = new Map<string, Container>();

  constructor(private readonly deps: ContainerDeps) {}

  async create(igUserId: string, caption: string, shareToFeed: boolean): Promise<Container> {
    const id = numericId('17');
    const now = Date.now();
    const container: Container = {
      id,
      igUserId,
      caption,
      shareToFeed,
      stored: 0,
      bytesReceived: 0,
      filePath: path.join(this.deps.dataDir, `${id}.upload`),
      createdAt: now,
      expiresAt: now + this.deps.containerTtlMs,
      tail: Promise.resolve(),
    };
    await writeFile(container.filePath, '');
    this.containers.set(id, container);
    return container;
  }

  /** One rupload request, one per container at a time; the newest wins over an attempt still writing. */
  async upload(req: http.IncomingMessage, res: http.ServerResponse, container: Container): Promise<void> {
    await inTurn(container, () => this.uploadInTurn(req, res, container));
  }

  private async uploadInTurn(req: http.IncomingMessage, res: http.ServerResponse, c: Container): Promise<void> {
    if (req.destroyed) return;
    const status = statusCodeAt(c, Date.now());
    if (status === 'EXPIRED' || status === 'PUBLISHED') throw new RuploadError(400, false, `The media container ${c.id} is ${status.toLowerCase()}; create a new one.`);
    if (req.headers.file_url !== undefined) throw new RuploadError(400, false, 'The stand-in implements local file uploads only, not file_url.');
    const fileSize = integerHeader(req, 'file_size');
    if (fileSize === undefined || Number.isNaN(fileSize) || fileSize === 0) throw new RuploadError(400, false, 'The file_size header must be the size of the whole file in bytes.');
    if (c.fileSize !== undefined && c.fileSize !== fileSize)
      throw new RuploadError(400, false, `file_size ${fileSize} does not match the ${c.fileSize} bytes this upload was started with.`);
    const offset = integerHeader(req, 'offset');
    if (offset === undefined || Number.isNaN(offset)) throw new RuploadError(400, false, 'The offset header must be the first byte being uploaded.');
    if (offset !== c.stored) {
      throw new RuploadError(
        400,
        false,
        `offset ${offset} does not match the ${c.stored} bytes already received; read video_status.uploading_phase.bytes_transferred and resume from there.`,
      );
    }
    c.fileSize = fileSize;
    if (c.stored === fileSize) {
      req.resume();
      return sendSuccess(res);
    }

    c.writer = req;
    const outcome = await this.store(req, c);
    if (outcome === 'gone') return;
    if (c.stored === fileSize && c.readyAt === undefined) await this.complete(c);
    if (outcome === 'overlong') throw new RuploadError(400, false, `The body runs past file_size ${fileSize}; the bytes beyond it were dropped.`);
    sendSuccess(res);
  }

  /**
   * Streams one request body into the container's file at `stored`, keeping every byte that
   * arrives even when the connection is cut. `gone` when the connection ended without an answer
   * being possible; `overlong` when the body ran past `file_size`.
   */
  private async store(req: http.IncomingMessage, c: Container): Promise<'complete' | 'overlong' | 'gone'> {
    const file = await open(c.filePath, 'r+');
    const room = (c.fileSize ?? 0) - c.stored;
    let storedHere = 0;
    let outcome: 'complete' | 'overlong' | 'gone' = 'complete';
    const bodyFaults = new BodyFaults(req, this.deps.faults);
    try {
      for await (const chunk of req) {
        let buf = chunk as Buffer;
        c.bytesReceived += buf.length;
        // Past file_size nothing is stored, but the body is still read so the refusal can be answered.
        if (storedHere + buf.length > room) {
          outcome = 'overlong';
          buf = buf.subarray(0, Math.max(0, room - storedHere));
        }
        const trimmed = bodyFaults.trimToCut(buf, storedHere);
        buf = trimmed.buf;
        await bodyFaults.throttle(buf.length);
        if (buf.length > 0) {
          await file.write(buf, 0, buf.length, c.stored);
          c.stored += buf.length;
          storedHere += buf.length;
        }
        if (trimmed.cutHere) {
          bodyFaults.sever();
          return 'gone';
        }
      }
    } catch {
      // The client went away mid-body (or the server is closing): what reached the file stays, as on Meta's side.
      return 'gone';
    } finally {
      bodyFaults.release();
      await file.close();
    }
    if (req.destroyed && !req.complete) return 'gone';
    return outcome;
  }

  /** The last byte is in: processing starts, and its outcome is decided now (a forced failure, or a file that is no MP4/MOV). */
  private async complete(c: Container): Promise<void> {
    c.sha256 = await hashFile(c.filePath);
    const atom = (await readHead(c.filePath, 8)).subarray(4, 8).toString('latin1');
    const forced = this.deps.faults.takeProcessingFailure();
    c.failure = forced ?? (VIDEO_ATOMS.has(atom) ? undefined : { code: 352, subcode: 2207026, status: failureStatus(2207026) });
    c.readyAt = Date.now() + this.deps.processingMs;
  }
}

function sendSuccess(res: http.ServerResponse): void {
  sendJson(res, 200, { success: true, message: 'Upload successful.' });
}
