/**
 * The cache's commands (`npm run cache:stats`, `npm run cache:clear`) as child processes,
 * and its HTTP routes, against real Redis (the tests' database) and the fake Google and Huntflow.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { CACHE_SERVICES, createCacheService, type CacheService, type CacheStats } from '../cache';
import { parseCacheEntryKey } from '../cache/keys';
import { loadConfig, type Config } from '../config';
import { cacheRoutes } from '../api/routes/cache';
import { GoogleAPICache } from '../integrations/google/google-api-cache';
import { HuntflowAPICache } from '../integrations/huntflow/huntflow-api-cache';
import { HuntflowClient } from '../integrations/huntflow/huntflow-client';
import { createRedis, waitForRedis, type RedisClient } from '../redis/connection';
import { startFakeGoogle, type FakeGoogle } from './fixtures/fake-google';
import { startFakeHuntflow, type FakeHuntflow } from './fixtures/fake-huntflow';
import { TEST_REDIS_URL } from './fixtures/stack';

// The tests' Redis database, as in test/fixtures/stack.ts.
const ROOT = path.resolve(__dirname, '..');
const quiet = { info: () => undefined, warn: () => undefined };

describe('cache commands and routes', () => {
  let google: FakeGoogle;
  let huntflow: FakeHuntflow;
  let redis: RedisClient;
  let config: Config;
  let cache: CacheService;
  let app: Hono;
  const env = () => ({ ...process.env, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: config.cache.keyPrefix });
  const run = async (command: string, args: string[], viaNpm = false) => {
    const [file, argv] = viaNpm ? ['npm', ['run', '--silent', `cache:${command}`, '--', ...args]] : [process.execPath, ['--import', 'tsx', 'scripts/cache.ts', command, ...args]];
    try {
      const { stdout, stderr } = await promisify(execFile)(file, argv, { cwd: ROOT, env: env() });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  /** Entry keys per service, counted straight from Redis. */
  const keysInRedis = async () => {
    const keys = await redis.keys(`${config.cache.keyPrefix}:*`);
    const perService = Object.fromEntries(CACHE_SERVICES.map((s) => [s, 0]));
    for (const k of keys) {
      const service = parseCacheEntryKey(config.cache.keyPrefix, k)?.service;
      if (service) perService[service] = (perService[service] ?? 0) + 1;
    }
    return { total: keys.length, perService };
  };
  const call = (method: string, url: string, body?: unknown) =>
    Promise.resolve(
      app.request(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
    );

  before(async () => {
    google = await startFakeGoogle();
    huntflow = await startFakeHuntflow();
    config = loadConfig({
      REDIS_URL: TEST_REDIS_URL,
      CACHE_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
      GOOGLE_API_ROOT_URL: google.url,
      GOOGLE_TOKEN_URL: google.tokenUrl,
      GOOGLE_CLIENT_ID: 'id',
      GOOGLE_CLIENT_SECRET: 'secret',
      GOOGLE_REFRESH_TOKEN: 'refresh',
      HUNTFLOW_BASE_URL: huntflow.url,
      HUNTFLOW_ACCESS_TOKEN: huntflow.accessToken,
      HUNTFLOW_REFRESH_TOKEN: huntflow.refreshToken,
    });
    redis = createRedis(config.redis.url, 'clipfleet-cache-commands-test');
    assert.ok(await waitForRedis(redis));
    cache = createCacheService(config, redis, quiet);
    // Mounted the way api/app.ts mounts route groups.
    app = new Hono();
    app.route(
      '/',
      cacheRoutes({
        cache,
        google: new GoogleAPICache({ cache, google: config.google, retry: false }),
        huntflow: new HuntflowAPICache(cache, new HuntflowClient({ baseUrl: huntflow.url, accessToken: huntflow.accessToken, refreshToken: huntflow.refreshToken })),
      }),
    );
  });
  after(async () => {
    await cache.clear();
    redis.disconnect();
    await google.close();
    await huntflow.close();
  });

  test('the read routes serve Google and Huntflow data through the cache', async () => {
    const first = await call('GET', '/google/drive/files?userId=u1&folderId=folderB');
    assert.equal(first.status, 200);
    const body = (await first.json()) as { source: string; data: { name: string }[] };
    assert.equal(body.source, 'upstream');
    assert.deepEqual(
      body.data.map((f) => f.name),
      ['b.mp4'],
    );
    assert.equal(((await (await call('GET', '/google/drive/files?folderId=folderB&userId=u1')).json()) as { source: string }).source, 'cache');
    assert.equal(((await (await call('GET', '/google/drive/files?folderId=folderB&userId=u1&refresh=true')).json()) as { source: string }).source, 'upstream');
    for (const url of [
      '/google/calendar/events?daysAhead=3',
      '/google/sheets?userId=u2',
      '/huntflow/accounts?userId=u1',
      '/huntflow/accounts/11/vacancies?userId=u1',
      '/huntflow/accounts/11/candidates?userId=u1&vacancyId=101',
    ]) {
      const res = await call('GET', url);
      assert.equal(res.status, 200, `${url}: ${await res.clone().text()}`);
    }
    const bad = await call('GET', '/google/drive/files?folderId=x%27%20or%20true');
    assert.equal(bad.status, 400);
    assert.deepEqual(
      ((await bad.json()) as { issues: { field: string }[] }).issues.map((i) => i.field),
      ['folderId'],
    );
  });

  test('GET /cache/stats and /cache/keys match the keys in Redis', async () => {
    const inRedis = await keysInRedis();
    const stats = (await (await call('GET', '/cache/stats')).json()) as CacheStats;
    assert.equal(stats.totalKeys, inRedis.total);
    for (const s of CACHE_SERVICES) assert.equal(stats.services[s].keys, inRedis.perService[s], s);
    assert.equal(stats.services.google_drive_files.hits, 1);
    const listed = (await (await call('GET', '/cache/keys?service=google_drive_files')).json()) as { keys: { service: string }[] };
    assert.equal(listed.keys.length, inRedis.perService.google_drive_files);
    assert.equal((await call('GET', '/cache/keys?service=nope')).status, 400);
  });

  test('7a. cache:clear without --confirm changes nothing (exit 2)', async () => {
    const before = await keysInRedis();
    assert.ok(before.total > 0);
    const viaNpm = await run('clear', [], true);
    assert.equal(viaNpm.code, 2);
    assert.match(viaNpm.stderr, /refusing to clear the cache without --confirm/);
    assert.equal((await run('clear', ['--service', 'google_sheets'])).code, 2);
    assert.deepEqual(await keysInRedis(), before);
    const refused = await call('DELETE', '/cache', { service: 'google_sheets' });
    assert.equal(refused.status, 400);
    assert.deepEqual(
      ((await refused.json()) as { issues: { field: string }[] }).issues.map((i) => i.field),
      ['confirm'],
    );
    assert.deepEqual(await keysInRedis(), before);
  });

  test('7b. cache:stats numbers match the keys in Redis', async () => {
    const inRedis = await keysInRedis();
    const json = await run('stats', ['--json']);
    assert.equal(json.code, 0, json.stderr);
    const stats = JSON.parse(json.stdout) as CacheStats;
    assert.equal(stats.totalKeys, inRedis.total);
    for (const s of CACHE_SERVICES) assert.equal(stats.services[s].keys, inRedis.perService[s], s);
    assert.ok(stats.oldest && stats.newest && stats.oldest.storedAt <= stats.newest.storedAt);
    const text = await run('stats', [], true);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^total keys: ${inRedis.total}$`, 'm'));
    assert.match(text.stdout, new RegExp(`^\\s+google_drive_files\\s+${inRedis.perService.google_drive_files}\\s+1\\s+`, 'm'));
  });

  test('cache:clear --confirm --service clears one service; DELETE /cache with confirm clears the rest', async () => {
    const before = await keysInRedis();
    const cleared = await run('clear', ['--confirm', '--service', 'google_drive_files']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, new RegExp(`cleared ${before.perService.google_drive_files} key`));
    const afterService = await keysInRedis();
    assert.equal(afterService.perService.google_drive_files, 0);
    assert.equal(afterService.total, before.total - (before.perService.google_drive_files ?? 0));

    const res = await call('DELETE', '/cache', { confirm: true });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { deleted: afterService.total, scope: 'all' });
    assert.equal((await keysInRedis()).total, 0);
  });
});
