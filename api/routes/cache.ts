/**
 * The API cache over HTTP: stats, keys and clearing (`/cache`), and the Google and Huntflow
 * data read through it (`/google/...`, `/huntflow/...`). Data answers say where the value
 * came from: `{ source: 'cache' | 'upstream' | 'stale', storedAt, data }`; `?refresh=true`
 * skips a fresh cached value.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { CacheFetchError, CacheServiceSchema, CacheUnavailableError, CacheUserIdSchema, createCacheService, type CacheResult, type CacheService } from '../../cache';
import type { Config } from '../../config';
import { DriveFolderIdSchema, GoogleAPICache } from '../../integrations/google/google-api-cache';
import { GoogleNotConfiguredError } from '../../integrations/google/google-auth';
import { HuntflowAPICache } from '../../integrations/huntflow/huntflow-api-cache';
import { HuntflowClient, HuntflowNotConfiguredError, huntflowOptionsFromConfig } from '../../integrations/huntflow/huntflow-client';
import type { RedisClient } from '../../redis/connection';
import { fieldError, validate } from '../validation';

/** What the cache routes need. */
export interface CacheRouteDeps {
  cache: CacheService;
  google: GoogleAPICache;
  huntflow: HuntflowAPICache;
}

/** Builds the cache routes' dependencies from config and an open Redis client. */
export function cacheDepsFromConfig(config: Pick<Config, 'cache' | 'google' | 'huntflow'>, redis: RedisClient): CacheRouteDeps {
  const cache = createCacheService(config, redis);
  const client = new HuntflowClient({ ...huntflowOptionsFromConfig(config.huntflow), log: (m) => console.log(`${new Date().toISOString()} ${m}`) });
  return { cache, google: new GoogleAPICache({ cache, google: config.google }), huntflow: new HuntflowAPICache(cache, client) };
}

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const userId = CacheUserIdSchema.default('default');
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

const CalendarQuery = z.object({ userId, calendarId: z.string().min(1).max(256).default('primary'), daysAhead: limit(365, 7), maxResults: limit(2_500, 250), refresh: flag.optional() });
const DriveQuery = z.object({ userId, maxResults: limit(1_000, 100), folderId: DriveFolderIdSchema.optional(), refresh: flag.optional() });
const SheetsQuery = z.object({ userId, maxResults: limit(1_000, 100), refresh: flag.optional() });
const HuntflowUserQuery = z.object({ userId, refresh: flag.optional() });
const AccountParam = z.object({ accountId: z.coerce.number().int().positive() });
const PageQuery = { userId, page: limit(100_000, 1), count: limit(100, 30), refresh: flag.optional() };
const VacanciesQuery = z.object({ ...PageQuery, state: z.string().min(1).max(32).optional() });
const CandidatesQuery = z.object({ ...PageQuery, vacancyId: z.coerce.number().int().positive().optional(), status: z.coerce.number().int().positive().optional() });

/** A data answer, or the error a person can act on (503 not configured / Redis down, 502 upstream failed). */
async function answer<T>(c: Context, read: () => Promise<CacheResult<T>>): Promise<Response> {
  try {
    const r = await read();
    return c.json({ source: r.source, storedAt: r.storedAt.toISOString(), data: r.value });
  } catch (err) {
    return errorResponse(c, err);
  }
}

function errorResponse(c: Context, err: unknown): Response {
  const cause = err instanceof CacheFetchError ? err.cause : err;
  if (cause instanceof GoogleNotConfiguredError || cause instanceof HuntflowNotConfiguredError) return c.json({ error: cause.message }, 503);
  if (err instanceof CacheUnavailableError) return c.json({ error: err.message }, 503);
  if (err instanceof CacheFetchError) return c.json({ error: err.message, service: err.service }, 502);
  throw err;
}

/** The cache routes, to mount with `app.route('/', cacheRoutes(deps))`. */
export function cacheRoutes(deps: CacheRouteDeps): Hono {
  const app = new Hono();
  const { cache, google, huntflow } = deps;

  app.get('/cache/stats', async (c) => {
    try {
      return c.json(await cache.stats());
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.get('/cache/keys', validate('query', KeysQuery), async (c) => {
    const q = c.req.valid('query');
    try {
      const keys = await cache.keys(q);
      return c.json({ count: keys.length, keys });
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.delete('/cache', validate('json', ClearBody), async (c) => {
    const b = c.req.valid('json');
    try {
      if (b.key) {
        if (!cache.isCacheKey(b.key)) return c.json(fieldError('key', `not a cache key (expected ${cache.keyPrefix}:<service>:<user>:<hash>)`), 400);
        return c.json({ deleted: await cache.invalidateKey(b.key), scope: { key: b.key } });
      }
      const deleted = b.service ? await cache.invalidateService(b.service, b.userId) : await cache.clear();
      return c.json({ deleted, scope: b.service ? { service: b.service, userId: b.userId ?? null } : 'all' });
    } catch (err) {
      return errorResponse(c, err);
    }
  });

  app.get('/google/calendar/events', validate('query', CalendarQuery), (c) => answer(c, () => google.calendarEvents(c.req.valid('query'))));
  app.get('/google/drive/files', validate('query', DriveQuery), (c) => answer(c, () => google.driveFiles(c.req.valid('query'))));
  app.get('/google/sheets', validate('query', SheetsQuery), (c) => answer(c, () => google.sheets(c.req.valid('query'))));

  app.get('/huntflow/accounts', validate('query', HuntflowUserQuery), (c) => answer(c, () => huntflow.accounts(c.req.valid('query'))));
  app.get('/huntflow/accounts/:accountId/vacancies', validate('param', AccountParam), validate('query', VacanciesQuery), (c) =>
    answer(c, () => huntflow.vacancies({ ...c.req.valid('query'), ...c.req.valid('param') })),
  );
  app.get('/huntflow/accounts/:accountId/candidates', validate('param', AccountParam), validate('query', CandidatesQuery), (c) =>
    answer(c, () => huntflow.candidates({ ...c.req.valid('query'), ...c.req.valid('param') })),
  );

  return app;
}
