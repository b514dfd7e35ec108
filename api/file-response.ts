/**
 * A file on disk as an HTTP answer, with single-range requests (`Range: bytes=…`), so a
 * `<video>` element can seek in an original or a variant without downloading all of it,
 * and an ETag, so a thumbnail shown on every page load is sent once. The file is streamed,
 * never read whole.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import type { Context } from 'hono';

/** The byte range a `Range` header asks for, inclusive at both ends. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a `Range` header against a file of `size` bytes: `undefined` when there is none or
 * it is not a single `bytes` range (the whole file is then sent, as RFC 9110 allows), `null`
 * when it asks for nothing the file has (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    // A suffix: the last n bytes.
    const n = Number(m[2]);
    if (n === 0 || size === 0) return null;
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

/**
 * Answers with the file at `file` (absolute): 200 with all of it, 206 with the range asked
 * for, 416 for a range past its end, 304 when the client's copy is current; `null` when
 * there is no such file, so the route answers its own 404.
 */
export async function fileResponse(c: Context, file: string, options: { contentType: string; cacheControl?: string }): Promise<Response | null> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) return null;
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const headers: Record<string, string> = {
    'content-type': options.contentType,
    'accept-ranges': 'bytes',
    etag,
    'last-modified': stat.mtime.toUTCString(),
    'cache-control': options.cacheControl ?? 'private, no-cache',
    'x-content-type-options': 'nosniff',
  };
  if (c.req.header('if-none-match') === etag) return new Response(null, { status: 304, headers });

  // A range of a file that changed since the client's copy would splice two versions.
  const ifRange = c.req.header('if-range');
  const range = ifRange === undefined || ifRange === etag ? parseRange(c.req.header('range'), stat.size) : undefined;
  if (range === null) return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${stat.size}` } });
  const { start, end } = range ?? { start: 0, end: stat.size - 1 };
  const length = stat.size === 0 ? 0 : end - start + 1;
  const body = c.req.method === 'HEAD' || length === 0 ? null : (Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream<Uint8Array>);
  headers['content-length'] = String(length);
  if (!range) return new Response(body, { status: 200, headers });
  return new Response(body, { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${end}/${stat.size}` } });
}
