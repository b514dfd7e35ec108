/**
 * The read-through cache against real Redis (the tests' database, a key prefix per run) and local
 * servers that speak the Google and Huntflow protocols, counting upstream calls.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { CacheFetchError, CacheService, CacheUnavailableError, createCacheService, type CacheLogger } from '../cache';
import { cacheEntryKey } from '../cache/keys';
import { loadConfig, type Config } from '../config';
import { GoogleAPICache } from '../integrations/google/google-api-cache';
import { HuntflowAPICache } from '../integrations/huntflow/huntflow-api-cache';
import { HuntflowClient, HuntflowError } from '../integrations/huntflow/huntflow-client';
import { createRedis, waitForRedis, type RedisClient } from '../redis/connection';
import { startFakeGoogle, type FakeGoogle } from './fixtures/fake-google';
import { startFakeHuntflow, type FakeHuntflow } from './fixtures/fake-huntflow';
import { freePort } from './fixtures/wait';
import { TEST_REDIS_URL } from './fixtures/stack';

// The tests' Redis database, as in test/fixtures/stack.ts.

/** Collects the cache's log lines so tests can assert on them. */
function memoryLogger(): CacheLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

function testConfig(google: FakeGoogle, extra: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: TEST_REDIS_URL,
    CACHE_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
    CACHE_TTL_GOOGLE_DRIVE_FILES: '1',
    CACHE_TTL_GOOGLE_CALENDAR_EVENTS: '1',
    CACHE_GRACE_SECONDS: '60',
    GOOGLE_API_ROOT_URL: google.url,
    GOOGLE_TOKEN_URL: google.tokenUrl,
    GOOGLE_CLIENT_ID: 'client-id',
    GOOGLE_CLIENT_SECRET: 'client-secret',
    GOOGLE_REFRESH_TOKEN: 'refresh-token',
    ...extra,
  });
}

