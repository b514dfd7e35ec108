/**
 * Recurring bulks: `/schedules` (create, list, read, pause, resume, trigger now, delete) and
 * the dashboard's page of them, `/dashboard/schedules`, whose buttons and create form are
 * plain form posts answered with a redirect back to it.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createScheduleService, ScheduleConflictError, ScheduleInputError, ScheduleNotFound, type RecurringScheduleView } from '../../schedules';
import { CreateScheduleInputSchema, RecurringNameSchema } from '../../schedules/schema';
import type { ApiDeps } from '../deps';
import { jsonBodyRoute, protectedRoute } from '../openapi';
import { createRouter, errorResponses, fieldError, htmlResponse, invalidRequest, jsonBody } from '../validation';
import { htmlPage } from '../views/layout';
import { SchedulesPage, type ScheduleFormValues } from '../views/schedules-page';

const NameParam = z.object({ name: RecurringNameSchema });
const DASHBOARD_PATH = '/dashboard/schedules';

/** True for a plain HTML form post (the dashboard's buttons): answer with a redirect, not JSON. */
function isFormPost(contentType: string | undefined): boolean {
  return /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType ?? '');
}

const unknownSchedule = { 400: 'the name is invalid', 404: 'no recurring bulk by that name' };

const createRoute = jsonBodyRoute({
  method: 'post',
  path: '/schedules',
  summary: 'Create a recurring bulk (a Temporal Schedule)',
  description:
    'Each fire takes the `newest` videos of `source.folder` under MEDIA_ROOT (or of a Drive folder) and starts one bulk, `<name>-<yyyymmddThhmmss>` (the scheduled time, UTC), ' +
    "for `accountIds` with `options` (`options.schedule` paces the posts into the accounts' slots). `spec` is one of `cron`, `calendar` ({ hour, minute, dayOfWeek }) or `every` " +
    '(`15m`, `1d`), in `timeZone`. Checked up front like a bulk: the folder, the platform, the accounts, the options. Overlap policy SKIP, catch-up window one minute.',
  request: { body: jsonBody(CreateScheduleInputSchema, 'the recurring bulk: name, spec, platform, accounts, source, newest, caption, options') },
  responses: {
    201: { description: 'created: the schedule as `GET /schedules/{name}` shows it' },
    ...errorResponses({ 400: 'a field is invalid, e.g. `source.folder: folder not found …`, `accountIds.1: unknown account …`', 409: 'a recurring bulk by that name exists' }),
  },
});

const listRoute = protectedRoute({
  method: 'get',
  path: '/schedules',
  summary: 'List recurring bulks',
  responses: { 200: { description: '`{ schedules: [...] }`: each with its definition, next runs, recent runs and their bulks' } },
});

const describeRoute = protectedRoute({
  method: 'get',
  path: '/schedules/{name}',
  summary: 'One recurring bulk: definition, paused or not, next runs, recent runs and their bulks',
  request: { params: NameParam },
  responses: { 200: { description: 'the recurring bulk' }, ...errorResponses(unknownSchedule) },
});

/** `POST /schedules/<name>/<action>`: from the API, or a button of the dashboard's page. */
const actionRoute = <Action extends string>(action: Action, summary: string) =>
  protectedRoute({
    method: 'post',
    path: `/schedules/{name}/${action}`,
    summary,
    request: { params: NameParam },
    responses: {
      200: { description: 'done: the recurring bulk as it is now' },
      303: { description: 'a form post (the dashboard) is sent back to the schedules page' },
      ...errorResponses(unknownSchedule),
    },
  });

const pauseRoute = actionRoute('pause', 'Pause a recurring bulk: no fire until resumed (bulks already started go on)');
const resumeRoute = actionRoute('resume', 'Resume a paused recurring bulk');
const triggerRoute = actionRoute('trigger', 'Fire a recurring bulk now, paused or not');

const deleteRoute = protectedRoute({
  method: 'delete',
  path: '/schedules/{name}',
  summary: 'Delete a recurring bulk (bulks it started go on)',
  request: { params: NameParam },
  responses: { 200: { description: '`{ name, deleted: true }`' }, ...errorResponses(unknownSchedule) },
});

const CreatedQuery = z.object({ created: RecurringNameSchema.optional().openapi({ description: 'a recurring bulk just created: the page says so' }) });
const pageRoute = protectedRoute({
  method: 'get',
  path: DASHBOARD_PATH,
  summary: 'Dashboard: the recurring bulks, with Pause/Resume, Trigger now, Delete and a create form (HTML)',
  request: { query: CreatedQuery },
  responses: { 200: htmlResponse('every recurring bulk'), ...errorResponses({ 400: '`created` is not a name' }) },
});

/** The create form: every field a string, as a browser sends them. */
const ScheduleForm = z.object(
  Object.fromEntries(
    ['name', 'every', 'at', 'cron', 'timeZone', 'platform', 'accountIds', 'folder', 'newest', 'caption', 'options'].map((k) => [k, z.string().max(100_000).optional()]),
  ),
);
const pageCreateRoute = protectedRoute({
  method: 'post',
  path: DASHBOARD_PATH,
  summary: "Dashboard: the create form's post",
  request: { body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: ScheduleForm } } } },
  responses: { 303: { description: 'created: back to the page, which announces it' }, 400: htmlResponse('refused: the page with each bad field and the form as it was') },
});
const pageDeleteRoute = protectedRoute({
  method: 'post',
  path: `${DASHBOARD_PATH}/{name}/delete`,
  summary: "Dashboard: a Delete button's post (a form cannot send DELETE)",
  request: { params: NameParam },
  responses: { 303: { description: 'deleted: back to the page' }, ...errorResponses(unknownSchedule) },
});

