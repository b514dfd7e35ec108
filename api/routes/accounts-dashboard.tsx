/** The dashboard's Accounts page, and the Connect button's form post that leads to a platform's consent page. */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { TagFilterSchema } from '../../accounts/account-input';
import { listAccounts, tagsInUse } from '../../accounts/list-accounts';
import { IdSchema } from '../../contracts/bulk-input';
import { knownPlatformNames, platformKind } from '../../contracts/platforms';
import { Account } from '../../database/entities';
import { ConnectError } from '../../platforms/official-api/connections';
import { loadBrowserSites } from '../../platforms/site-files';
import type { ApiDeps } from '../deps';
import { protectedRoute } from '../openapi';
import { createRouter, errorResponses, htmlResponse } from '../validation';
import { AccountsPage, type AccountsPageProps } from '../views/accounts-page';
import { htmlPage } from '../views/layout';

/** A browser without a session is sent to the sign-in page instead of a 401. */
const toSignIn = { 303: { description: 'without a session: to the sign-in page' } };

const AccountsQuery = z.object({
  connected: IdSchema.optional().openapi({ description: 'an account a consent round trip just connected: the page says so' }),
  added: IdSchema.optional().openapi({ description: 'an account the add form just created: the page says so' }),
  saved: IdSchema.optional().openapi({ description: 'an account the edit form just saved: the page says so' }),
  tag: z
    .union([TagFilterSchema, z.literal('')])
    .optional()
    .openapi({ description: 'only accounts with this tag' }),
  q: z.string().max(255).optional().openapi({ description: 'only accounts whose id or username contains this' }),
});

const accountsRoute = protectedRoute({
  method: 'get',
  path: '/dashboard/accounts',
  summary: 'Dashboard: the accounts with their state, and the forms to add, edit, check, connect, delete and import them (HTML)',
  request: { query: AccountsQuery },
  responses: { 200: htmlResponse('the accounts the filter lets through'), ...toSignIn, ...errorResponses({ 400: 'a parameter is invalid' }) },
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

/** `/dashboard/accounts` and its Connect buttons' posts. */
export function accountsDashboardRoutes(deps: ApiDeps) {
  const app = createRouter();
  const sites = loadBrowserSites(deps.config);
  const platforms = knownPlatformNames(sites).map((name) => ({ name, kind: platformKind(name) }));

  // A Connect button's post is answered with a redirect to the provider's consent page, which
  // the Accounts page's CSP must allow. Each API platform's consent origin goes here.
  const consentOrigins = [...new Set([deps.config.youtube.authUrl, deps.config.tiktok.authUrl, deps.config.instagram.authUrl].map((u) => new URL(u).origin))];

  async function page(c: Context, props: Partial<AccountsPageProps> & Pick<AccountsPageProps, 'filter'>, status: 200 | 404 | 409 | 503 = 200) {
    const filter = { ...(props.filter.tag ? { tag: props.filter.tag } : {}), ...(props.filter.q?.trim() ? { q: props.filter.q } : {}) };
    const [accounts, total, tags] = await Promise.all([listAccounts(deps, filter), deps.orm.em.fork().count(Account, {}), tagsInUse(deps.orm)]);
    return htmlPage(c, <AccountsPage {...props} accounts={accounts} total={total} platforms={platforms} tags={tags} filter={filter} />, status, consentOrigins);
  }

  app.openapi(accountsRoute, async (c) => {
    const { connected, added, saved, tag, q } = c.req.valid('query');
    return page(c, { connected, added, saved, filter: { tag: tag || undefined, q } });
  });

  app.openapi(connectRoute, async (c) => {
    const { id } = c.req.valid('param');
    try {
      const { consentUrl } = await deps.connections.begin(id);
      return c.redirect(consentUrl, 303);
    } catch (err) {
      if (!(err instanceof ConnectError) || (err.status !== 404 && err.status !== 409 && err.status !== 503)) throw err;
      return page(c, { error: err.message, filter: {} }, err.status);
    }
  });

  return app;
}
