/** Bulk upload routes: start, list, read and cancel bulks. (Logs: `logs.tsx`.) */
import { Hono } from 'hono';
import { z } from 'zod';
import { TASK_STATUSES } from '../../contracts/activities';
import { BulkUploadInputSchema, IdSchema, parseBulkUploadInput } from '../../contracts/bulk-input';
import { MediaError, resolveVideoPath } from '../../media';
import { PLATFORM_NAMES, isKnownPlatform } from '../../platforms/registry';
import { BulkAlreadyExistsError, BulkStateError, cancelBulk, listBulks, readBulkStatus, retryFailedAccounts, startBulk } from '../bulk-service';
import type { ApiDeps } from '../deps';
import { bulkLinks } from '../links';
import { fieldError, validate } from '../validation';

const TaskParam = z.object({ taskId: IdSchema });
/** A status, or several separated by commas: `?status=failed,partially_failed`. */
const StatusList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(TASK_STATUSES)).max(TASK_STATUSES.length));
/** A date (`2026-11-23`, midnight UTC) or a full ISO timestamp. */
const DateBound = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s));
const ListQuery = z.object({
  status: StatusList.optional(),
  since: DateBound.optional(),
  until: DateBound.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** True for a plain HTML form post (the dashboard's buttons): answer with a redirect, not JSON. */
function isFormPost(contentType: string | undefined): boolean {
  return /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType ?? '');
}

/** `/bulk-uploads` and its sub-resources. */
export function bulkUploadRoutes(deps: ApiDeps) {
  const app = new Hono();

  app.post('/bulk-uploads', validate('json', BulkUploadInputSchema), async (c) => {
    const input = parseBulkUploadInput(c.req.valid('json'));
    if (!isKnownPlatform(input.platform)) return c.json(fieldError('platform', `unknown platform "${input.platform}"; known: ${PLATFORM_NAMES.join(', ')}`), 400);
    // Paths are checked before any work starts: a bad one rejects the whole bulk.
    for (const [i, video] of input.videos.entries()) {
      try {
        await resolveVideoPath(deps.config.media.root, video.path, deps.config.media.maxVideoBytes);
      } catch (err) {
        if (err instanceof MediaError) return c.json(fieldError(`videos.${i}.path`, err.message), 400);
        throw err;
      }
    }
    try {
      const { workflowId, runId } = await startBulk(deps.temporal, deps.config.temporal, input);
      return c.json({ taskId: input.taskId, workflowId, runId, links: bulkLinks(deps.config, input.taskId) }, 202);
    } catch (err) {
      if (err instanceof BulkAlreadyExistsError) return c.json(fieldError('taskId', err.message), 409);
      throw err;
    }
  });

  app.get('/bulk-uploads', validate('query', ListQuery), async (c) => {
    const { status, since, until, limit, offset } = c.req.valid('query');
    const { bulks, total } = await listBulks(deps.orm, { status, since, until, limit, offset });
    return c.json({ total, limit, offset, bulks: bulks.map((b) => ({ ...b, links: bulkLinks(deps.config, b.taskId) })) });
  });

  app.post('/bulk-uploads/:taskId/cancel', validate('param', TaskParam), async (c) => {
    const { taskId } = c.req.valid('param');
    try {
      const { workflowId } = await cancelBulk(deps.temporal, taskId);
      if (isFormPost(c.req.header('content-type'))) return c.redirect(`/dashboard/bulks/${encodeURIComponent(taskId)}`, 303);
      return c.json({ taskId, workflowId, cancelRequested: true }, 202);
    } catch (err) {
      if (err instanceof BulkStateError) return c.json({ error: err.message }, err.status);
      throw err;
    }
  });

  app.post('/bulk-uploads/:taskId/retry-failed', validate('param', TaskParam), async (c) => {
    const { taskId } = c.req.valid('param');
    try {
      const { workflowId, accountIds } = await retryFailedAccounts(deps.temporal, deps.orm, deps.config.temporal, taskId);
      if (isFormPost(c.req.header('content-type'))) return c.redirect(`/dashboard/bulks/${encodeURIComponent(taskId)}`, 303);
      return c.json({ taskId, workflowId, accountIds, links: bulkLinks(deps.config, taskId) }, 202);
    } catch (err) {
      if (err instanceof BulkStateError) return c.json({ error: err.message }, err.status);
      if (err instanceof BulkAlreadyExistsError) return c.json({ error: err.message }, 409);
      throw err;
    }
  });

  app.get('/bulk-uploads/:taskId', validate('param', TaskParam), async (c) => {
    const { taskId } = c.req.valid('param');
    const status = await readBulkStatus(deps.temporal, deps.orm, taskId);
    if (!status) return c.json({ error: `no bulk upload with task id "${taskId}"` }, 404);
    return c.json({ ...status, links: bulkLinks(deps.config, taskId) });
  });

  return app;
}
