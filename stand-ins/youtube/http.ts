/** Request reading for the YouTube stand-in, refusing in Google's shapes. */
import type http from 'node:http';
import { parseJsonBody, readLimitedBody } from '../shared/http';
import { badRequest, OAuthError } from './google-errors';

export { bearerToken, sendHtml, sendJson } from '../shared/http';

/** Reads a small request body whole; a larger one is refused as Google does. */
export function readSmallBody(req: http.IncomingMessage): Promise<Buffer> {
  return readLimitedBody(req, (limit) => badRequest('requestTooLarge', `The request body is larger than ${limit} bytes.`));
}

/** Parses an `application/x-www-form-urlencoded` body, or a JSON object of strings (Google's token endpoint takes both). */
export function parseParams(req: http.IncomingMessage, body: Buffer): URLSearchParams {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    const parsed = parseJsonBody(body, () => new OAuthError(400, 'invalid_request', 'Invalid JSON payload received.'));
    const params = new URLSearchParams();
    if (parsed && typeof parsed === 'object') {
      for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') params.set(key, value);
    }
    return params;
  }
  return new URLSearchParams(body.toString('utf8'));
}

/** A non-negative integer header (Content-Length, X-Upload-Content-Length), or undefined when absent. */
export function integerHeader(req: http.IncomingMessage, name: string): number | undefined {
  const raw = req.headers[name];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\d+$/.test(value.trim())) throw badRequest('invalidHeader', `Invalid value for header ${name}: ${String(value)}`);
  return Number(value);
}
