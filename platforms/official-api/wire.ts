/**
 * Small pieces every API platform's protocol needs the same way: the media type of a file,
 * how long a 429 asks us to wait, and a file range as a stream for a large request body.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { PlatformError } from '../adapter';

/** When a 429 names no Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 30_000;

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
};

/** The media type of a video file, from its extension. */
export function mimeType(filePath: string): string {
  return MEDIA_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** How long a `Retry-After` header (seconds or an HTTP date) asks to wait; `fallbackMs` when it names nothing usable. */
export function retryAfterMs(res: Response, fallbackMs = DEFAULT_RETRY_AFTER_MS): number {
  const header = res.headers.get('retry-after');
  if (!header) return fallbackMs;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : fallbackMs;
}

/** Bytes `[start, end)` of a file as a web stream; `onBytes` hears how many went out so far. */
export function fileRangeStream(filePath: string, start: number, end: number, onBytes?: (sent: number) => void): ReadableStream<Uint8Array> {
  const stream = createReadStream(filePath, { start, end: end - 1, highWaterMark: 256 * 1024 });
  let sent = 0;
  if (onBytes)
    stream.on('data', (chunk: Buffer | string) => {
      sent += chunk.length;
      onBytes(sent);
    });
  return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
}

/** An answer's body as text, and as JSON when it is JSON (`undefined` when not): error bodies are read both ways. */
export async function readBody(res: Response): Promise<{ text: string; json: unknown }> {
  const text = await res.text().catch(() => '');
  try {
    return { text, json: JSON.parse(text) as unknown };
  } catch {
    return { text, json: undefined };
  }
}

/** Consecutive failed upload requests survived within one attempt before the attempt gives up to Temporal's retry. */
const MAX_UPLOAD_FAILURES = 5;

/**
 * After the `failures`-th failed upload request in a row (`res` its answer, none for a cut
 * connection): past the limit, the attempt ends (retryable) and Temporal's retry takes over;
 * otherwise waits 1, 2, 4, 8, 16 s (unless `wait` is false) before the caller asks the server
 * where the upload stands.
 */
export async function afterFailedUpload(a: {
  platform: string;
  filePath: string;
  failures: number;
  res: Response | undefined;
  signal: AbortSignal;
  wait?: boolean;
}): Promise<void> {
  if (a.failures > MAX_UPLOAD_FAILURES) {
    throw new PlatformError({
      platform: a.platform,
      kind: 'unavailable',
      detail: `uploading ${a.filePath}: ${a.failures} upload requests in a row made no progress (last: ${a.res ? a.res.status : 'connection lost'})`,
    });
  }
  if (a.wait !== false) await sleep(Math.min(1_000 * 2 ** (a.failures - 1), 16_000), undefined, { signal: a.signal });
}