/**
 * The create form as the API's JSON: blank fields left out, `at` (HH:MM) as a calendar spec,
 * accounts split at commas, `newest` a number, `options` parsed. What does not parse is left
 * as written, so the schema names the field.
 */
export function formToRequest(form: ScheduleFormValues): Record<string, unknown> {
  const v = (k: keyof ScheduleFormValues) => (form[k]?.trim() ? form[k].trim() : undefined);
  const at = v('at');
  const atMatch = at ? /^(\d{1,2}):(\d{2})$/.exec(at) : null;
  let options: unknown = v('options');
  if (typeof options === 'string') {
    try {
      options = JSON.parse(options);
    } catch {
      // Left a string: the schema answers `options: expected object`.
    }
  }
  const newest = v('newest');
  return {
    name: v('name'),
    spec: {
      ...(at ? { calendar: atMatch ? { hour: Number(atMatch[1]), minute: Number(atMatch[2]) } : at } : {}),
      ...(v('every') ? { every: v('every') } : {}),
      ...(v('cron') ? { cron: v('cron') } : {}),
      ...(v('timeZone') ? { timeZone: v('timeZone') } : {}),
    },
    ...(v('platform') ? { platform: v('platform') } : {}),
    accountIds: (v('accountIds') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    source: { folder: v('folder') },
    newest: newest !== undefined && /^\d+$/.test(newest) ? Number(newest) : newest,
    ...(v('caption') ? { caption: v('caption') } : {}),
    ...(options !== undefined ? { options } : {}),
  };
}

/** `/schedules` and the dashboard's schedules page. */
export function scheduleRoutes(deps: ApiDeps) {
  const app = createRouter();
  const schedules = createScheduleService({ temporal: deps.temporal, orm: deps.orm, config: deps.config });

  /**
   * Runs an action on one recurring bulk and answers it: a form post (the dashboard) is sent
   * back to the page, an API call gets the schedule as it is now; an unknown name is 404.
   */
  async function actionAnswer(c: Context, act: () => Promise<RecurringScheduleView | { name: string; deleted: true }>): Promise<Response> {
    try {
      const result = await act();
      if (isFormPost(c.req.header('content-type'))) return c.redirect(DASHBOARD_PATH, 303);
      return c.json(result, 200);
    } catch (err) {
      if (err instanceof ScheduleNotFound) return c.json({ error: err.message }, 404);
      throw err;
    }
  }

  app.openapi(createRoute, async (c) => {
    try {
      return c.json(await schedules.create(c.req.valid('json')), 201);
    } catch (err) {
      if (err instanceof ScheduleInputError) return c.json(invalidRequest('json', err.issues), 400);
      if (err instanceof ScheduleConflictError) return c.json(fieldError(err.field, err.message), 409);
      throw err;
    }
  });

  app.openapi(listRoute, async (c) => c.json({ schedules: await schedules.list() }, 200));

  app.openapi(describeRoute, (c) => actionAnswer(c, () => schedules.describe(c.req.valid('param').name)));
  app.openapi(pauseRoute, (c) => actionAnswer(c, () => schedules.pause(c.req.valid('param').name)));
  app.openapi(resumeRoute, (c) => actionAnswer(c, () => schedules.resume(c.req.valid('param').name)));
  app.openapi(triggerRoute, (c) => actionAnswer(c, () => schedules.trigger(c.req.valid('param').name)));
  app.openapi(deleteRoute, (c) => {
    const { name } = c.req.valid('param');
    return actionAnswer(c, async () => (await schedules.delete(name), { name, deleted: true as const }));
  });

  app.openapi(pageRoute, async (c) => {
    const { created } = c.req.valid('query');
    const listed = await schedules.list();
    // The server's list lags a moment behind a create: the one just created is read directly.
    const fresh = created && !listed.some((s) => s.name === created) ? await schedules.describe(created).catch(() => undefined) : undefined;
    return htmlPage(c, <SchedulesPage schedules={fresh ? [...listed, fresh] : listed} created={created} />);
  });

  app.openapi(pageCreateRoute, async (c) => {
    const form = c.req.valid('form') as ScheduleFormValues;
    try {
      const created = await schedules.create(formToRequest(form));
      return c.redirect(`${DASHBOARD_PATH}?created=${encodeURIComponent(created.name)}`, 303);
    } catch (err) {
      const issues = err instanceof ScheduleInputError ? err.issues : err instanceof ScheduleConflictError ? [{ field: err.field, message: err.message }] : undefined;
      if (!issues) throw err;
      return htmlPage(c, <SchedulesPage schedules={await schedules.list()} issues={issues} form={form} />, 400);
    }
  });

  app.openapi(pageDeleteRoute, (c) => {
    const { name } = c.req.valid('param');
    return actionAnswer(c, async () => (await schedules.delete(name), { name, deleted: true as const }));
  });

  return app;
}
