/** Platform accounts: create or update, read, change, list, delete. Secrets are write-only. */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from '@hono/zod-openapi';
import { IdSchema } from '../../contracts/bulk-input';
import { isKnownPlatform, knownPlatformNames, platformKind, type BrowserPlatformNames } from '../../contracts/platforms';
import { Account, CONNECTION_STATUSES } from '../../database/entities';
import { ConnectError, type ConnectionView } from '../../platforms/official-api/connections';
import { loadBrowserSites } from '../../platforms/site-files';
import type { ApiDeps } from '../deps';
import { jsonBodyRoute, protectedRoute } from '../openapi';
import { createRouter, errorResponses, fieldError, jsonBody } from '../validation';

const ProxySchema = z.object({ server: z.string().url(), username: z.string().optional(), password: z.string().optional() });

/** Body of `PUT /accounts`; the platform is one of the API platforms or a loaded site. */
const accountBody = (browser: BrowserPlatformNames) =>
  z
    .object({
      id: IdSchema,
      platform: z
        .string()
        .refine((name) => isKnownPlatform(name, browser), { message: `must be one of: ${knownPlatformNames(browser).join(', ')}` })
        .default('demo'),
      /** The login on a browser platform; on an API platform, a name for the account (it is connected, see POST /accounts/{id}/connect). */
      username: z.string().min(1).max(255),
      /** Browser platforms only: API accounts are connected with OAuth, never given a password. */
      password: z.string().min(1).max(1024).optional(),
      otpCode: z.string().max(64).optional(),
      proxy: ProxySchema.optional(),
    })
    .superRefine((body, ctx) => {
      const kind = platformKind(body.platform);
      if (kind === 'browser' && body.password === undefined) ctx.addIssue({ code: 'custom', path: ['password'], message: `is required for ${body.platform} (a browser platform)` });
      if (kind === 'api') {
        if (body.proxy !== undefined)
          ctx.addIssue({ code: 'custom', path: ['proxy'], message: `is not used by ${body.platform} accounts: they upload through the platform's API, not a browser` });
        for (const field of ['password', 'otpCode'] as const) {
          if (body[field] !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: [field],
              message: `${body.platform} accounts are connected with OAuth (POST /accounts/${body.id}/connect), not given a ${field}`,
            });
        }
      }
    });

/** What PATCH may change; a field left out keeps its value, `null` clears an optional one. */
const AccountPatch = z
  .object({
    username: z.string().min(1).max(255),
    password: z.string().min(1).max(1024),
    otpCode: z.string().max(64).nullable(),
    proxy: ProxySchema.nullable(),
  })
  .partial()
  .strict();

const IdParam = z.object({ id: IdSchema });

const ConnectionSchema = z
  .object({
    status: z.enum(CONNECTION_STATUSES),
    externalName: z.string().nullable().openapi({ description: 'who the account acts as on the platform, e.g. the channel' }),
    externalId: z.string().nullable(),
    connectedAt: z.string(),
    lastError: z.string().nullable().openapi({ description: 'why it must be connected again' }),
  })
  .openapi('Connection');

