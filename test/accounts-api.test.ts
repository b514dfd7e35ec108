/**
 * The accounts API a console and a script both use: tags (normalized, validated, filtered
 * by), search, each account's state and last post, "check sign-in" against the real demo
 * platform in Chromium (a refused password shows as `session_expired`), checking a
 * connected YouTube account, create-only adds, and CSV import with an answer per row.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { browserProxy } from '../accounts/proxy';
import { createApp } from '../api/app';
import { bulkUploadWorkflowId } from '../contracts/names';
import { Account, BulkUploadTask, VideoData } from '../database/entities';
import type { BrowserPool } from '../platforms/browser-pool';
import { openServices } from '../runtime';
import { API_TOKEN } from './fixtures/stack';
import { useTestStack } from './fixtures/suite-stack';

interface AccountJson {
  id: string;
  username: string;
  tags: string[];
  state: string;
  stateDetail: string | null;
  proxy: { server: string; username: string | null } | null;
  lastPost: { url: string | null; at: string } | null;
}
interface ErrorJson {
  error: string;
  issues: { field: string; message: string; line?: number }[];
}
interface ImportJson {
  created: number;
  updated: number;
  failed: number;
  rows: { line: number; id: string | null; result: string; issues: { field: string; message: string }[] }[];
}

describe('the accounts API', { timeout: 120_000 }, () => {
  const stack = useTestStack({ worker: false, youtube: { channels: [{ id: 'UC_api_test_channel', title: 'API Test Channel' }] } });
  const run = randomBytes(3).toString('hex');
  const id = (name: string) => `${name}-${run}`;

  async function json<T>(res: Response, status: number): Promise<T> {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as T;
  }
  const list = async (query = '') => json<AccountJson[]>(await stack().api('GET', `/accounts${query}`), 200);
  const one = async (accountId: string) => json<AccountJson>(await stack().api('GET', `/accounts/${accountId}`), 200);

  it('stores tags lower-case without repeats, filters by tag and searches id and username', async () => {
    const eu = await json<AccountJson>(await stack().api('PUT', '/accounts', { id: id('tag-a'), username: `Alpha-${run}`, password: 'pw-a', tags: ['EU', 'Cats', 'eu'] }), 201);
    assert.deepEqual(eu.tags, ['eu', 'cats']);
    await json(await stack().api('PUT', '/accounts', { id: id('tag-b'), username: `bravo-${run}`, password: 'pw-b', tags: 'us; dogs  кошки' }), 201);

    const bad = await json<ErrorJson>(await stack().api('PUT', '/accounts', { id: id('tag-c'), username: 'c', password: 'pw', tags: ['ok', 'not ok!'] }), 400);
    assert.deepEqual(
      bad.issues.map((i) => i.field),
      ['tags.1'],
    );
    assert.match(bad.issues[0]!.message, /"not ok!" is not a tag/);

    const patched = await json<AccountJson>(await stack().api('PATCH', `/accounts/${id('tag-b')}`, { tags: ['US', 'Birds'] }), 200);
    assert.deepEqual(patched.tags, ['us', 'birds']);

    assert.deepEqual(
      (await list('?tag=EU')).map((a) => a.id),
      [id('tag-a')],
    );
    assert.deepEqual(
      (await list('?tag=birds')).map((a) => a.id),
      [id('tag-b')],
    );
    assert.deepEqual(
      (await list(`?q=ALPHA-${run}`)).map((a) => a.id),
      [id('tag-a')],
      'search matches the username in any case',
    );
    assert.deepEqual(
      (await list(`?q=${run}&tag=us`)).map((a) => a.id),
      [id('tag-b')],
    );
    const badFilter = await json<ErrorJson>(await stack().api('GET', '/accounts?tag=a%20b'), 400);
    assert.equal(badFilter.issues[0]?.field, 'tag');
  });

  it('an add with If-None-Match: * never replaces an account', async () => {
    const body = { id: id('once'), username: `once-${run}`, password: 'first-pw' };
    await json(await stack().api('PUT', '/accounts', body), 201);
    const again = await stack().app.request('/accounts', {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', 'if-none-match': '*' },
      body: JSON.stringify({ ...body, username: 'someone-else', password: 'second-pw' }),
    });
    const refused = await json<ErrorJson>(again, 412);
    assert.equal(refused.issues[0]?.field, 'id');
    assert.equal((await one(id('once'))).username, `once-${run}`);
  });

  it('shows the state of browser accounts and their newest published post', async () => {
    await json(
      await stack().api('PUT', '/accounts', {
        id: id('fresh'),
        username: `fresh-${run}`,
        password: 'pw',
        proxy: { server: 'http://proxy.example:8080', username: 'pu', password: 'proxy-pw-secret' },
      }),
      201,
    );
    const fresh = await one(id('fresh'));
    assert.equal(fresh.state, 'not_signed_in');
    assert.deepEqual(fresh.proxy, { server: 'http://proxy.example:8080', username: 'pu' });
    assert.equal(fresh.lastPost, null);
    const proxyOf = async () => browserProxy(await stack().deps.orm.em.fork().findOneOrFail(Account, id('fresh')), stack().deps.secrets);
    const stored = await stack().deps.orm.em.fork().findOneOrFail(Account, id('fresh'));
    assert.ok(stored.proxy?.passwordEnc && !JSON.stringify(stored.proxy).includes('proxy-pw-secret'), 'the proxy password is stored encrypted');
    assert.equal((await proxyOf())?.password, 'proxy-pw-secret');
    await json(await stack().api('PATCH', `/accounts/${id('fresh')}`, { proxy: { server: 'http://proxy.example:8080', username: 'pu' } }), 200);
    assert.equal((await proxyOf())?.password, 'proxy-pw-secret', 'an edit that leaves the proxy password out keeps it');

    const em = stack().deps.orm.em.fork();
    const taskId = `posts-${run}`;
    const task = em.create(BulkUploadTask, {
      id: taskId,
      platform: 'demo',
      workflowId: bulkUploadWorkflowId(taskId),
      options: { uniquifyPreset: 'fast', concurrency: 1, dryRun: false },
    });
    const times = { v1: '2026-11-20T10:00:00Z', v2: '2026-11-21T10:00:00Z', v3: '2026-11-22T10:00:00Z' } as const;
    for (const videoId of ['v1', 'v2', 'v3'] as const) {
      em.create(VideoData, {
        task,
        accountId: id('fresh'),
        videoId,
        originalPath: 'a.mp4',
        status: videoId === 'v3' ? 'failed' : 'published',
        postUrl: `http://demo.example/p/${videoId}`,
      });
    }
    await em.flush();
    // The ORM stamps updatedAt on every write: set the times the posts went live directly.
    for (const [videoId, at] of Object.entries(times))
      await stack()
        .deps.orm.em.fork()
        .nativeUpdate(VideoData, { task: taskId, videoId }, { updatedAt: new Date(at) });
    assert.deepEqual((await one(id('fresh'))).lastPost, { url: 'http://demo.example/p/v2', at: '2026-11-21T10:00:00.000Z' });
  });

  it('check sign-in signs a demo account in for real; a wrong password shows as session expired with the reason', async () => {
    const account = await stack().addAccount({ id: id('demo-check') });
    const ok = await json<{ state: string; ok: boolean; message: string }>(await stack().api('POST', `/accounts/${account.id}/check`), 200);
    assert.deepEqual(ok, { state: 'signed_in', ok: true, message: `signed in to demo as ${account.username}` });
    const stored = await stack().deps.orm.em.fork().findOneOrFail(Account, account.id);
    assert.ok(stored.sessionEnc, 'the fresh session is stored');
    assert.equal((await one(account.id)).state, 'signed_in');

    await json(await stack().api('PATCH', `/accounts/${account.id}`, { password: 'not-the-password' }), 200);
    const refused = await json<{ state: string; ok: boolean; message: string }>(await stack().api('POST', `/accounts/${account.id}/check`), 200);
    assert.equal(refused.state, 'session_expired');
    assert.equal(refused.ok, false);
    assert.match(refused.message, /sign-in rejected for user .*Invalid username or password/);
    const listed = await one(account.id);
    assert.equal(listed.state, 'session_expired');
    assert.equal(listed.stateDetail, refused.message);

    const corrected = await json<AccountJson>(await stack().api('PATCH', `/accounts/${account.id}`, { password: account.password }), 200);
    assert.deepEqual({ state: corrected.state, stateDetail: corrected.stateDetail }, { state: 'signed_in', stateDetail: null }, 'a corrected password clears the refusal');
    assert.equal((await json<{ state: string }>(await stack().api('POST', `/accounts/${account.id}/check`), 200)).state, 'signed_in', 'a good sign-in clears it');
    assert.equal((await stack().api('POST', `/accounts/nobody-${run}/check`)).status, 404);
  });

  it('checks sign-in in one shared Chromium, two at a time: more clicks wait their turn', async () => {
    const pool = stack().signInBrowsers;
    let open = 0;
    let most = 0;
    const watched: BrowserPool = {
      ...pool,
      withContext: (options, fn) =>
        pool.withContext(options, async (context, page) => {
          most = Math.max(most, ++open);
          try {
            return await fn(context, page);
          } finally {
            open -= 1;
          }
        }),
    };
    const app = createApp({ ...stack().apiDeps, signInBrowsers: watched });
    const accounts = await Promise.all(['c1', 'c2', 'c3'].map((name) => stack().addAccount({ id: id(`burst-${name}`) })));
    const answers = await Promise.all(
      accounts.map(async (a) => json<{ state: string }>(await app.request(`/accounts/${a.id}/check`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}` } }), 200)),
    );
    assert.deepEqual(
      answers.map((a) => a.state),
      ['signed_in', 'signed_in', 'signed_in'],
    );
    assert.equal(most, 2, 'two checks ran at once, the third waited');
    assert.equal(pool.stats().launches, 1, "every check of the file used the process's one Chromium");
  });

  it('a proxy password written into the server URL is split off and encrypted, by PUT, PATCH and CSV alike', async () => {
    const secrets = { put: `put-${run}-secret`, patch: `patch-${run}-secret`, csv: `csv-${run}-secret` };
    await json(
      await stack().api('PUT', '/accounts', { id: id('url-put'), username: `url-put-${run}`, password: 'pw', proxy: { server: `http://pu:${secrets.put}@proxy.example:8080` } }),
      201,
    );
    await json(await stack().api('PUT', '/accounts', { id: id('url-patch'), username: `url-patch-${run}`, password: 'pw' }), 201);
    await json(await stack().api('PATCH', `/accounts/${id('url-patch')}`, { proxy: { server: `socks5://pu:${secrets.patch}@10.0.0.2:1080` } }), 200);
    const imported = await json<ImportJson>(
      await stack().api('POST', '/accounts/import', { csv: `id,username,password,proxy\n${id('url-csv')},url-csv-${run},pw,http://pu:${secrets.csv}@proxy.example:3128\n` }),
      200,
    );
    assert.equal(imported.created, 1);

    for (const [name, server, secret] of [
      ['url-put', 'http://proxy.example:8080', secrets.put],
      ['url-patch', 'socks5://10.0.0.2:1080', secrets.patch],
      ['url-csv', 'http://proxy.example:3128', secrets.csv],
    ] as const) {
      assert.deepEqual((await one(id(name))).proxy, { server, username: 'pu' }, name);
      const stored = await stack().deps.orm.em.fork().findOneOrFail(Account, id(name));
      assert.ok(!JSON.stringify(stored.proxy).includes(secret), `${name}: no clear password in the row`);
      assert.equal(browserProxy(stored, stack().deps.secrets)?.password, secret, `${name}: the browser still gets it`);
    }
    const shown = [await (await stack().api('GET', '/accounts')).text(), await (await stack().api('GET', '/dashboard/accounts')).text()].join('\n');
    for (const secret of Object.values(secrets)) assert.ok(!shown.includes(secret), 'neither the list nor the page shows it');

    const twice = await json<ErrorJson>(
      await stack().api('PUT', '/accounts', { id: id('url-twice'), username: 'twice', password: 'pw', proxy: { server: 'http://pu:one@proxy.example:8080', password: 'two' } }),
      400,
    );
    assert.deepEqual(
      twice.issues.map((i) => i.field),
      ['proxy.server'],
    );
  });

  it('proxies saved in clear before are encrypted when a process opens its services, and never shown', async () => {
    const legacy = { clear: `legacy-clear-${run}-secret`, url: `legacy-url-${run}-secret` };
    for (const name of ['legacy-clear', 'legacy-url']) await json(await stack().api('PUT', '/accounts', { id: id(name), username: `${name}-${run}`, password: 'pw' }), 201);
    const em = stack().deps.orm.em.fork();
    await em.nativeUpdate(Account, { id: id('legacy-clear') }, { proxy: { server: 'http://proxy.example:8080', username: 'pu', password: legacy.clear } });
    await em.nativeUpdate(Account, { id: id('legacy-url') }, { proxy: { server: `http://pu:${legacy.url}@proxy.example:8080` } });

    const services = await openServices(stack().config, { name: 'clipfleet-test-upgrade' });
    await services.close();

    for (const [name, secret] of [
      ['legacy-clear', legacy.clear],
      ['legacy-url', legacy.url],
    ] as const) {
      const stored = await stack().deps.orm.em.fork().findOneOrFail(Account, id(name));
      assert.ok(stored.proxy?.passwordEnc && !JSON.stringify(stored.proxy).includes(secret), `${name}: encrypted, no clear copy left`);
      assert.deepEqual(browserProxy(stored, stack().deps.secrets), { server: 'http://proxy.example:8080', username: 'pu', password: secret });
    }
    const shown = [await (await stack().api('GET', '/accounts')).text(), await (await stack().api('GET', '/dashboard/accounts')).text()].join('\n');
    for (const secret of Object.values(legacy)) assert.ok(!shown.includes(secret), 'neither the list nor the page shows it');
  });

  it('checks a YouTube account by its connection, and sends an unconnected one to Connect', async () => {
    const yt = id('yt');
    await json(await stack().api('PUT', '/accounts', { id: yt, platform: 'youtube', username: 'yt owner' }), 201);
    assert.equal((await one(yt)).state, 'not_connected');
    const notYet = await json<ErrorJson>(await stack().api('POST', `/accounts/${yt}/check`), 409);
    assert.match(notYet.error, /not connected yet: press Connect/);

    await stack().connectYouTube(yt, 'UC_api_test_channel');
    const checked = await json<{ state: string; ok: boolean; message: string }>(await stack().api('POST', `/accounts/${yt}/check`), 200);
    assert.deepEqual(checked, { state: 'connected', ok: true, message: 'connected to youtube as API Test Channel' });
  });

  it('imports accounts from CSV: good rows saved, each bad row answered with its line and field', async () => {
    await json(await stack().api('PUT', '/accounts', { id: id('imp-old'), username: `old-${run}`, password: 'kept-password', tags: ['old'] }), 201);
    const csv = [
      'ID,Platform,Username,Password,Proxy,Tags',
      `${id('imp-a')},demo,a-${run},pw-a,http://pu:proxy-secret@proxy.example:3128,EU;Cats`,
      `${id('imp-bad')},demo,bad-${run},,,eu`,
      `${id('imp-old')},demo,old-${run},,,new tags`,
      `${id('imp-b')},nowhere,b-${run},pw-b,,`,
      `${id('imp-c')},youtube,c-${run},,,yt`,
      `${id('imp-a')},demo,again-${run},pw,,`,
      `${id('imp-d')},demo,d-${run},pw-d,ftp://x,`,
    ].join('\n');
    const result = await json<ImportJson>(await stack().api('POST', '/accounts/import', { csv }), 200);
    assert.deepEqual({ created: result.created, updated: result.updated, failed: result.failed }, { created: 2, updated: 1, failed: 4 });
    const byLine = new Map(result.rows.map((r) => [r.line, r]));
    assert.equal(byLine.get(2)?.result, 'created');
    assert.deepEqual(
      byLine.get(3)?.issues.map((i) => i.field),
      ['password'],
    );
    assert.equal(byLine.get(4)?.result, 'updated');
    assert.deepEqual(
      byLine.get(5)?.issues.map((i) => i.field),
      ['platform'],
    );
    assert.equal(byLine.get(6)?.result, 'created');
    assert.match(byLine.get(7)?.issues[0]?.message ?? '', /already on line 2/);
    assert.deepEqual(
      byLine.get(8)?.issues.map((i) => i.field),
      ['proxy'],
    );

    const a = await one(id('imp-a'));
    assert.deepEqual(a.tags, ['eu', 'cats']);
    assert.deepEqual(a.proxy, { server: 'http://proxy.example:3128', username: 'pu' });
    const old = await stack().deps.orm.em.fork().findOneOrFail(Account, id('imp-old'));
    assert.deepEqual(old.tags, ['new', 'tags']);
    assert.equal(stack().deps.secrets.decrypt(old.passwordEnc, 'password'), 'kept-password', 'a blank password cell keeps the stored one');
    assert.equal(
      await stack()
        .deps.orm.em.fork()
        .count(Account, { id: { $in: [id('imp-bad'), id('imp-b'), id('imp-d')] } }),
      0,
      'no bad row is saved',
    );
    assert.ok(!JSON.stringify(result).includes('proxy-secret'), 'the answer carries no secret');
  });

  it('refuses a CSV that cannot be read as a whole, saving nothing; takes text/csv too', async () => {
    const unknown = await json<ErrorJson>(await stack().api('POST', '/accounts/import', { csv: `id,username,colour\n${id('x')},x,red\n` }), 400);
    assert.match(unknown.issues[0]!.message, /unknown column "colour"/);
    const noId = await json<ErrorJson>(await stack().api('POST', '/accounts/import', { csv: 'username,password\nx,y\n' }), 400);
    assert.match(noId.issues[0]!.message, /"id" is missing/);
    assert.equal(
      await stack()
        .deps.orm.em.fork()
        .count(Account, { id: id('x') }),
      0,
    );

    const res = await stack().app.request('/accounts/import', {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'text/csv; charset=utf-8' },
      body: `id,username,password\n${id('csv-type')},t-${run},pw\n`,
    });
    assert.equal((await json<ImportJson>(res, 200)).created, 1);
  });
});
