/**
 * The request contract of every route: routers that validate each route's declared params,
 * query, headers and body with its zod schemas, with one error shape — 400
 * `{ error, issues: [{ field, message }] }` — so a client always learns which field is wrong,
 * in which part of the request, and why. The same schemas describe the route in the OpenAPI
 * document, so the contract a client reads is the one the API enforces.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler, ValidationTargets } from 'hono';
import { IdSchema, describeIssues } from '../contracts/bulk-input';

/** The body of every error answer. */
export const ErrorBody = z
  .object({
    error: z.string(),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Error');

/** How an error message names the part of the request that failed its schema. */
const TARGET_NAMES: Record<keyof ValidationTargets, string> = {
  json: 'request body',
  form: 'form',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

/** The 400 body for field issues in one part of the request, e.g. `invalid request body: accountIds.3: …`. */
export function invalidRequest(target: keyof ValidationTargets, issues: { field: string; message: string }[]) {
  return { error: `invalid ${TARGET_NAMES[target]}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, issues };
}

/** The 400 answer to a request part that fails its schema (OpenAPIHono's `defaultHook`). */
function validationHook(result: { target: keyof ValidationTargets; success: boolean; error?: z.ZodError }, c: Context) {
  if (result.success || !result.error) return undefined;
  return c.json(invalidRequest(result.target, describeIssues(result.error)), 400);
}

/** A router whose routes are declared with `createRoute` and validated with clipfleet's 400 body. */
export function createRouter(options: { strict?: boolean } = {}): OpenAPIHono {
  return new OpenAPIHono({ ...options, defaultHook: validationHook });
}

/** An error answer for one field, for checks that need more than a schema (a path on disk, a clash). */
export function fieldError(field: string, message: string) {
  return { error: `${field}: ${message}`, issues: [{ field, message }] };
}

/** A response that carries the error body. */
export function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: ErrorBody } } };
}

/**
 * A route's error responses from what each status means to the client:
 * `errorResponses({ 400: 'the task id is invalid', 404: 'no bulk with that task id' })`.
 */
export function errorResponses<const Status extends number>(descriptions: Record<Status, string>): Record<Status, ReturnType<typeof errorResponse>> {
  const entries = Object.entries<string>(descriptions).map(([status, description]) => [status, errorResponse(description)]);
  // Object.fromEntries forgets the keys it was given; they are the statuses of `descriptions`.
  return Object.fromEntries(entries) as Record<Status, ReturnType<typeof errorResponse>>;
}

/** A response that is an HTML page. */
export function htmlResponse(description: string) {
  return { description, content: { 'text/html': { schema: { type: 'string' as const } } } };
}

/** The path parameter of every route about one bulk. */
export const TaskParam = z.object({ taskId: IdSchema });

/** A required JSON request body; declare its route with `jsonBodyRoute`, which refuses a body that is not JSON. */
export function jsonBody<Schema extends z.ZodType>(schema: Schema, description: string) {
  return { required: true, description, content: { 'application/json': { schema } } };
}

/**
 * Refuses a JSON route's request whose content-type is missing or not JSON, by saying so:
 * left to the validator, such a body would read as `{}` and be answered with a list of
 * missing fields that are in fact there.
 */
export const requireJson: MiddlewareHandler = async (c, next) => {
  if (!/^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(c.req.header('content-type') ?? '')) {
    const message = 'content-type must be application/json';
    return c.json({ error: message, issues: [{ field: '(content-type)', message }] }, 415);
  }
  await next();
};

/** The answer every route behind the token may give. */
export const authErrors = { 401: errorResponse('no valid bearer token or session cookie') };
