/**
 * Platform accounts: create or update, read, change, list (by tag, by search), delete,
 * import many from CSV, connect (API platforms) and check sign-in. Secrets are write-only:
 * no answer carries a password, code, session, token or proxy password.
 */
import { z } from '@hono/zod-openapi';
import { AccountPatch, TagFilterSchema, accountBody } from '../../accounts/account-input';
import { ACCOUNT_STATES } from '../../accounts/account-state';
import { SIGN_IN_CHECKS_AT_ONCE, SignInCheckError, checkSignIn } from '../../accounts/check-sign-in';
import { AccountsCsvError, MAX_IMPORT_ROWS, importAccountsCsv } from '../../accounts/import-accounts';
import { listAccounts, summarizeAll } from '../../accounts/list-accounts';
import { AccountWriteError, patchAccount, saveAccount } from '../../accounts/save-account';
import { IdSchema, describeIssues } from '../../contracts/bulk-input';
import type { BrowserPlatformNames } from '../../contracts/platforms';
import { Account, CONNECTION_STATUSES } from '../../database/entities';
import { ConnectError } from '../../platforms/official-api/connections';
import { loadBrowserSites } from '../../platforms/site-files';
import type { ApiDeps } from '../deps';
import { jsonBodyRoute, protectedRoute } from '../openapi';
import { createRouter, errorResponses, fieldError, invalidRequest, jsonBody } from '../validation';

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

const StateSchema = z.enum(ACCOUNT_STATES).openapi({
  description:
    'browser accounts: `signed_in` (a stored session), `session_expired` (the last sign-in, a check or an upload, was refused: see `stateDetail`), `not_signed_in` (never signed in); API accounts: `connected`, `needs_reconnect`, `not_connected`',
});

