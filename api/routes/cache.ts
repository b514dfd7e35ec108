/**
 * The API cache over HTTP: stats, keys and clearing (`/cache`), and the Google and Huntflow
 * data read through it (`/google/...`, `/huntflow/...`). Data answers say where the value
 * came from: `{ source: 'cache' | 'upstream' | 'stale', storedAt, data }`; `?refresh=true`
 * skips a fresh cached value.
 */
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { CacheFetchError, CacheServiceSchema, CacheUnavailableError, CacheUserIdSchema, type CacheResult } from '../../cache';
import { DriveFolderIdSchema } from '../../integrations/google/google-api-cache';
import { GoogleNotConfiguredError } from '../../integrations/google/google-auth';
import { HuntflowNotConfiguredError } from '../../integrations/huntflow/huntflow-client';
import type { CacheClients } from '../../runtime';
import { jsonBodyRoute, protectedRoute } from '../openapi';
import { createRouter, errorResponses, fieldError, jsonBody } from '../validation';

/** What the cache routes need: the cache and the clients that read through it (runtime/). */
export type CacheRouteDeps = CacheClients;

const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .openapi({ type: 'string', enum: ['true', 'false', '1', '0'], description: 'skip a fresh cached value' });
const userId = CacheUserIdSchema.default('default').openapi({ description: 'whose credentials and cache entries' });
const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const KeysQuery = z.object({ service: CacheServiceSchema.optional(), userId: CacheUserIdSchema.optional(), limit: limit(10_000, 1_000) });
const ClearBody = z
  .object({
    confirm: z.literal(true, { error: 'must be true: clearing the cache cannot be undone' }),
    service: CacheServiceSchema.optional(),
    userId: CacheUserIdSchema.optional(),
    key: z.string().min(1).max(512).optional(),
  })
  .refine((b) => !b.userId || b.service, { path: ['userId'], message: 'needs a service too' })
  .refine((b) => !b.key || (!b.service && !b.userId), { path: ['key'], message: 'names one key: leave service and userId out' });

const CalendarQuery = z.object({
  userId,
  calendarId: z.string().min(1).max(256).default('primary'),
  daysAhead: limit(365, 7),
  maxResults: limit(2_500, 250),
  refresh: flag.optional(),
});
const DriveQuery = z.object({ userId, maxResults: limit(1_000, 100), folderId: DriveFolderIdSchema.optional(), refresh: flag.optional() });
const SheetsQuery = z.object({ userId, maxResults: limit(1_000, 100), refresh: flag.optional() });
const HuntflowUserQuery = z.object({ userId, refresh: flag.optional() });
const AccountParam = z.object({ accountId: z.coerce.number().int().positive().openapi({ description: 'the Huntflow organisation id' }) });
const PageQuery = { userId, page: limit(100_000, 1), count: limit(100, 30), refresh: flag.optional() };
const VacanciesQuery = z.object({ ...PageQuery, state: z.string().min(1).max(32).optional() });
const CandidatesQuery = z.object({ ...PageQuery, vacancyId: z.coerce.number().int().positive().optional(), status: z.coerce.number().int().positive().optional() });

const dataAnswer = { description: '`{ source: cache | upstream | stale, storedAt, data }`' };
const redisDown = 'Redis is down';
const dataErrors = errorResponses({
  400: 'a query field is invalid',
  502: 'the upstream service failed and nothing usable is cached',
  503: 'the service is not configured, or Redis is down',
});

const statsRoute = protectedRoute({
  method: 'get',
  path: '/cache/stats',
  summary: 'Cache statistics',
  responses: { 200: { description: 'hits, misses, keys and memory, per service' }, ...errorResponses({ 503: redisDown }) },
});
const keysRoute = protectedRoute({
  method: 'get',
  path: '/cache/keys',
  summary: 'Cached keys, optionally of one service and user',
  request: { query: KeysQuery },
  responses: { 200: { description: '`{ count, keys: [...] }`' }, ...errorResponses({ 400: 'a query field is invalid', 503: redisDown }) },
});
const clearRoute = jsonBodyRoute({
  method: 'delete',
  path: '/cache',
  summary: 'Clear the cache: one key, one service (and user), or all of it',
  request: { body: jsonBody(ClearBody, '`confirm: true`, and what to clear (nothing more: everything)') },
  responses: {
    200: { description: '`{ deleted, scope }`' },
    ...errorResponses({ 400: 'a field is invalid or the key is not a cache key', 503: redisDown }),
  },
});
const dataRoute = <Query extends z.ZodObject>(path: string, summary: string, query: Query) =>
  protectedRoute({ method: 'get', path, summary, request: { query }, responses: { 200: dataAnswer, ...dataErrors } });
