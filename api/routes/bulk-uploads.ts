/** Bulk upload routes: start, list, read and cancel bulks. (Logs: `logs.tsx`.) */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { TASK_STATUSES } from '../../contracts/activities';
import { BulkConflictError, BulkInputError, BulkStateError } from '../../bulks';
import { bulkLinks } from '../../bulks/links';
import { BulkUploadInputSchema, IdSchema, describeIssues } from '../../contracts/bulk-input';
import { InstantSchema } from '../../contracts/schedule';
import { parsePlanTime } from '../../bulks/import-plan';
import type { ApiDeps } from '../deps';
import { jsonBodyRoute, protectedRoute } from '../openapi';
import { TaskParam, createRouter, errorResponses, fieldError, invalidRequest, jsonBody } from '../validation';

/** A status, or several separated by commas: `?status=failed,partially_failed`. */
const StatusList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(TASK_STATUSES)).max(TASK_STATUSES.length))
  .openapi({ type: 'string', description: `one status or several, comma-separated (${TASK_STATUSES.join(', ')})` });
/** A date (`2026-11-23`, midnight UTC) or a full ISO timestamp. */
const DateBound = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s));
const ListQuery = z.object({
  status: StatusList.optional(),
  since: DateBound.optional().openapi({ description: 'created at or after (a date, midnight UTC, or an ISO timestamp)' }),
  until: DateBound.optional().openapi({ description: 'created at or before' }),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** True for a plain HTML form post (the dashboard's buttons): answer with a redirect, not JSON. */
function isFormPost(contentType: string | undefined): boolean {
  return /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType ?? '');
}

const startRoute = jsonBodyRoute({
  method: 'post',
  path: '/bulk-uploads',
  summary: 'Validate and start a bulk',
  description:
    'Every check that can be made up front is made before anything starts, and a bad field refuses the whole bulk: the schema, the platform, each video ' +
    '(under MEDIA_ROOT, a file, within MAX_VIDEO_BYTES, a video by ffprobe) and each account (exists, on that platform). The same task id with the same ' +
    'input is idempotent (`alreadyStarted: true`, nothing new starts); with other input it is 409 naming `taskId`.',
  request: { body: jsonBody(BulkUploadInputSchema, 'the bulk: task id, videos (paths under MEDIA_ROOT), account ids, platform, options') },
  responses: {
    202: { description: 'started (or already started with the same input): task id, workflow id, run id, `alreadyStarted`, links' },
    ...errorResponses({
      400: 'a field is invalid: e.g. `videos.0.path: not a video …`, `accountIds.3: unknown account …`, an unknown platform',
      409: 'the task id is already used by another bulk with different input',
    }),
  },
});

const listRoute = protectedRoute({
  method: 'get',
  path: '/bulk-uploads',
  summary: 'List bulks, newest first',
  request: { query: ListQuery },
  responses: { 200: { description: '`{ total, limit, offset, bulks: [...] }` with per-account counts and links' }, ...errorResponses({ 400: 'a filter is invalid' }) },
});

/** What a route about one bulk may answer when the task id names none. */
const unknownBulk = { 400: 'the task id is invalid', 404: 'no bulk with that task id' };

/** `POST /bulk-uploads/<taskId>/<action>`: an operator's action on one bulk, from the API or the dashboard's buttons. */
const actionRoute = <Action extends string>(action: Action, summary: string, accepted: string, conflict: string) =>
  protectedRoute({
    method: 'post',
    path: `/bulk-uploads/{taskId}/${action}`,
    summary,
    request: { params: TaskParam },
    responses: {
      202: { description: accepted },
      303: { description: 'a form post (the dashboard) is sent back to the bulk page' },
      ...errorResponses({ ...unknownBulk, 409: conflict }),
    },
  });

const cancelRoute = actionRoute('cancel', 'Cancel a running bulk; its accounts end `cancelled`', 'cancellation requested', 'the bulk has already finished');
const retryRoute = actionRoute(
  'retry-failed',
  'Run a finished bulk again over only its failed or cancelled accounts (nothing published is posted again)',
  'retry started: the accounts retried, links',
  'the bulk is still running, has nothing to retry, or a retry is running',
);

const pauseRoute = actionRoute('pause', 'Pause a running bulk: no new upload starts, running ones finish, planned times stay', 'pause requested', 'the bulk is not running');
const resumeRoute = actionRoute('resume', 'Resume a paused bulk: posts whose time has come go out now, the rest at their times', 'resume requested', 'the bulk is not running');

/** A new time: an ISO instant with zone, or (from the dashboard's form) a local `YYYY-MM-DDTHH:MM` read in the bulk's time zone. */
const NewTimeBody = z.object({
  publishAt: z.string().min(1).openapi({ description: 'ISO time with zone (2026-11-25T09:00:00+01:00), or local YYYY-MM-DDTHH:MM in the bulk schedule’s zone' }),
});
// Read by the handler rather than declared as the route's body: the same route takes JSON
// (the API) and a form post (the dashboard), and a declared body is validated as one of them only.
const NEW_TIME_BODY = 'Body: `{ "publishAt": "<ISO time with zone>" }` as JSON, or a form field `publishAt` (a local `YYYY-MM-DDTHH:MM` read in the schedule’s zone).';
const AccountParams = TaskParam.extend({ accountId: IdSchema });
const PostParams = AccountParams.extend({ videoId: IdSchema });

const rescheduleRoute = protectedRoute({
  method: 'post',
  path: '/bulk-uploads/{taskId}/reschedule',
  summary: 'Plan every post of a scheduled bulk not yet published again, from a new time on (slots, spacing and the daily maximum still apply)',
  description: NEW_TIME_BODY,
  request: { params: TaskParam },
  responses: {
    202: { description: 'reschedule requested' },
    303: { description: 'a form post (the dashboard) is sent back to the bulk page' },
    ...errorResponses({ ...unknownBulk, 409: 'the bulk is not running or has no schedule' }),
  },
});

const movePostRoute = protectedRoute({
  method: 'post',
  path: '/bulk-uploads/{taskId}/accounts/{accountId}/videos/{videoId}/move',
  summary: 'Move one planned post, not yet published, to exactly this time',
  description: NEW_TIME_BODY,
  request: { params: PostParams },
  responses: {
    202: { description: 'move requested' },
    303: { description: 'a form post (the dashboard) is sent back to the bulk page' },
    ...errorResponses({ ...unknownBulk, 409: 'the post is published already, not planned, or its account is not running' }),
  },
});

const cancelAccountRoute = protectedRoute({
  method: 'post',
  path: '/bulk-uploads/{taskId}/accounts/{accountId}/cancel',
  summary: "Cancel one account's remaining posts; the rest of the bulk goes on",
  request: { params: AccountParams },
  responses: {
    202: { description: 'cancellation requested' },
    303: { description: 'a form post (the dashboard) is sent back to the bulk page' },
    ...errorResponses({ ...unknownBulk, 409: 'the account has finished' }),
  },
});

const planRoute = protectedRoute({
  method: 'get',
  path: '/bulk-uploads/{taskId}/plan',
  summary: "Every post of a bulk with its planned time (plan time, and as read in the schedule's zone), earliest first",
  request: { params: TaskParam },
  responses: { 200: { description: '`{ taskId, timeZone, posts: [{ accountId, videoId, status, plannedAt, plannedLabel, postUrl, error }] }`' }, ...errorResponses(unknownBulk) },
});

/** Reads `publishAt` from a JSON body or a form post, as an instant (a local form time is read in `zone`). */
async function newTime(c: Context, zone: () => Promise<string>): Promise<{ publishAt: string } | { issues: { field: string; message: string }[] }> {
  const raw: unknown = isFormPost(c.req.header('content-type')) ? await c.req.parseBody() : await c.req.json().catch(() => undefined);
  const parsed = NewTimeBody.safeParse(raw);
  if (!parsed.success) return { issues: describeIssues(parsed.error) };
  const value = parsed.data.publishAt;
  if (InstantSchema.safeParse(value).success) return { publishAt: value };
  // A local time is read as the CLI and plan imports read it: a date that does not exist, or a time DST skips, is refused.
  const read = parsePlanTime(value, await zone());
  return 'error' in read ? { issues: [{ field: 'publishAt', message: read.error }] } : { publishAt: read.instant };
}

const statusRoute = protectedRoute({
  method: 'get',
  path: '/bulk-uploads/{taskId}',
  summary: 'Status and per-account progress (posts, errors)',
  request: { params: TaskParam },
  responses: { 200: { description: 'the status, accounts, videos and links' }, ...errorResponses(unknownBulk) },
});

/**
 * Runs an operator's action on one bulk and answers it: a form post (the dashboard) is sent back
 * to the bulk page, an API call gets what the action returns with 202, and a bulk that is
 * missing or in the wrong state gets its 404 or 409.
 */
async function actionAnswer(c: Context, taskId: string, act: () => Promise<Record<string, unknown>>): Promise<Response> {
  try {
    const accepted = await act();
    if (isFormPost(c.req.header('content-type'))) return c.redirect(`/dashboard/bulks/${encodeURIComponent(taskId)}`, 303);
    return c.json(accepted, 202);
  } catch (err) {
    if (err instanceof BulkStateError) return c.json({ error: err.message }, err.status);
    throw err;
  }
}

/** `/bulk-uploads` and its sub-resources. */
export function bulkUploadRoutes(deps: ApiDeps) {
  const app = createRouter();

  app.openapi(startRoute, async (c) => {
    try {
      const started = await deps.bulks.submit(c.req.valid('json'));
      const { taskId, workflowId, runId, alreadyStarted } = started;
      return c.json({ taskId, workflowId, runId: runId ?? null, alreadyStarted, links: bulkLinks(deps.config, taskId) }, 202);
    } catch (err) {
      if (err instanceof BulkInputError) return c.json(invalidRequest('json', err.issues), 400);
      if (err instanceof BulkConflictError) return c.json(fieldError(err.field, err.message), 409);
      throw err;
    }
  });

  app.openapi(listRoute, async (c) => {
    const { status, since, until, limit, offset } = c.req.valid('query');
    const { bulks, total } = await deps.bulks.list({ status, since, until, limit, offset });
    return c.json({ total, limit, offset, bulks: bulks.map((b) => ({ ...b, links: bulkLinks(deps.config, b.taskId) })) }, 200);
  });

  app.openapi(cancelRoute, (c) => {
    const { taskId } = c.req.valid('param');
    return actionAnswer(c, taskId, async () => ({ taskId, workflowId: (await deps.bulks.cancel(taskId)).workflowId, cancelRequested: true }));
  });

  app.openapi(retryRoute, (c) => {
    const { taskId } = c.req.valid('param');
    return actionAnswer(c, taskId, async () => {
      const { workflowId, accountIds } = await deps.bulks.retryFailed(taskId);
      return { taskId, workflowId, accountIds, links: bulkLinks(deps.config, taskId) };
    });
  });

  app.openapi(pauseRoute, (c) => {
    const { taskId } = c.req.valid('param');
    return actionAnswer(c, taskId, async () => ({ taskId, ...(await deps.bulks.pause(taskId)), pauseRequested: true }));
  });

  app.openapi(resumeRoute, (c) => {
    const { taskId } = c.req.valid('param');
    return actionAnswer(c, taskId, async () => ({ taskId, ...(await deps.bulks.resume(taskId)), resumeRequested: true }));
  });

  const zoneOf = (taskId: string) => () => deps.bulks.timeZone(taskId);

  app.openapi(rescheduleRoute, async (c) => {
    const { taskId } = c.req.valid('param');
    const body = await newTime(c, zoneOf(taskId)).catch((err: unknown) => (err instanceof BulkStateError ? err : Promise.reject(err)));
    if (body instanceof BulkStateError) return c.json({ error: body.message }, body.status);
    if ('issues' in body) return c.json(invalidRequest('json', body.issues), 400);
    return actionAnswer(c, taskId, async () => ({ taskId, ...(await deps.bulks.reschedule(taskId, body.publishAt)), publishAt: body.publishAt }));
  });

  app.openapi(movePostRoute, async (c) => {
    const { taskId, accountId, videoId } = c.req.valid('param');
    const body = await newTime(c, zoneOf(taskId)).catch((err: unknown) => (err instanceof BulkStateError ? err : Promise.reject(err)));
    if (body instanceof BulkStateError) return c.json({ error: body.message }, body.status);
    if ('issues' in body) return c.json(invalidRequest('json', body.issues), 400);
    return actionAnswer(c, taskId, async () => ({
      taskId,
      accountId,
      videoId,
      ...(await deps.bulks.movePost(taskId, accountId, videoId, body.publishAt)),
      publishAt: body.publishAt,
    }));
  });

  app.openapi(cancelAccountRoute, (c) => {
    const { taskId, accountId } = c.req.valid('param');
    return actionAnswer(c, taskId, async () => ({ taskId, accountId, ...(await deps.bulks.cancelAccount(taskId, accountId)), cancelRequested: true }));
  });

  app.openapi(planRoute, async (c) => {
    const { taskId } = c.req.valid('param');
    try {
      return c.json(await deps.bulks.plan(taskId), 200);
    } catch (err) {
      if (err instanceof BulkStateError) return c.json({ error: err.message }, err.status);
      throw err;
    }
  });

  app.openapi(statusRoute, async (c) => {
    const { taskId } = c.req.valid('param');
    const status = await deps.bulks.status(taskId);
    if (!status) return c.json({ error: `no bulk upload with task id "${taskId}"` }, 404);
    return c.json({ ...status, links: bulkLinks(deps.config, taskId) }, 200);
  });

  return app;
}
