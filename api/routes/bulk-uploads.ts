/** Bulk upload routes: start one, read its status, read its logs. */
import { Hono } from 'hono';
import { z } from 'zod';
import { BulkUploadInputSchema, IdSchema, parseBulkUploadInput } from '../../contracts/bulk-input';
import { MediaError, resolveMediaPath } from '../../media';
import { PLATFORM_NAMES, isKnownPlatform } from '../../platforms/registry';
import { BulkAlreadyExistsError, readBulkStatus, startBulk } from '../bulk-service';
import type { ApiDeps } from '../deps';
import { bulkLinks } from '../links';
import { fieldError, validate } from '../validation';

const TaskParam = z.object({ taskId: IdSchema });
const LogsQuery = z.object({
  account: IdSchema.optional(),
  after: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

export function bulkUploadRoutes(deps: ApiDeps) {
  const app = new Hono();

  app.post('/bulk-uploads', validate('json', BulkUploadInputSchema), async (c) => {
    const input = parseBulkUploadInput(c.req.valid('json'));
    if (!isKnownPlatform(input.platform)) return c.json(fieldError('platform', `unknown platform "${input.platform}"; known: ${PLATFORM_NAMES.join(', ')}`), 400);
    // Paths are checked before any work starts: a bad one rejects the whole bulk.
    for (const [i, video] of input.videos.entries()) {
      try {
        await resolveMediaPath(deps.config.media.root, video.path);
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

  app.get('/bulk-uploads/:taskId', validate('param', TaskParam), async (c) => {
    const { taskId } = c.req.valid('param');
    const status = await readBulkStatus(deps.temporal, deps.orm, taskId);
    if (!status) return c.json({ error: `no bulk upload with task id "${taskId}"` }, 404);
    return c.json({ ...status, links: bulkLinks(deps.config, taskId) });
  });

  app.get('/bulk-upload/:taskId/logs/', validate('param', TaskParam), validate('query', LogsQuery), async (c) => {
    const { taskId } = c.req.valid('param');
    const { account, after, limit } = c.req.valid('query');
    const { entries, source } = await deps.logStore.read(taskId, { accountId: account, after, limit });
    return c.json({ taskId, accountId: account ?? null, source, entries, next: entries.at(-1)?.id ?? after ?? null });
  });

  return app;
}
