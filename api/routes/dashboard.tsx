/** The dashboard pages: the bulk list, one bulk and its failure screenshots (the Accounts page is in accounts-dashboard.tsx). */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from '@hono/zod-openapi';
import { TASK_STATUSES } from '../../contracts/activities';
import { IdSchema } from '../../contracts/bulk-input';
import { accountUploadWorkflowId } from '../../contracts/names';
import { VideoData } from '../../database/entities';
import { isInside, resolveMediaPath } from '../../media/paths';
import { createProgressCache, readAccountProgress } from '../bulk-progress';
import { fileResponse } from '../file-response';
import type { ApiDeps } from '../deps';
import { protectedRoute } from '../openapi';
import { bulkLinks, webUiWorkflowUrl } from '../../bulks/links';
import { TaskParam, createRouter, errorResponses, htmlResponse } from '../validation';
import { BulkListPage } from '../views/bulk-list-page';
import { BulkPage } from '../views/bulk-page';
import { htmlPage } from '../views/layout';

const ListQuery = z.object({
  status: z.union([z.enum(TASK_STATUSES), z.literal('')]).optional(),
  since: z.union([z.iso.date(), z.literal('')]).optional(),
});
const ScreenshotParam = TaskParam.extend({ accountId: IdSchema });
const ProgressView = z.object({
  accounts: z.record(z.string(), z.object({ phase: z.enum(['render', 'upload']), percent: z.number().int().min(0).max(100).nullable(), step: z.string().nullable() })),
});
const VariantParam = TaskParam.extend({ accountId: IdSchema, videoId: IdSchema });
const OriginalParam = TaskParam.extend({ videoId: IdSchema });
/** A video file, whole or a byte range of it (a `<video>` seeks with `Range`). */
const videoFileResponses = {
  200: { description: 'the whole file', content: { 'video/mp4': { schema: { type: 'string' as const, format: 'binary' } } } },
  206: { description: 'the byte range asked for (`Range: bytes=…`)', content: { 'video/mp4': { schema: { type: 'string' as const, format: 'binary' } } } },
  416: { description: 'the range lies past the end of the file' },
};

const progressRoute = protectedRoute({
  method: 'get',
  path: '/dashboard/bulks/{taskId}/progress',
  summary: "Dashboard: how far each running account is into its render or upload, from its activity's heartbeat",
  description: 'One answer per bulk per second, shared by every page that asks: it may be up to a second old.',
  request: { params: TaskParam },
  responses: {
    200: { description: 'each running account in a long step, by id', content: { 'application/json': { schema: ProgressView } } },
    ...errorResponses({ 400: 'the task id is invalid', 404: 'no such bulk' }),
  },
});
const variantRoute = protectedRoute({
  method: 'get',
  path: '/dashboard/bulks/{taskId}/variants/{accountId}/{videoId}',
  summary: "Dashboard: the variant of a bulk's video made for one account (for the preview player)",
  request: { params: VariantParam },
  responses: { ...videoFileResponses, ...errorResponses({ 400: 'an id is invalid', 404: 'no variant of that video for that account in that bulk (yet)' }) },
});
const originalRoute = protectedRoute({
  method: 'get',
  path: '/dashboard/bulks/{taskId}/originals/{videoId}',
  summary: "Dashboard: the original of a bulk's video (for the preview player)",
  request: { params: OriginalParam },
  responses: { ...videoFileResponses, ...errorResponses({ 400: 'an id is invalid', 404: 'no such video in that bulk, or its file is gone' }) },
});

