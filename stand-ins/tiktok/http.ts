/** Request reading for the TikTok stand-in, refusing in the Open API's shape. */
import type http from 'node:http';
import { parseJsonBody, readLimitedBody } from '../shared/http';
import { invalidParam } from './errors';

export { bearerToken, redirect, sendHtml, sendJson } from '../shared/http';

/** Reads a small request body whole; a larger one is refused with invalid_param. */
export function readSmallBody(req: http.IncomingMessage): Promise<Buffer> {
  return readLimitedBody(req, (limit) => invalidParam(`The request body is larger than ${limit} bytes.`));
}

/** A JSON request body as `unknown` (an empty body is `{}`), or invalid_param when it is not JSON. */
export async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  return parseJsonBody(await readSmallBody(req), () => invalidParam('The request body is not valid JSON.'));
}

/** A form body (`application/x-www-form-urlencoded`), as the OAuth endpoints take. */
export async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readSmallBody(req)).toString('utf8'));
}
