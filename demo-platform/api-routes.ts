/**
 * The JSON API that tests and health checks use: accounts, posts, session expiry, faults.
 * Never faulted, so a test can always arrange and inspect the platform.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { FaultSettingsSchema, type Faults } from './faults';
import type { DemoPost, DemoState } from './state';

export const CreateAccountSchema = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1-64 letters, digits, dots, dashes or underscores'),
  password: z.string().min(1).max(256),
  otpCode: z
    .string()
    .regex(/^\d{4,8}$/, 'must be 4-8 digits')
    .optional(),
});
const PostsQuerySchema = z.object({ account: z.string().min(1).optional() });

/** What `GET /api/posts` answers for one post. */
export interface ApiPost {
  id: string;
  url: string;
  sha256: string;
  caption: string;
  account: string;
  size: number;
  createdAt: string;
}

const toApiPost = (p: DemoPost): ApiPost => ({
  id: p.id,
  url: p.url,
  sha256: p.sha256,
  caption: p.caption,
  account: p.account,
  size: p.size,
  createdAt: p.createdAt,
});

/** zod validation whose 400 names the offending field, e.g. `{ field: "failRate" }`. */
function valid<T extends z.ZodType, Target extends 'json' | 'query'>(target: Target, schema: T) {
  return zValidator(target, schema, (result, c) => {
    if (result.success) return undefined;
    const issue = result.error.issues[0];
    const unknownKeys = issue && issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '';
    const field = unknownKeys || issue?.path.join('.') || '(body)';
    return c.json({ error: `invalid ${target} field ${field}: ${issue?.message ?? 'invalid'}`, field }, 400);
  });
}

/** Routes mounted under /api. */
export function apiRoutes(state: DemoState, faults: Faults): Hono {
  return new Hono()
    .get('/health', (c) => c.json({ ok: true, accounts: state.usernames().length, posts: state.posts().length }))

    .get('/accounts', (c) => c.json(state.usernames()))
    .post('/accounts', valid('json', CreateAccountSchema), async (c) => {
      const input = c.req.valid('json');
      const { outcome, saved } = state.createAccount(input);
      await saved;
      if (outcome === 'conflict') {
        return c.json({ error: `account ${input.username} already exists with other credentials`, field: 'username' }, 409);
      }
      return c.json({ username: input.username, created: outcome === 'created' }, outcome === 'created' ? 201 : 200);
    })
    .post('/accounts/:username/expire-sessions', async (c) => {
      const username = c.req.param('username');
      if (!state.hasAccount(username)) return c.json({ error: `unknown account: ${username}` }, 404);
      const { expired, saved } = state.expireSessions(username);
      await saved;
      return c.json({ username, expired });
    })

    .get('/posts', valid('query', PostsQuerySchema), (c) => c.json(state.posts(c.req.valid('query').account).map(toApiPost)))
    .get('/posts/:id', (c) => {
      const post = state.post(c.req.param('id'));
      return post ? c.json(toApiPost(post)) : c.json({ error: `unknown post: ${c.req.param('id')}` }, 404);
    })

    .get('/faults', (c) => c.json(faults.report()))
    .post('/faults', valid('json', FaultSettingsSchema), (c) => {
      faults.set(c.req.valid('json'));
      return c.json(faults.settings);
    })
    .delete('/faults', (c) => {
      faults.reset();
      return c.json(faults.settings);
    });
}