describe('cache over Google', () => {
  let fake: FakeGoogle;
  let redis: RedisClient;
  const opened: CacheService[] = [];
  const setup = (extra?: Record<string, string>) => {
    const config = testConfig(fake, extra);
    const log = memoryLogger();
    const cache = createCacheService(config, redis, log);
    opened.push(cache);
    return { config, log, cache, google: new GoogleAPICache({ cache, google: config.google, retry: false }) };
  };

  before(async () => {
    fake = await startFakeGoogle();
    redis = createRedis(TEST_REDIS_URL, 'clipfleet-cache-test');
    assert.ok(await waitForRedis(redis), 'Redis must answer on 127.0.0.1:6379 (./temporal-dev.sh start)');
  });
  after(async () => {
    for (const cache of opened) await cache.clear();
    redis.disconnect();
    await fake.close();
  });

  test('the same parameters in another order make the same key', () => {
    assert.equal(
      cacheEntryKey('c', 'google_drive_files', 'u', { a: 1, b: { y: 2, x: [1, { q: 1, p: 2 }] } }),
      cacheEntryKey('c', 'google_drive_files', 'u', { b: { x: [1, { p: 2, q: 1 }], y: 2 }, a: 1, z: undefined }),
    );
    assert.notEqual(cacheEntryKey('c', 'google_drive_files', 'u', { a: 1 }), cacheEntryKey('c', 'google_drive_files', 'u', { a: 2 }));
  });

  test('1. a second identical call within the TTL makes no upstream call; after the TTL it does', async () => {
    const { google, log } = setup();
    const before = fake.calls.drive;
    const first = await google.driveFiles({ userId: 'u1', folderId: 'folderA', maxResults: 10 });
    const second = await google.driveFiles({ userId: 'u1', maxResults: 10, folderId: 'folderA' });
    assert.equal(fake.calls.drive - before, 1);
    assert.equal(first.source, 'upstream');
    assert.equal(second.source, 'cache');
    assert.deepEqual(second.value, first.value);
    assert.deepEqual(
      first.value.map((f) => f.name),
      ['a.mp4'],
    );
    await sleep(1_100);
    const third = await google.driveFiles({ userId: 'u1', folderId: 'folderA', maxResults: 10 });
    assert.equal(third.source, 'upstream');
    assert.equal(fake.calls.drive - before, 2);
    assert.ok(
      log.lines.some((l) => l.startsWith('info stored google_drive_files of u1')),
      log.lines.join('\n'),
    );
    assert.ok(
      log.lines.some((l) => l.startsWith('info from cache google_drive_files of u1')),
      log.lines.join('\n'),
    );
    assert.ok(
      log.lines.some((l) => l.startsWith('info refreshed google_drive_files of u1')),
      log.lines.join('\n'),
    );
  });

  test('calendar events and sheets go through the cache too', async () => {
    const { google } = setup();
    const [cal, calBefore, drive] = [await google.calendarEvents({ userId: 'u1', daysAhead: 3 }), fake.calls.calendar, fake.calls.drive];
    assert.equal((await google.calendarEvents({ userId: 'u1', daysAhead: 3 })).source, 'cache');
    assert.equal(fake.calls.calendar, calBefore);
    assert.deepEqual(
      cal.value.map((e) => e.summary),
      ['Standup'],
    );
    const sheets = await google.sheets({ userId: 'u1' });
    assert.deepEqual(
      sheets.value.map((s) => s.name),
      ['Roster'],
    );
    assert.equal((await google.sheets({ userId: 'u1' })).source, 'cache');
    assert.equal(fake.calls.drive, drive + 1);
  });

  test('2. 100 concurrent calls for one missing key make exactly one upstream call', async () => {
    const { google, cache } = setup();
    fake.delayMs = 150;
    try {
      const before = fake.calls.drive;
      const results = await Promise.all(Array.from({ length: 100 }, () => google.driveFiles({ userId: 'crowd', maxResults: 5 })));
      assert.equal(fake.calls.drive - before, 1);
      assert.equal(new Set(results.map((r) => JSON.stringify(r.value))).size, 1);
      const stats = await cache.stats();
      assert.equal(stats.services.google_drive_files.misses, 100);
      assert.equal(stats.services.google_drive_files.keys, 1);
    } finally {
      fake.delayMs = 0;
    }
  });

  test('3. invalidation by key, by service and user, and clear-all each remove exactly what they name', async () => {
    const { google, cache } = setup({ CACHE_TTL_GOOGLE_DRIVE_FILES: '600', CACHE_TTL_GOOGLE_CALENDAR_EVENTS: '600' });
    await google.driveFiles({ userId: 'u1', maxResults: 1 });
    await google.driveFiles({ userId: 'u1', maxResults: 2 });
    await google.driveFiles({ userId: 'u2', maxResults: 1 });
    await google.calendarEvents({ userId: 'u1' });
    const outsider = `${cache.keyPrefix}-not-cache`;
    await redis.set(outsider, 'keep me');
    const keyNames = async () => (await cache.keys()).map((k) => `${k.service}/${k.userId}`).sort();
    assert.deepEqual(await keyNames(), ['google_calendar_events/u1', 'google_drive_files/u1', 'google_drive_files/u1', 'google_drive_files/u2']);

    assert.equal(await cache.invalidateKey(cacheEntryKey(cache.keyPrefix, 'google_drive_files', 'u1', { maxResults: 2, folderId: undefined })), 1);
    assert.deepEqual(await keyNames(), ['google_calendar_events/u1', 'google_drive_files/u1', 'google_drive_files/u2']);
    assert.equal((await google.driveFiles({ userId: 'u1', maxResults: 1 })).source, 'cache', 'the other u1 drive entry is still there');

    assert.equal(await cache.invalidateService('google_drive_files', 'u1'), 1);
    assert.deepEqual(await keyNames(), ['google_calendar_events/u1', 'google_drive_files/u2']);

    assert.equal(await cache.invalidateService('google_drive_files'), 1);
    assert.deepEqual(await keyNames(), ['google_calendar_events/u1']);

    await google.driveFiles({ userId: 'u3' });
    assert.equal(await cache.clear(), 2);
    assert.deepEqual(await keyNames(), []);
    assert.equal(await redis.get(outsider), 'keep me', 'clear-all leaves keys outside the cache alone');
    await redis.del(outsider);
  });

  test('4. an upstream error with an expired value: grace serves it and logs it; without grace a clear error', async () => {
    const { google, log, config } = setup();
    await google.calendarEvents({ userId: 'u1', calendarId: 'team' });
    await sleep(1_100);
    fake.failWith = 503;
    try {
      const stale = await google.calendarEvents({ userId: 'u1', calendarId: 'team' });
      assert.equal(stale.source, 'stale');
      assert.deepEqual(
        stale.value.map((e) => e.id),
        ['ev1'],
      );
      assert.ok(
        log.lines.some((l) => l.startsWith('warn serving stale google_calendar_events of u1') && l.includes('upstream failed')),
        log.lines.join('\n'),
      );

      // Same Redis and prefix, grace off: the expired entry is there but must not be served.
      const noGraceCache = createCacheService({ cache: { ...config.cache, graceSeconds: 0 } }, redis, memoryLogger());
      const noGrace = new GoogleAPICache({ cache: noGraceCache, google: config.google, retry: false });
      await assert.rejects(noGrace.calendarEvents({ userId: 'u1', calendarId: 'team' }), (err: unknown) => {
        assert.ok(err instanceof CacheFetchError);
        assert.match(err.message, /^google_calendar_events: upstream failed \(.*503.*\); an expired value exists but grace is off$/);
        return true;
      });
      await assert.rejects(google.calendarEvents({ userId: 'nobody', calendarId: 'team' }), /upstream failed .*; no cached value to fall back on/);
    } finally {
      fake.failWith = null;
    }
  });

  describe('5. Redis stopped: calls go straight upstream and succeed', () => {
    test('Redis never reachable (nothing listens on the port)', async () => {
      const port = await freePort();
      const deadRedis = createRedis(`redis://127.0.0.1:${port}`, 'clipfleet-cache-test-dead');
      try {
        const config = testConfig(fake);
        const log = memoryLogger();
        const cache = createCacheService(config, deadRedis, log);
        const google = new GoogleAPICache({ cache, google: config.google, retry: false });
        const before = fake.calls.drive;
        const started = Date.now();
        const a = await google.driveFiles({ userId: 'u1' });
        const b = await google.driveFiles({ userId: 'u1' });
        assert.equal(a.source, 'upstream');
        assert.equal(b.source, 'upstream');
        assert.equal(fake.calls.drive - before, 2);
        assert.ok(Date.now() - started < 3_000, 'no waiting on the dead Redis');
        assert.equal(log.lines.filter((l) => l.startsWith('warn Redis unavailable')).length, 1, log.lines.join('\n'));
        await assert.rejects(cache.stats(), CacheUnavailableError);
      } finally {
        deadRedis.disconnect();
      }
    });

    test('Redis killed while in use', async () => {
      const port = await freePort();
      const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const ownRedis = createRedis(`redis://127.0.0.1:${port}`, 'clipfleet-cache-test-own');
      try {
        assert.ok(await waitForRedis(ownRedis, 5_000), 'own redis-server did not start');
        const config = testConfig(fake);
        const cache = createCacheService(config, ownRedis, memoryLogger());
        const google = new GoogleAPICache({ cache, google: config.google, retry: false });
        const before = fake.calls.drive;
        await google.driveFiles({ userId: 'u1' });
        assert.equal((await google.driveFiles({ userId: 'u1' })).source, 'cache');
        server.kill('SIGKILL');
        await new Promise((resolve) => server.once('exit', resolve));
        const results = await Promise.all([google.driveFiles({ userId: 'u1' }), google.driveFiles({ userId: 'u2' })]);
        assert.deepEqual(
          results.map((r) => r.source),
          ['upstream', 'upstream'],
        );
        assert.equal(fake.calls.drive - before, 3);
      } finally {
        ownRedis.disconnect();
        if (server.exitCode === null) server.kill('SIGKILL');
      }
    });
  });
});