/** What the API shows of an account (`AccountSummary`): never a password, code, session, token or proxy password. */
const AccountView = z
  .object({
    id: z.string(),
    platform: z.string(),
    kind: z.enum(['browser', 'api']),
    username: z.string(),
    tags: z.array(z.string()),
    state: StateSchema,
    stateDetail: z.string().nullable().openapi({ description: 'why it is in its state: the refused sign-in, the revoked grant' }),
    signInAt: z.string().nullable().openapi({ description: 'browser accounts: when a sign-in was last tried (a check or an upload)' }),
    hasSession: z.boolean(),
    /** API accounts: their OAuth connection (`null` until connected). Always `null` for browser accounts. */
    connection: ConnectionSchema.nullable(),
    proxy: z.object({ server: z.string(), username: z.string().nullable() }).nullable().openapi({ description: 'the proxy, without its password' }),
    lastPost: z.object({ url: z.string().nullable(), at: z.string() }).nullable().openapi({ description: 'the newest published post' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Account');
const account = (description: string) => ({ description, content: { 'application/json': { schema: AccountView } } });
const loginTaken = 'another account of the platform already uses that username; nothing was written';
/** What a route about one account may answer when the id names none. */
const unknownAccount = errorResponses({ 400: 'the id is invalid', 404: 'no such account' });
const noAccount = (id: string) => ({ error: `no account "${id}"` });

const putAccountRoute = (browser: BrowserPlatformNames) =>
  jsonBodyRoute({
    method: 'put',
    path: '/accounts',
    summary: 'Create or update an account (secrets are write-only)',
    description:
      'Replaces the account as given. With `If-None-Match: *` it only creates: an id already taken is answered 412 and nothing is written (the dashboard\'s "Add account").',
    request: {
      headers: z.object({ 'if-none-match': z.literal('*').optional().openapi({ description: '`*`: create only, never replace' }) }),
      body: jsonBody(accountBody(browser), 'the account; a new login (platform or username) drops its browser session'),
    },
    responses: {
      200: account('updated'),
      201: account('created'),
      ...errorResponses({ 400: 'a field is invalid', 409: `${loginTaken}; or the id is on another platform`, 412: 'with `If-None-Match: *`: the id is taken' }),
    },
  });

const ListQuery = z.object({
  tag: TagFilterSchema.optional().openapi({ description: 'only accounts with this tag' }),
  q: z.string().max(255).optional().openapi({ description: 'only accounts whose id or username contains this (any case)' }),
});

const listAccountsRoute = protectedRoute({
  method: 'get',
  path: '/accounts',
  summary: 'List accounts (by tag, by search), with their state and last post',
  request: { query: ListQuery },
  responses: {
    200: { description: 'accounts by id, without secrets', content: { 'application/json': { schema: z.array(AccountView) } } },
    ...errorResponses({ 400: 'a filter is invalid' }),
  },
});

const getAccount = protectedRoute({
  method: 'get',
  path: '/accounts/{id}',
  summary: 'One account, without secrets',
  request: { params: IdParam },
  responses: { 200: account('the account'), ...unknownAccount },
});

const patchAccountRoute = jsonBodyRoute({
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

const CheckResult = z
  .object({
    state: StateSchema,
    ok: z.boolean().openapi({ description: 'the account got in (browser) or its connection answered (API)' }),
    message: z.string().openapi({ example: 'signed in to demo as alice' }),
  })
  .openapi('SignInCheck');

const checkAccount = protectedRoute({
  method: 'post',
  path: '/accounts/{id}/check',
  summary: 'Check sign-in: a browser account signs in for real (its session is renewed); an API account renews its token and asks who it is',
  description: `A browser account signs in with its stored credentials and proxy in a fresh Chromium context, as an upload would, and its new session is stored (encrypted). A refused sign-in answers 200 with \`ok: false\` and state \`session_expired\`. Nothing is published. The API process runs ${SIGN_IN_CHECKS_AT_ONCE} checks at once in one Chromium; more wait their turn.`,
  request: { params: IdParam },
  responses: {
    200: { description: 'what the check found', content: { 'application/json': { schema: CheckResult } } },
    ...errorResponses({
      400: 'the id is invalid',
      404: 'no such account',
      409: 'an API account that is not connected (connect it first), or a browser platform this process does not know',
      502: 'the platform could not be reached or answered unexpectedly; the account is unchanged',
      503: 'the API platform has no OAuth client configured',
    }),
  },
});

const ImportRowSchema = z.object({
  line: z.number().int().openapi({ description: 'the line in the CSV (the header is line 1)' }),
  id: z.string().nullable(),
  result: z.enum(['created', 'updated', 'failed']),
  issues: z.array(z.object({ field: z.string(), message: z.string() })),
});
const ImportSummarySchema = z.object({ created: z.number().int(), updated: z.number().int(), failed: z.number().int(), rows: z.array(ImportRowSchema) }).openapi('AccountImport');
const ImportBody = z.object({ csv: z.string().min(1, 'is empty').openapi({ description: 'the accounts as CSV text' }) });
const CSV_TYPE = 'text/csv';

const importAccounts = protectedRoute({
  method: 'post',
  path: '/accounts/import',
  summary: 'Create or update many accounts from CSV, with an answer per row',
  description:
    `The first line names the columns (any order, any case): \`id\`, \`platform\` (default demo), \`username\`, \`password\`, \`otpCode\`, \`proxy\` (one URL, \`http://user:pass@host:8080\`), \`tags\` (separated by \`;\`, \`,\` or spaces). ` +
    `Each row is checked like \`PUT /accounts\` and saved on its own, whole or not at all: the answer says for each row created, updated, or its problems (line, column, reason). ` +
    `A row for an existing account changes only the fields it has a column and a non-blank cell for (a roster of passwords leaves proxies and tags alone). At most ${MAX_IMPORT_ROWS} rows; send \`text/csv\`, or JSON \`{ csv }\`.`,
  request: {
    body: {
      // Not required: the router would then check every body as JSON, a CSV one too.
      required: false,
      description: 'the accounts, as CSV text or as JSON `{ csv }`',
      content: {
        'application/json': { schema: ImportBody },
        // Described, not validated by the router: the importer names each bad line.
        [CSV_TYPE]: { schema: z.string().openapi({ example: 'id,platform,username,password,proxy,tags\nann,demo,ann,s3cret,,eu;cats\n' }) },
      },
    },
  },
  responses: {
    200: { description: 'the result of every row (some may have failed)', content: { 'application/json': { schema: ImportSummarySchema } } },
    400: {
      description: 'the CSV as a whole cannot be read (header, size, syntax): nothing was saved',
      content: {
        'application/json': { schema: z.object({ error: z.string(), issues: z.array(z.object({ line: z.number().int().optional(), field: z.string(), message: z.string() })) }) },
      },
    },
    ...errorResponses({ 415: 'the body is neither JSON nor text/csv' }),
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
  const sites = loadBrowserSites(deps.config);
  const putAccount = putAccountRoute(sites);

  const viewOf = async (a: Account) => (await summarizeAll(deps, [a]))[0]!;

  app.openapi(putAccount, async (c) => {
    const body = c.req.valid('json');
    const createOnly = c.req.valid('header')['if-none-match'] === '*';
    try {
      const { created, account: saved } = await saveAccount(deps.orm, deps.secrets, body, { createOnly });
      return c.json(await viewOf(saved), created ? 201 : 200);
    } catch (err) {
      if (!(err instanceof AccountWriteError) || err.status === 400 || err.status === 404) throw err;
      return c.json(fieldError(err.field, err.message), err.status);
    }
  });

  app.openapi(listAccountsRoute, async (c) => {
    return c.json(await listAccounts(deps, c.req.valid('query')), 200);
  });

  app.openapi(getAccount, async (c) => {
    const { id } = c.req.valid('param');
    const found = await deps.orm.em.fork().findOne(Account, id);
    return found ? c.json(await viewOf(found), 200) : c.json(noAccount(id), 404);
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

  app.openapi(checkAccount, async (c) => {
    const { id } = c.req.valid('param');
    try {
      return c.json(await checkSignIn(deps, id), 200);
    } catch (err) {
      if (err instanceof SignInCheckError) return c.json({ error: err.message }, err.status);
      throw err;
    }
  });

  app.openapi(importAccounts, async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    let text: string;
    if (type === CSV_TYPE) {
      text = await c.req.text();
    } else if (type === 'application/json') {
      // Checked again here: a JSON body that is not an object skips the router's check.
      const body = ImportBody.safeParse(c.req.valid('json'));
      if (!body.success) return c.json(invalidRequest('json', describeIssues(body.error)), 400);
      text = body.data.csv;
    } else {
      const message = `send the accounts as ${CSV_TYPE} or as JSON { csv }`;
      return c.json({ error: message, issues: [{ field: '(content-type)', message }] }, 415);
    }
    try {
      return c.json(await importAccountsCsv({ orm: deps.orm, secrets: deps.secrets, browser: sites }, text), 200);
    } catch (err) {
      if (!(err instanceof AccountsCsvError)) throw err;
      return c.json({ error: err.message, issues: err.issues }, 400);
    }
  });

  app.openapi(patchAccountRoute, async (c) => {
    const { id } = c.req.valid('param');
    try {
      return c.json(await viewOf(await patchAccount(deps.orm, deps.secrets, id, c.req.valid('json'))), 200);
    } catch (err) {
      if (!(err instanceof AccountWriteError) || err.status === 412) throw err;
      if (err.status === 404) return c.json(noAccount(id), 404);
      return c.json(fieldError(err.field, err.message), err.status);
    }
  });

  app.openapi(deleteAccount, async (c) => {
    const { id } = c.req.valid('param');
    const deleted = await deps.orm.em.fork().nativeDelete(Account, { id });
    return deleted ? c.body(null, 204) : c.json(noAccount(id), 404);
  });

  return app;
}
