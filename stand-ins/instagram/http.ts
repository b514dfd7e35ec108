/**
 * Request reading for the Instagram stand-in: Graph API parameters from the query string and
 * from a form, multipart or JSON body (Meta's docs use all of them), and the access token from
 * a parameter or an `Authorization: Bearer|OAuth` header.
 */
import type http from 'node:http';
import { bearerToken, parseJsonBody, readLimitedBody } from '../shared/http';
import { invalidParameter } from './graph-errors';

export { redirect, sendHtml, sendJson } from '../shared/http';

/** Reads a small request body whole; a larger one is refused as Graph's (#100). */
export function readSmallBody(req: http.IncomingMessage): Promise<Buffer> {
  return readLimitedBody(req, (limit) => invalidParameter(`The request body is larger than ${limit} bytes.`));
}

/** A JSON value as the string Graph would see in a form: objects and arrays stay JSON. */
const asParam = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** The parameters of a body, by its content type; anything else is ignored, as Graph ignores a body it cannot read. */
export async function bodyParams(req: http.IncomingMessage): Promise<URLSearchParams> {
  const raw = await readSmallBody(req);
  const params = new URLSearchParams();
  if (raw.length === 0) return params;
  const contentType = req.headers['content-type'] ?? '';
  const type = contentType.toLowerCase();
  if (type.startsWith('application/json')) {
    const parsed = parseJsonBody(raw, () => invalidParameter('(#100) The request body is not valid JSON.'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) if (value !== null && value !== undefined) params.set(key, asParam(value));
    }
    return params;
  }
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    form.forEach((value, key) => {
      if (typeof value === 'string') params.set(key, value);
    });
    return params;
  }
  return new URLSearchParams(raw.toString('utf8'));
}

/** Query parameters overlaid with body parameters: Graph reads both, and a POST's body wins. */
export async function graphParams(req: http.IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  if (req.method === 'GET' || req.method === 'HEAD') {
    req.resume();
    return params;
  }
  (await bodyParams(req)).forEach((value, key) => params.set(key, value));
  return params;
}

/** The token of an `Authorization: Bearer <token>` or `Authorization: OAuth <token>` header (Meta's docs use both). */
export function authorizationToken(req: http.IncomingMessage): string | undefined {
  return bearerToken(req, ['Bearer', 'OAuth']);
}

/** A non-negative integer header (`offset`, `file_size`), undefined when absent, `NaN` when malformed. */
export function integerHeader(req: http.IncomingMessage, name: string): number | undefined {
  const raw = req.headers[name];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}