describe('cache over Huntflow', () => {
  let fake: FakeHuntflow;
  let redis: RedisClient;
  let cache: CacheService;
  const client = () => new HuntflowClient({ baseUrl: fake.url, accessToken: fake.accessToken, refreshToken: fake.refreshToken, maxRetries: 2, maxRetryAfterSeconds: 5 });

  before(async () => {
    fake = await startFakeHuntflow();
    redis = createRedis(TEST_REDIS_URL, 'clipfleet-cache-test-hf');
    assert.ok(await waitForRedis(redis));
    const config = loadConfig({ REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: `t${randomBytes(4).toString('hex')}` });
    cache = createCacheService(config, redis, memoryLogger());
  });
  after(async () => {
    await cache.clear();
    redis.disconnect();
    await fake.close();
  });

  test('accounts, vacancies and candidates are cached per account and page', async () => {
    const hf = new HuntflowAPICache(cache, client());
    const before = fake.requests.length;
    assert.deepEqual((await hf.accounts({ userId: 'rec1' })).value, [{ id: 11, name: 'Acme Hiring', nick: 'acme' }]);
    const vacancies = await hf.vacancies({ userId: 'rec1', accountId: 11 });
    assert.deepEqual(
      vacancies.value.items.map((v) => v.position),
      ['Video editor'],
    );
    const candidates = await hf.candidates({ userId: 'rec1', accountId: 11, vacancyId: 101 });
    assert.deepEqual(
      candidates.value.items.map((a) => a.first_name),
      ['Ann'],
    );
    assert.equal((await hf.candidates({ userId: 'rec1', accountId: 11, vacancyId: 101 })).source, 'cache');
    assert.equal((await hf.candidates({ userId: 'rec1', accountId: 11, page: 2, vacancyId: 101 })).source, 'upstream');
    assert.equal(fake.requests.length - before, 4);
  });

  test('6a. token_expired: one refresh, then the call succeeds (also for concurrent calls)', async () => {
    const c = client();
    await c.accounts();
    fake.expireToken();
    const refreshesBefore = fake.refreshCalls;
    const results = await Promise.all([c.accounts(), c.vacancies(11), c.applicants(11)]);
    assert.equal(results[0][0]?.name, 'Acme Hiring');
    assert.equal(fake.refreshCalls - refreshesBefore, 1);
    assert.equal(fake.accessToken, `hf-access-${1 + fake.refreshCalls}`);
  });

  test('6b. a 429 is retried after the stated Retry-After', async () => {
    const c = client();
    fake.rateLimit(1, 1);
    const started = Date.now();
    const accounts = await c.accounts();
    assert.equal(accounts.length, 1);
    const [limited, ok] = fake.requests.slice(-2);
    assert.equal(limited?.status, 429);
    assert.equal(ok?.status, 200);
    assert.ok(ok && limited && ok.at - limited.at >= 990, `retried after ${ok && limited ? ok.at - limited.at : '?'} ms`);
    assert.ok(Date.now() - started < 3_000);

    fake.rateLimit(1, 30);
    await assert.rejects(c.accounts(), (err: unknown) => err instanceof HuntflowError && err.status === 429 && /asked to wait 30s/.test(err.message));
  });
});
