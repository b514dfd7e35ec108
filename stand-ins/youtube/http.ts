/** Small node:http helpers shared by the stand-in's endpoints. */
import type http from 'node:http';
import { badRequest, OAuthError } from './google-errors';

/** Sends `body` as JSON with `status` and any extra headers. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends an HTML document. */
export function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

/** Reads a small request body whole; metadata and forms are kilobytes, so a limit keeps a stray upload out. */
export async function readSmallBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw badRequest('requestTooLarge', `The request body is larger than ${limit} bytes.`);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

/** Parses an `application/x-www-form-urlencoded` body, or a JSON object of strings (Google's token endpoint takes both). */
export function parseParams(req: http.IncomingMessage, body: Buffer): URLSearchParams {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      throw new OAuthError(400, 'invalid_request', 'Invalid JSON payload received.');
    }
    const params = new URLSearchParams();
    if (parsed && typeof parsed === 'object') {
      for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') params.set(key, value);
    }
    return params;
  }
  return new URLSearchParams(body.toString('utf8'));
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(req: http.IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** A non-negative integer header (Content-Length, X-Upload-Content-Length), or undefined when absent. */
export function integerHeader(req: http.IncomingMessage, name: string): number | undefined {
  const raw = req.headers[name];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\d+$/.test(value.trim())) throw badRequest('invalidHeader', `Invalid value for header ${name}: ${String(value)}`);
  return Number(value);
}
