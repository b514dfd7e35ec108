/**
 * The new-bulk form (`/dashboard/bulks/new`) and its preview (`POST /bulk-uploads/preview`):
 * the preview admits a bulk exactly as `POST /bulk-uploads` does (the bulk service's `admit`,
 * the same 400 for a bad field) and says what it would do, without starting anything.
 */
import { randomBytes } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { BulkInputError } from '../../bulks';
import { previewBulk } from '../../bulks/preview';
import { BulkUploadInputSchema } from '../../contracts/bulk-input';
import { knownPlatformNames } from '../../contracts/platforms';
import { Account, LibraryVideo } from '../../database/entities';
import { platformOptions } from '../../platforms/registry';
import { scheduleClock } from '../../scheduling/clock';
import { localeOf } from '../i18n';
import type { ApiDeps } from '../deps';
import { jsonBodyRoute, protectedRoute } from '../openapi';
import { createRouter, errorResponses, htmlResponse, invalidRequest, jsonBody } from '../validation';
import { BulkNewPage } from '../views/bulk-new-page';
import { htmlPage } from '../views/layout';

const PreviewSchema = z
  .object({
    posts: z.number().int().openapi({ description: "posts the bulk makes: each account's videos" }),
    accounts: z.number().int(),
    videos: z.number().int().openapi({ description: 'videos listed (a Drive folder’s are counted in `driveFolderMaxFiles`)' }),
    firstPlannedAt: z.string().nullable().openapi({ description: 'plan time (ISO) of the first post; null when the bulk publishes now' }),
    lastPlannedAt: z.string().nullable().openapi({ description: 'plan time (ISO) of the last post; null when the bulk publishes now' }),
    timeZone: z.string().nullable().openapi({ description: "the schedule's zone; null when the bulk publishes now" }),
    estimate: z.boolean().openapi({ description: "true for planned times: other bulks may still take the accounts' slots before this one starts" }),
    driveFolderMaxFiles: z.number().int().nullable(),
    unplannable: z.array(z.string()).openapi({ description: 'accounts whose posts no time within the planner’s horizon can meet' }),
  })
  .openapi('BulkPreview');

const previewRoute = jsonBodyRoute({
  method: 'post',
  path: '/bulk-uploads/preview',
  summary: 'What a bulk would do, without starting it: posts, accounts, videos, first and last planned time',
  description:
    'Admits the body exactly as `POST /bulk-uploads` does (the same checks, the same 400 naming each bad field) and starts nothing. A scheduled bulk is planned ' +
    "account by account from each account's planned and recent posts, as its pacer would begin; other bulks may still take slots first, so the times are an estimate.",
  request: { body: jsonBody(BulkUploadInputSchema, 'the bulk, as `POST /bulk-uploads` takes it') },
  responses: {
    200: { description: 'the preview', content: { 'application/json': { schema: PreviewSchema } } },
    ...errorResponses({ 400: 'a field is invalid, as `POST /bulk-uploads` answers it' }),
  },
});

const pageRoute = protectedRoute({
  method: 'get',
  path: '/dashboard/bulks/new',
  summary: 'Dashboard: the new-bulk form (HTML)',
  responses: {
    200: htmlResponse('the form: library videos, accounts, options, schedule; Preview and Start call the API'),
    303: { description: 'without a session, to the sign-in page' },
  },
});

/** A task id nobody has used: the day and time, and a random tail. */
function freshTaskId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `bulk-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The zones the schedule's select offers: every zone the runtime knows, UTC and the operator's among them. */
function timeZones(operatorZone: string): string[] {
  return [...new Set(['UTC', operatorZone, ...Intl.supportedValuesOf('timeZone')])].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}

/** New-bulk routes; mounted before `/dashboard/bulks/{taskId}`, which would take `new` as a task id. */
export function bulkNewRoutes(deps: ApiDeps) {
  const app = createRouter();
  const clock = scheduleClock(deps.config.scheduleClock);
  // Read once: the site files are the platforms this process started with.
  const platforms = knownPlatformNames(platformOptions(deps.config).sites);

  app.openapi(previewRoute, async (c) => {
    try {
      const { input } = await deps.bulks.admit(c.req.valid('json'));
      return c.json(await previewBulk({ orm: deps.orm, clock }, input), 200);
    } catch (err) {
      if (err instanceof BulkInputError) return c.json(invalidRequest('json', err.issues), 400);
      throw err;
    }
  });

  app.openapi(pageRoute, async (c) => {
    const em = deps.orm.em.fork();
    const [videos, accounts] = await Promise.all([
      em.find(LibraryVideo, {}, { orderBy: { createdAt: 'desc' } }),
      em.find(Account, {}, { orderBy: { id: 'asc' }, fields: ['id', 'platform', 'username', 'tags'] }),
    ]);
    return htmlPage(
      c,
      <BulkNewPage
        taskId={freshTaskId()}
        platforms={platforms}
        platform={platforms.includes('demo') ? 'demo' : (platforms[0] ?? '')}
        videos={videos.map(({ id, path, originalName, sizeBytes, durationSec, width, height }) => ({ id, path, originalName, sizeBytes, durationSec, width, height }))}
        accounts={accounts.map((a) => ({ id: a.id, platform: a.platform, username: a.username, tags: a.tags ?? [] }))}
        timeZones={timeZones(localeOf(c).timeZone)}
      />,
    );
  });

  return app;
}
