/** The dashboard pages: the bulk list, one bulk, its failure screenshots, and the accounts with their Connect buttons. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from '@hono/zod-openapi';
import { TASK_STATUSES } from '../../contracts/activities';
import { IdSchema } from '../../contracts/bulk-input';
import { accountUploadWorkflowId } from '../../contracts/names';
import { platformKind } from '../../contracts/platforms';
import { Account } from '../../database/entities';
import { ConnectError } from '../../platforms/official-api/connections';
import type { ApiDeps } from '../deps';
import { protectedRoute } from '../openapi';
import { bulkLinks, webUiWorkflowUrl } from '../../bulks/links';
import { TaskParam, createRouter, errorResponses, htmlResponse } from '../validation';
import { AccountsPage, type AccountRow } from '../views/accounts-page';
import { BulkListPage } from '../views/bulk-list-page';
import { BulkPage } from '../views/bulk-page';
import { htmlPage } from '../views/layout';

const ListQuery = z.object({
  status: z.union([z.enum(TASK_STATUSES), z.literal('')]).optional(),
  since: z.union([z.iso.date(), z.literal('')]).optional(),
});
const ScreenshotParam = TaskParam.extend({ accountId: IdSchema });

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

const AccountsQuery = z.object({ connected: IdSchema.optional().openapi({ description: 'an account a consent round trip just connected: the page says so' }) });
const accountsRoute = protectedRoute({
  method: 'get',
  path: '/dashboard/accounts',
  summary: 'Dashboard: the accounts, API accounts with their connection and a Connect button (HTML)',
  request: { query: AccountsQuery },
  responses: { 200: htmlResponse('every account'), ...toSignIn, ...errorResponses({ 400: '`connected` is not an account id' }) },
});
const connectRoute = protectedRoute({
  method: 'post',
  path: '/dashboard/accounts/{id}/connect',
  summary: "Dashboard: an account's Connect button (a form post); on to the platform's consent page",
  request: { params: z.object({ id: IdSchema }) },
  responses: {
    303: { description: "to the platform's consent page, which sends the browser back to `/oauth/callback/<platform>`" },
    404: htmlResponse('no such account: the Accounts page, saying so'),
    409: htmlResponse('the account is on a browser platform: the Accounts page, saying so'),
    503: htmlResponse('the platform has no OAuth client configured: the Accounts page, saying so'),
    ...errorResponses({ 400: 'the id is invalid' }),
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

  // A Connect button's post is answered with a redirect to the provider's consent page, which
  // the Accounts page's CSP must allow. Each API platform's consent origin goes here.
  const consentOrigins = [...new Set([deps.config.youtube.authUrl, deps.config.tiktok.authUrl, deps.config.instagram.authUrl].map((u) => new URL(u).origin))];

  /** Every account with, for an API account, its connection. */
  async function accountRows(): Promise<AccountRow[]> {
    const accounts = await deps.orm.em.fork().find(Account, {}, { orderBy: { id: 'asc' } });
    const rows = accounts.map((a) => ({ id: a.id, platform: a.platform, kind: platformKind(a.platform) ?? 'browser', username: a.username, connection: null }));
    const connections = await deps.connections.views(rows.filter((r) => r.kind === 'api').map((r) => r.id));
    return rows.map((r) => ({ ...r, connection: connections.get(r.id) ?? null }));
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

  app.openapi(accountsRoute, async (c) => {
    const { connected } = c.req.valid('query');
    return htmlPage(c, <AccountsPage accounts={await accountRows()} connected={connected} />, 200, consentOrigins);
  });

  app.openapi(connectRoute, async (c) => {
    const { id } = c.req.valid('param');
    try {
      const { consentUrl } = await deps.connections.begin(id);
      return c.redirect(consentUrl, 303);
    } catch (err) {
      if (!(err instanceof ConnectError) || (err.status !== 404 && err.status !== 409 && err.status !== 503)) throw err;
      return htmlPage(c, <AccountsPage accounts={await accountRows()} error={err.message} />, err.status, consentOrigins);
    }
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
