/**
 * node:http helpers every stand-in's endpoints use. What differs by provider (the error a
 * too-large or malformed body earns, which authorization schemes count) comes in as a parameter,
 * so each provider's refusals keep their own shape.
 */
import type http from 'node:http';

/** Metadata, forms and JSON bodies are kilobytes; a larger body is a stray upload. */
export const SMALL_BODY_LIMIT = 1024 * 1024;

/** Sends `body` as JSON with `status` and any extra headers; `raw` is already-serialised JSON sent instead. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, raw?: string): void {
  const text = raw ?? JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends an HTML document. */
export function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

/** Answers 302 to `location`, as a consent screen does with its decision. */
export function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
}

/** Reads a small request body whole, throwing `tooLarge(limit)` once it passes `limit` bytes. */
export async function readLimitedBody(req: http.IncomingMessage, tooLarge: (limit: number) => Error, limit = SMALL_BODY_LIMIT): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw tooLarge(limit);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

/** A JSON body as `unknown` (an empty body is `{}`), throwing `invalid()` when it is not JSON. */
export function parseJsonBody(raw: Buffer, invalid: () => Error): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalid();
  }
}

/** The token of an `Authorization: <scheme> <token>` header for one of `schemes`, if there is one. */
export function bearerToken(req: http.IncomingMessage, schemes: readonly string[] = ['Bearer']): string | undefined {
  return new RegExp(`^(?:${schemes.join('|')})\\s+(\\S+)\\s*$`, 'i').exec(req.headers.authorization ?? '')?.[1];
}