/** The content type of a video file, by its extension. */
function videoContentType(file: string): string {
  const types: Record<string, string> = { '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm', '.mkv': 'video/x-matroska' };
  return types[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** A browser without a session is sent to the sign-in page instead of a 401. */
const toSignIn = { 303: { description: 'to `/dashboard` (or, without a session, to the sign-in page)' } };

const homeRoute = protectedRoute({ method: 'get', path: '/', summary: 'The dashboard (a redirect)', responses: toSignIn });
const listRoute = protectedRoute({
  method: 'get',
  path: '/dashboard',
  summary: 'Dashboard: the bulk list (HTML)',
  request: { query: ListQuery },
  responses: { 200: htmlResponse('the newest 100 bulks'), ...toSignIn, ...errorResponses({ 400: 'a filter is invalid' }) },
});
const bulkRoute = protectedRoute({
  method: 'get',
  path: '/dashboard/bulks/{taskId}',
  summary: 'Dashboard: one bulk, live (HTML)',
  request: { params: TaskParam },
  responses: { 200: htmlResponse('the bulk, its accounts and its live log'), ...toSignIn, ...errorResponses({ 400: 'the task id is invalid', 404: 'no such bulk' }) },
});
const screenshotRoute = protectedRoute({
  method: 'get',
  path: '/dashboard/bulks/{taskId}/screenshots/{accountId}',
  summary: "Dashboard: an account's newest failure screenshot",
  request: { params: ScreenshotParam },
  responses: {
    200: { description: 'the screenshot', content: { 'image/png': { schema: { type: 'string' as const, format: 'binary' } } } },
    ...errorResponses({ 400: 'an id is invalid', 404: 'no screenshot for that account in that bulk' }),
  },
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Dashboard routes; every page is behind the same auth as the API. */
export function dashboardRoutes(deps: ApiDeps) {
  const app = createRouter();

  /** The newest failure screenshot of an account in a task, by the name uploadViaBrowser gives it. */
  async function latestScreenshot(taskId: string, accountId: string, videoIds: string[]): Promise<string | undefined> {
    const dir = path.join(deps.config.media.artifactsDir, taskId);
    const pattern = new RegExp(`^${escapeRegExp(accountId)}-(?:${videoIds.map(escapeRegExp).join('|')})-attempt(\\d+)\\.png$`);
    const files = await fs.readdir(dir).catch(() => [] as string[]);
    const matching = files.filter((f) => pattern.test(f));
    if (!matching.length) return undefined;
    const withTimes = await Promise.all(matching.map(async (f) => ({ f, t: (await fs.stat(path.join(dir, f))).mtimeMs })));
    return path.join(dir, withTimes.sort((a, b) => b.t - a.t)[0]!.f);
  }

  app.openapi(homeRoute, (c) => c.redirect('/dashboard', 303));

  app.openapi(listRoute, async (c) => {
    const { status, since } = c.req.valid('query');
    const { bulks, total } = await deps.bulks.list({ status: status ? [status] : undefined, since: since ? new Date(`${since}T00:00:00Z`) : undefined, limit: 100, offset: 0 });
    return htmlPage(c, <BulkListPage bulks={bulks} total={total} status={status || undefined} since={since || undefined} />);
  });

  app.openapi(bulkRoute, async (c) => {
    const { taskId } = c.req.valid('param');
    const status = await deps.bulks.status(taskId);
    if (!status) return c.notFound();
    const { entries } = await deps.logStore.read(taskId, { limit: 1_000 });
    const childWebUi: Record<string, string> = {};
    const screenshots: Record<string, string> = {};
    for (const a of status.accounts) {
      childWebUi[a.accountId] = webUiWorkflowUrl(deps.config.temporal, accountUploadWorkflowId(taskId, a.accountId));
      if (
        a.status === 'failed' &&
        (await latestScreenshot(
          taskId,
          a.accountId,
          a.videos.map((v) => v.videoId),
        ))
      ) {
        screenshots[a.accountId] = `/dashboard/bulks/${encodeURIComponent(taskId)}/screenshots/${encodeURIComponent(a.accountId)}`;
      }
    }
    return htmlPage(c, <BulkPage status={status} links={bulkLinks(deps.config, taskId)} childWebUi={childWebUi} screenshots={screenshots} entries={entries} />);
  });

  const progressOfBulk = createProgressCache(async (taskId) => {
    const status = await deps.bulks.status(taskId);
    if (!status) return null;
    return readAccountProgress(
      deps.temporal,
      taskId,
      status.accounts.filter((a) => a.status === 'running'),
    );
  });
  app.openapi(progressRoute, async (c) => {
    const { taskId } = c.req.valid('param');
    const accounts = await progressOfBulk(taskId);
    if (!accounts) return c.json({ error: `no bulk "${taskId}"` }, 404);
    return c.json({ accounts }, 200);
  });

  // Only a file the bulk's own rows name is served, and only from under its folder:
  // variants under VARIANTS_DIR, originals under MEDIA_ROOT (symlinks out of it refused).
  app.openapi(variantRoute, async (c) => {
    const { taskId, accountId, videoId } = c.req.valid('param');
    const video = await deps.orm.em.fork().findOne(VideoData, { task: taskId, accountId, videoId }, { fields: ['filePath'] });
    const variantsDir = await fs.realpath(path.resolve(deps.config.media.variantsDir)).catch(() => null);
    const file = video?.filePath ? await fs.realpath(path.resolve(video.filePath)).catch(() => null) : null;
    const answer = variantsDir && file && isInside(variantsDir, file) ? await fileResponse(c, file, { contentType: videoContentType(file) }) : null;
    return answer ?? c.json({ error: `no variant of video "${videoId}" for account "${accountId}" in bulk "${taskId}"` }, 404);
  });

  app.openapi(originalRoute, async (c) => {
    const { taskId, videoId } = c.req.valid('param');
    const video = await deps.orm.em.fork().findOne(VideoData, { task: taskId, videoId }, { fields: ['originalPath'] });
    const file = video ? await resolveMediaPath(deps.config.media.root, video.originalPath).catch(() => null) : null;
    const answer = file ? await fileResponse(c, file, { contentType: videoContentType(file) }) : null;
    return answer ?? c.json({ error: `no video "${videoId}" in bulk "${taskId}"` }, 404);
  });

  app.openapi(screenshotRoute, async (c) => {
    const { taskId, accountId } = c.req.valid('param');
    const status = await deps.bulks.status(taskId);
    const account = status?.accounts.find((a) => a.accountId === accountId);
    const file = account
      ? await latestScreenshot(
          taskId,
          accountId,
          account.videos.map((v) => v.videoId),
        )
      : undefined;
    if (!file) return c.json({ error: `no screenshot for account "${accountId}" in bulk "${taskId}"` }, 404);
    return c.body(new Uint8Array(await fs.readFile(file)), 200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
  });

  return app;
}
