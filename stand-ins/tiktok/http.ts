/** Small node:http helpers for the stand-in's endpoints. */
import type http from 'node:http';
import { invalidParam } from './errors';

/** Sends `body` as JSON with `status` and any extra headers; `raw` is already-serialised JSON. */
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

/** Reads a small request body whole; forms and JSON bodies are kilobytes, so a limit keeps a stray upload out. */
export async function readSmallBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw invalidParam(`The request body is larger than ${limit} bytes.`);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

/** A JSON request body as `unknown` (an empty body is `{}`), or invalid_param when it is not JSON. */
export async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const raw = await readSmallBody(req);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidParam('The request body is not valid JSON.');
  }
}

/** A form body (`application/x-www-form-urlencoded`), as the OAuth endpoints take. */
export async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readSmallBody(req)).toString('utf8'));
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(req: http.IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}
