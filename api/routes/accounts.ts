/** Platform accounts: create or update, read, change, list, delete. Secrets are write-only. */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Hono } from 'hono';
import { z } from 'zod';
import { IdSchema } from '../../contracts/bulk-input';
import { Account } from '../../database/entities';
import type { ApiDeps } from '../deps';
import { fieldError, validate } from '../validation';

/** Body of `PUT /accounts`. */
export const AccountBody = z.object({
  id: IdSchema,
  platform: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/).default('demo'),
  username: z.string().min(1).max(255),
  password: z.string().min(1).max(1024),
  otpCode: z.string().max(64).optional(),
  proxy: z.object({ server: z.string().url(), username: z.string().optional(), password: z.string().optional() }).optional(),
});

/** What the API shows of an account: never a password, code or session. */
function publicView(a: Account) {
  return { id: a.id, platform: a.platform, username: a.username, hasSession: Boolean(a.sessionEnc), proxy: a.proxy ? { server: a.proxy.server } : null, createdAt: a.createdAt, updatedAt: a.updatedAt };
}

/** What PATCH may change; a field left out keeps its value, `null` clears an optional one. */
export const AccountPatch = z
  .object({
    username: z.string().min(1).max(255),
    password: z.string().min(1).max(1024),
    otpCode: z.string().max(64).nullable(),
    proxy: AccountBody.shape.proxy.unwrap().nullable(),
  })
  .partial()
  .strict();
const IdParam = z.object({ id: IdSchema });

/** `/accounts` and `/accounts/<id>`. */
export function accountRoutes(deps: ApiDeps) {
  const app = new Hono();

  app.put('/accounts', validate('json', AccountBody), async (c) => {
    const body = c.req.valid('json');
    const em = deps.orm.em.fork();
    let account = await em.findOne(Account, body.id);
    const created = !account;
    if (!account) account = em.create(Account, { id: body.id, platform: body.platform, username: body.username, passwordEnc: '' });
    const changedLogin = account.username !== body.username || account.platform !== body.platform;
    account.platform = body.platform;
    account.username = body.username;
    account.passwordEnc = deps.secrets.encrypt(body.password);
    account.otpCodeEnc = body.otpCode ? deps.secrets.encrypt(body.otpCode) : null;
    account.proxy = body.proxy ?? null;
    if (changedLogin) account.sessionEnc = null;
    await em.flush();
    return c.json(publicView(account), created ? 201 : 200);
  });

  app.get('/accounts', async (c) => {
    const accounts = await deps.orm.em.fork().find(Account, {}, { orderBy: { id: 'asc' } });
    return c.json(accounts.map(publicView));
  });

  app.get('/accounts/:id', validate('param', IdParam), async (c) => {
    const { id } = c.req.valid('param');
    const account = await deps.orm.em.fork().findOne(Account, id);
    return account ? c.json(publicView(account)) : c.json({ error: `no account "${id}"` }, 404);
  });

  app.patch('/accounts/:id', validate('param', IdParam), validate('json', AccountPatch), async (c) => {
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const em = deps.orm.em.fork();
    const account = await em.findOne(Account, id);
    if (!account) return c.json({ error: `no account "${id}"` }, 404);
    if (patch.username !== undefined && patch.username !== account.username) {
      account.username = patch.username;
      // A session belongs to the old login: the next upload signs in again.
      account.sessionEnc = null;
    }
    if (patch.password !== undefined) account.passwordEnc = deps.secrets.encrypt(patch.password);
    if (patch.otpCode !== undefined) account.otpCodeEnc = patch.otpCode ? deps.secrets.encrypt(patch.otpCode) : null;
    if (patch.proxy !== undefined) account.proxy = patch.proxy;
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) return c.json(fieldError('username', `another ${account.platform} account already uses username "${account.username}"`), 409);
      throw err;
    }
    return c.json(publicView(account));
  });

  app.delete('/accounts/:id', validate('param', IdParam), async (c) => {
    const { id } = c.req.valid('param');
    const deleted = await deps.orm.em.fork().nativeDelete(Account, { id });
    return deleted ? c.body(null, 204) : c.json({ error: `no account "${id}"` }, 404);
  });

  return app;
}