/** What the API shows of an account: never a password, code, session or token. */
const AccountView = z
  .object({
    id: z.string(),
    platform: z.string(),
    kind: z.enum(['browser', 'api']),
    username: z.string(),
    hasSession: z.boolean(),
    /** API accounts: their OAuth connection (`null` until connected). Always `null` for browser accounts. */
    connection: ConnectionSchema.nullable(),
    proxy: z.object({ server: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Account');

function publicView(a: Account, connection: ConnectionView | undefined): z.infer<typeof AccountView> {
  return {
    id: a.id,
    platform: a.platform,
    kind: platformKind(a.platform),
    username: a.username,
    hasSession: Boolean(a.sessionEnc),
    connection: connection ?? null,
    proxy: a.proxy ? { server: a.proxy.server } : null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

const account = (description: string) => ({ description, content: { 'application/json': { schema: AccountView } } });
const loginTaken = 'another account of the platform already uses that username; nothing was written';
/** What a route about one account may answer when the id names none. */
const unknownAccount = errorResponses({ 400: 'the id is invalid', 404: 'no such account' });
const noAccount = (id: string) => ({ error: `no account "${id}"` });
const loginTakenError = (a: Pick<Account, 'platform' | 'username'>) => fieldError('username', `another ${a.platform} account already uses username "${a.username}"`);

const putAccountRoute = (browser: BrowserPlatformNames) =>
  jsonBodyRoute({
    method: 'put',
    path: '/accounts',
    summary: 'Create or update an account (secrets are write-only)',
    request: { body: jsonBody(accountBody(browser), 'the account; a new login (platform or username) drops its browser session') },
    responses: { 200: account('updated'), 201: account('created'), ...errorResponses({ 400: 'a field is invalid', 409: loginTaken }) },
  });

const listAccounts = protectedRoute({
  method: 'get',
  path: '/accounts',
  summary: 'List accounts',
  responses: { 200: { description: 'accounts, without secrets', content: { 'application/json': { schema: z.array(AccountView) } } } },
});

const getAccount = protectedRoute({
  method: 'get',
  path: '/accounts/{id}',
  summary: 'One account, without secrets',
  request: { params: IdParam },
  responses: { 200: account('the account'), ...unknownAccount },
});

const patchAccount = jsonBodyRoute({
  method: 'patch',
  path: '/accounts/{id}',
  summary: 'Change some fields of an account',
  request: { params: IdParam, body: jsonBody(AccountPatch, 'the fields to change; `null` clears an optional one') },
  responses: { 200: account('the changed account'), ...errorResponses({ 400: 'a field is invalid', 404: 'no such account', 409: loginTaken }) },
});

const ConnectStarted = z
  .object({
    consentUrl: z.string().openapi({ description: "the provider's consent page: open it in a browser, signed in as the account's owner" }),
    expiresAt: z.string().openapi({ description: 'the link works once, until then' }),
  })
  .openapi('ConnectStarted');

const connectAccount = protectedRoute({
  method: 'post',
  path: '/accounts/{id}/connect',
  summary: 'Start connecting an API account (OAuth): the consent URL to open',
  request: { params: IdParam },
  responses: {
    200: { description: 'the consent URL', content: { 'application/json': { schema: ConnectStarted } } },
    ...errorResponses({ 400: 'the id is invalid', 404: 'no such account', 409: 'the account is on a browser platform', 503: 'the platform has no OAuth client configured' }),
  },
});

const deleteAccount = protectedRoute({
  method: 'delete',
  path: '/accounts/{id}',
  summary: 'Delete an account',
  request: { params: IdParam },
  responses: { 204: { description: 'deleted' }, ...unknownAccount },
});

/** `/accounts` and `/accounts/<id>`. */
export function accountRoutes(deps: ApiDeps) {
  const app = createRouter();
  // The site files as this process started with them: a new browser platform needs a restart.
  const putAccount = putAccountRoute(loadBrowserSites(deps.config));

  const viewOf = async (account: Account) => publicView(account, (await deps.connections.views([account.id])).get(account.id));

  app.openapi(putAccount, async (c) => {
    const body = c.req.valid('json');
    const em = deps.orm.em.fork();
    let account = await em.findOne(Account, body.id);
    const created = !account;
    if (!account) account = em.create(Account, { id: body.id, platform: body.platform, username: body.username, passwordEnc: '' });
    if (!created && account.platform !== body.platform) {
      return c.json(fieldError('platform', `account "${body.id}" is on ${account.platform}; delete it to move it to ${body.platform}`), 409);
    }
    const changedLogin = account.username !== body.username;
    account.username = body.username;
    account.passwordEnc = body.password === undefined ? '' : deps.secrets.encrypt(body.password);
    account.otpCodeEnc = body.otpCode ? deps.secrets.encrypt(body.otpCode) : null;
    account.proxy = body.proxy ?? null;
    if (changedLogin) account.sessionEnc = null;
    try {
      await em.flush();
    } catch (err) {
      // The flush is one transaction: a clash writes nothing, for a new account or a renamed one.
      if (err instanceof UniqueConstraintViolationException) return c.json(loginTakenError(body), 409);
      throw err;
    }
    return c.json(await viewOf(account), created ? 201 : 200);
  });

  app.openapi(listAccounts, async (c) => {
    const accounts = await deps.orm.em.fork().find(Account, {}, { orderBy: { id: 'asc' } });
    const connections = await deps.connections.views(accounts.filter((a) => platformKind(a.platform) === 'api').map((a) => a.id));
    return c.json(
      accounts.map((a) => publicView(a, connections.get(a.id))),
      200,
    );
  });

  app.openapi(getAccount, async (c) => {
    const { id } = c.req.valid('param');
    const account = await deps.orm.em.fork().findOne(Account, id);
    return account ? c.json(await viewOf(account), 200) : c.json(noAccount(id), 404);
  });

  app.openapi(connectAccount, async (c) => {
    const { id } = c.req.valid('param');
    try {
      const started = await deps.connections.begin(id);
      return c.json({ consentUrl: started.consentUrl, expiresAt: started.expiresAt.toISOString() }, 200);
    } catch (err) {
      if (err instanceof ConnectError && (err.status === 404 || err.status === 409 || err.status === 503)) return c.json({ error: err.message }, err.status);
      throw err;
    }
  });

  app.openapi(patchAccount, async (c) => {
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const em = deps.orm.em.fork();
    const account = await em.findOne(Account, id);
    if (!account) return c.json(noAccount(id), 404);
    if (patch.username !== undefined && patch.username !== account.username) {
      account.username = patch.username;
      // A session belongs to the old login: the next upload signs in again.
      account.sessionEnc = null;
    }
    if (platformKind(account.platform) === 'api' && patch.proxy) {
      return c.json(fieldError('proxy', `is not used by ${account.platform} accounts: they upload through the platform's API, not a browser`), 400);
    }
    if (platformKind(account.platform) === 'api' && (patch.password !== undefined || patch.otpCode)) {
      return c.json(fieldError(patch.password !== undefined ? 'password' : 'otpCode', `${account.platform} accounts are connected with OAuth, not given a password or code`), 400);
    }
    if (patch.password !== undefined) account.passwordEnc = deps.secrets.encrypt(patch.password);
    if (patch.otpCode !== undefined) account.otpCodeEnc = patch.otpCode ? deps.secrets.encrypt(patch.otpCode) : null;
    if (patch.proxy !== undefined) account.proxy = patch.proxy;
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) return c.json(loginTakenError(account), 409);
      throw err;
    }
    return c.json(await viewOf(account), 200);
  });

  app.openapi(deleteAccount, async (c) => {
    const { id } = c.req.valid('param');
    const deleted = await deps.orm.em.fork().nativeDelete(Account, { id });
    return deleted ? c.body(null, 204) : c.json(noAccount(id), 404);
  });

  return app;
}
