/** `POST /bulk-uploads/import`: a plan (CSV or JSON rows of video, caption, account, time) becomes a bulk. */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { BulkConflictError } from '../../bulks';
import { PlanImportError, admitPlan, parsePlanCsv, parsePlanJson, type PlanRow, type PlanTarget } from '../../bulks/import-plan';
import { bulkLinks } from '../../bulks/links';
import { BulkOptionsSchema, BulkUploadInputSchema, IdSchema } from '../../contracts/bulk-input';
import type { ApiDeps } from '../deps';
import { protectedRoute } from '../openapi';
import { createRouter, errorResponse, errorResponses, fieldError, invalidRequest } from '../validation';

const PlatformSchema = BulkUploadInputSchema.shape.platform;

/** `options` in the query string: the bulk's options as JSON. */
const OptionsParam = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be the bulk options as JSON, e.g. {"schedule":{"timeZone":"Europe/Berlin"}}' });
      return z.NEVER;
    }
  })
  .pipe(BulkOptionsSchema)
  .openapi({ type: 'string', description: 'the bulk options as JSON (as in `POST /bulk-uploads`), e.g. `{"schedule":{"timeZone":"Europe/Berlin"}}`' });

/** With a CSV body, the bulk is named in the query; with a JSON body, in the body. */
const CsvQuery = z.object({
  taskId: IdSchema.optional().openapi({ description: 'with a `text/csv` body: the task id of the bulk (required)' }),
  platform: PlatformSchema.describe('with a `text/csv` body: the platform'),
  options: OptionsParam.optional(),
});

const ImportBody = z
  .object({
    taskId: IdSchema,
    platform: PlatformSchema,
    options: BulkOptionsSchema.optional(),
    rows: z.array(z.unknown()).optional().openapi({ description: 'the plan: `[{ video, caption?, account, publishAt? }]`; a row\'s "line" is its 1-based index' }),
    csv: z.string().optional().openapi({ description: 'the plan as CSV text, instead of `rows`' }),
  })
  .refine((body) => (body.rows === undefined) !== (body.csv === undefined), { message: 'give the plan as either rows or csv', path: ['rows'] });

/** A refused plan: each problem with its line (absent for the bulk as a whole) and column. */
const PlanErrorBody = z
  .object({
    error: z.string(),
    issues: z.array(z.object({ line: z.number().int().optional(), field: z.string(), message: z.string() })),
  })
  .openapi('PlanError');

const CSV_TYPE = 'text/csv';

const importRoute = protectedRoute({
  method: 'post',
  path: '/bulk-uploads/import',
  summary: 'Start the bulk a plan describes (CSV or JSON rows of video, caption, account, time)',
  description:
    'One post per row: the video (a path under MEDIA_ROOT), its caption, the account it goes to, and optionally when (ISO with a zone, or ' +
    '`2026-11-25 09:00` in `options.schedule.timeZone`, default UTC). A CSV names its columns in its first line: `video` (or `path`), `caption`, ' +
    '`account` (or `accountId`), `publishAt` (or `time`). Send `text/csv` with `taskId`, `platform` and `options` in the query, or JSON ' +
    '`{ taskId, platform, options?, rows }` or `{ taskId, platform, options?, csv }`. Every row is checked before anything starts (its file, its ' +
    "account, its time, then the rules of `POST /bulk-uploads`), and a bad one refuses the plan with each problem's line and column (a CSV's " +
    'header is line 1). Answers like `POST /bulk-uploads`; the same plan under the same task id is idempotent.',
  request: {
    query: CsvQuery,
    body: {
      required: false,
      description: 'the plan, as CSV text or JSON',
      content: {
        'application/json': { schema: ImportBody },
        // Described, not validated by the router: the plan's parser names each bad line.
        [CSV_TYPE]: { schema: z.string().openapi({ example: 'video,caption,account,publishAt\nclips/a.mp4,Hello,ann,2026-11-25 09:00\n' }) },
      },
    },
  },
  responses: {
    202: { description: 'started (or already started with the same plan): task id, workflow id, run id, `alreadyStarted`, links' },
    400: {
      description: 'the plan is refused: `issues: [{ line, field, message }]`, e.g. `line 4: account: unknown account "zed" …`',
      content: { 'application/json': { schema: PlanErrorBody } },
    },
    409: errorResponse('the task id is already used by another bulk with different input'),
    ...errorResponses({ 415: 'the body is neither JSON nor text/csv' }),
  },
});

/** The 400 answer to a refused plan. */
function planRefused(c: Context, err: PlanImportError) {
  return c.json({ error: err.message, issues: err.issues }, 400);
}

/** `/bulk-uploads/import`. */
export function bulkImportRoutes(deps: ApiDeps) {
  const app = createRouter();

  app.openapi(importRoute, async (c) => {
    let rows: PlanRow[];
    let target: PlanTarget;
    try {
      if ((c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase() === CSV_TYPE) {
        const { taskId, platform, options } = c.req.valid('query');
        if (taskId === undefined) return c.json(invalidRequest('query', [{ field: 'taskId', message: 'is required with a text/csv body' }]), 400);
        target = { taskId, platform, options };
        rows = parsePlanCsv(await c.req.text());
      } else {
        const body = c.req.valid('json');
        // No body at all: the JSON validator is skipped for a request without a content type.
        if (typeof body !== 'object' || !('taskId' in body))
          return c.json(invalidRequest('json', [{ field: '(body)', message: `send the plan as ${CSV_TYPE} or as JSON { taskId, platform, rows | csv }` }]), 400);
        target = { taskId: body.taskId, platform: body.platform, options: body.options };
        rows = body.csv === undefined ? parsePlanJson({ rows: body.rows }) : parsePlanCsv(body.csv);
      }
      const admitted = await admitPlan({ orm: deps.orm, media: deps.config.media, admit: deps.bulks.admit }, rows, target);
      const { taskId, workflowId, runId, alreadyStarted } = await deps.bulks.start(admitted);
      return c.json({ taskId, workflowId, runId: runId ?? null, alreadyStarted, links: bulkLinks(deps.config, taskId) }, 202);
    } catch (err) {
      if (err instanceof PlanImportError) return planRefused(c, err);
      if (err instanceof BulkConflictError) return c.json(fieldError(err.field, err.message), 409);
      throw err;
    }
  });

  return app;
}
