import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../config';
import { startTestDemoPlatform, type TestDemoPlatform } from '../demo-platform/fixtures';
import { createBrowserPool, type BrowserPool } from './browser-pool';

let platform: TestDemoPlatform;
let pool: BrowserPool;

before(async () => {
  platform = await startTestDemoPlatform();
  pool = createBrowserPool({ ...loadConfig().browser, concurrency: 2 });
});

after(async () => {
  await pool.close();
  await platform.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('browser pool', () => {
  test('runs at most `concurrency` contexts at once and queues the rest', async () => {
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        pool.withContext({}, async () => {
          running += 1;
          peak = Math.max(peak, running);
          await sleep(150);
          running -= 1;
          return n;
        }),
      ),
    );
    assert.deepEqual(results, [1, 2, 3, 4, 5]);
    assert.equal(peak, 2);
    assert.deepEqual(pool.stats(), { active: 0, waiting: 0, launches: 1 });
  });

  test('each call gets a fresh context; storage state carries cookies into a later one', async () => {
    const state = await pool.withContext({}, async (context, page) => {
      await page.goto(`${platform.url}/login`);
      await context.addCookies([{ name: 'probe', value: 'yes', url: platform.url }]);
      return context.storageState();
    });
    const fresh = await pool.withContext({}, (context) => context.cookies());
    assert.equal(fresh.length, 0);
    const restored = await pool.withContext({ storageState: state }, (context) => context.cookies());
    assert.deepEqual(
      restored.map((c) => c.name),
      ['probe'],
    );
  });

  test('a context is closed even when the callback throws', async () => {
    let contextClosed = false;
    await assert.rejects(
      pool.withContext({}, async (context) => {
        context.on('close', () => (contextClosed = true));
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(contextClosed, true);
    assert.equal(pool.stats().active, 0);
  });

  test('aborting the signal closes the context and fails the callback', async () => {
    const controller = new AbortController();
    await assert.rejects(
      pool.withContext({ signal: controller.signal }, async (_context, page) => {
        setTimeout(() => controller.abort(), 100);
        await page.waitForTimeout(10_000);
      }),
      /closed/,
    );
    assert.equal(pool.stats().active, 0);
  });

  test('a crashed browser is launched again on the next call', async () => {
    const before = pool.stats().launches;
    await pool.withContext({}, async (context) => {
      await context.browser()?.close();
    });
    const title = await pool.withContext({}, async (_context, page) => {
      await page.goto(`${platform.url}/login`);
      return page.title();
    });
    assert.match(title, /Sign in/);
    assert.equal(pool.stats().launches, before + 1);
  });

  test('after close, calls are refused', async () => {
    const closing = createBrowserPool({ ...loadConfig().browser, concurrency: 1 });
    await closing.withContext({}, async () => undefined);
    await closing.close();
    await assert.rejects(
      closing.withContext({}, async () => undefined),
      /browser pool is closed/,
    );
  });
});
