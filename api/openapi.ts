/**
 * The API described as OpenAPI 3.1, served at `/openapi.json` and as a page at `/docs`.
 * Paths are written by hand (a reader sees the whole surface in one place); request bodies
 * come from the same zod schemas the routes validate with, through `z.toJSONSchema`, so a
 * body in the document cannot drift from the body the API accepts.
 */
import { z } from 'zod';
import { BulkUploadInputSchema } from '../contracts/bulk-input';
import { AccountBody, AccountPatch } from './routes/accounts';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schema(s) } } });
const Error = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const taskId = { name: 'taskId', in: 'path', required: true, schema: { type: 'string' } };
const accountId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const ok = (description: string) => ({ description });

/** The OpenAPI document of the HTTP API. */
export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'clipfleet API', version: '0.1.0', description: 'Durable bulk video publishing. Authenticate with `Authorization: Bearer <API_TOKEN>`; browsers sign in at `/login` and get a session cookie.' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'clipfleet_session' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'string' }, issues: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } } },
        },
      },
    },
    paths: {
      '/bulk-uploads': {
        post: { summary: 'Validate and start a bulk', requestBody: json(BulkUploadInputSchema), responses: { 202: ok('started: task id, workflow id, links'), 400: Error, 401: Error, 409: Error } },
        get: {
          summary: 'List bulks, newest first',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string' }, description: 'one status or several, comma-separated (pending, running, completed, partially_failed, failed, cancelled)' },
            { name: 'since', in: 'query', schema: { type: 'string' }, description: 'created at or after (date or ISO timestamp)' },
            { name: 'until', in: 'query', schema: { type: 'string' }, description: 'created at or before' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          ],
          responses: { 200: ok('`{ total, bulks: [...] }` with per-account counts'), 400: Error, 401: Error },
        },
      },
      '/bulk-uploads/{taskId}': { get: { summary: 'Status and per-account progress (posts, errors)', parameters: [taskId], responses: { 200: ok('status'), 404: Error } } },
      '/bulk-uploads/{taskId}/cancel': { post: { summary: 'Cancel a running bulk; its accounts end `cancelled`', parameters: [taskId], responses: { 202: ok('cancellation requested'), 404: Error, 409: Error } } },
      '/bulk-uploads/{taskId}/retry-failed': { post: { summary: 'Run a finished bulk again over only its failed or cancelled accounts (nothing published is posted again)', parameters: [taskId], responses: { 202: ok('retry started: the accounts retried'), 404: Error, 409: Error } } },
      '/bulk-upload/{taskId}/logs/': {
        get: {
          summary: 'Log lines: JSON, an HTML page, or live Server-Sent Events, by the Accept header',
          description: 'SSE events are `log` (id = the line cursor; reconnect with `Last-Event-ID` to resume) and `done` once the bulk has finished.',
          parameters: [
            taskId,
            { name: 'account', in: 'query', schema: { type: 'string' } },
            { name: 'after', in: 'query', schema: { type: 'string' }, description: 'cursor: the id of the last line seen' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 } },
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'lines', content: { 'application/json': {}, 'text/html': {}, 'text/event-stream': {} } }, 400: Error },
        },
      },
      '/accounts': {
        put: { summary: 'Create or update an account (secrets are write-only)', requestBody: json(AccountBody), responses: { 200: ok('updated'), 201: ok('created'), 400: Error } },
        get: { summary: 'List accounts', responses: { 200: ok('accounts, without secrets') } },
      },
      '/accounts/{id}': {
        get: { summary: 'One account, without secrets', parameters: [accountId], responses: { 200: ok('account'), 404: Error } },
        patch: { summary: 'Change some fields of an account', parameters: [accountId], requestBody: json(AccountPatch), responses: { 200: ok('account'), 400: Error, 404: Error, 409: Error } },
        delete: { summary: 'Delete an account', parameters: [accountId], responses: { 204: ok('deleted'), 404: Error } },
      },
      '/dashboard': { get: { summary: 'Dashboard: the bulk list (HTML)', responses: { 200: ok('page') } } },
      '/dashboard/bulks/{taskId}': { get: { summary: 'Dashboard: one bulk, live (HTML)', parameters: [taskId], responses: { 200: ok('page'), 404: Error } } },
      '/login': { post: { summary: 'Browser sign-in with the API token (form); sets the session cookie', security: [], responses: { 303: ok('signed in'), 401: ok('wrong token') } } },
    },
  };
}