const huntflowRoute = <Query extends z.ZodObject>(path: string, summary: string, query: Query) =>
  protectedRoute({ method: 'get', path, summary, request: { params: AccountParam, query }, responses: { 200: dataAnswer, ...dataErrors } });

/** A data answer, or the error a person can act on (503 not configured / Redis down, 502 upstream failed). */
async function answer<T>(c: Context, read: () => Promise<CacheResult<T>>): Promise<Response> {
  try {
    const r = await read();
    return c.json({ source: r.source, storedAt: r.storedAt.toISOString(), data: r.value });
  } catch (err) {
    return serviceError(c, err);
  }
}

function serviceError(c: Context, err: unknown): Response {
  const cause = err instanceof CacheFetchError ? err.cause : err;
  if (cause instanceof GoogleNotConfiguredError || cause instanceof HuntflowNotConfiguredError) return c.json({ error: cause.message }, 503);
  if (err instanceof CacheUnavailableError) return c.json({ error: err.message }, 503);
  if (err instanceof CacheFetchError) return c.json({ error: err.message, service: err.service }, 502);
  throw err;
}

/** The cache routes, to mount with `app.route('/', cacheRoutes(deps))`. */
export function cacheRoutes(deps: CacheRouteDeps): OpenAPIHono {
  const app = createRouter();
  const { cache, google, huntflow } = deps;

  app.openapi(statsRoute, async (c) => {
    try {
      return c.json(await cache.stats(), 200);
    } catch (err) {
      return serviceError(c, err);
    }
  });

  app.openapi(keysRoute, async (c) => {
    const q = c.req.valid('query');
    try {
      const keys = await cache.keys(q);
      return c.json({ count: keys.length, keys }, 200);
    } catch (err) {
      return serviceError(c, err);
    }
  });

  app.openapi(clearRoute, async (c) => {
    const b = c.req.valid('json');
    try {
      if (b.key) {
        if (!cache.isCacheKey(b.key)) return c.json(fieldError('key', `not a cache key (expected ${cache.keyPrefix}:<service>:<user>:<hash>)`), 400);
        return c.json({ deleted: await cache.invalidateKey(b.key), scope: { key: b.key } }, 200);
      }
      const deleted = b.service ? await cache.invalidateService(b.service, b.userId) : await cache.clear();
      return c.json({ deleted, scope: b.service ? { service: b.service, userId: b.userId ?? null } : 'all' }, 200);
    } catch (err) {
      return serviceError(c, err);
    }
  });

  app.openapi(dataRoute('/google/calendar/events', 'Google Calendar events ahead, through the cache', CalendarQuery), (c) =>
    answer(c, () => google.calendarEvents(c.req.valid('query'))),
  );
  app.openapi(dataRoute('/google/drive/files', 'Google Drive files (of one folder), through the cache', DriveQuery), (c) =>
    answer(c, () => google.driveFiles(c.req.valid('query'))),
  );
  app.openapi(dataRoute('/google/sheets', 'Google Sheets spreadsheets, through the cache', SheetsQuery), (c) => answer(c, () => google.sheets(c.req.valid('query'))));

  app.openapi(dataRoute('/huntflow/accounts', 'Huntflow organisations of the user, through the cache', HuntflowUserQuery), (c) =>
    answer(c, () => huntflow.accounts(c.req.valid('query'))),
  );
  app.openapi(huntflowRoute('/huntflow/accounts/{accountId}/vacancies', 'Huntflow vacancies of an organisation, through the cache', VacanciesQuery), (c) =>
    answer(c, () => huntflow.vacancies({ ...c.req.valid('query'), ...c.req.valid('param') })),
  );
  app.openapi(huntflowRoute('/huntflow/accounts/{accountId}/candidates', 'Huntflow candidates of an organisation, through the cache', CandidatesQuery), (c) =>
    answer(c, () => huntflow.candidates({ ...c.req.valid('query'), ...c.req.valid('param') })),
  );

  return app;
}
