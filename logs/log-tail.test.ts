/**
 * The shared blocking reader against a real Redis: a reader is live as soon as the XREAD
 * waits on its key (not after the first line), a reader whose key the XREAD does not wait
 * on yet is not live (its caller polls) and still gets its lines once it does, and an XREAD
 * that Redis refuses is asked again after a pause, not in a tight loop.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { taskLogsKey } from '../contracts/names';
import { createRedis, waitForRedis, type RedisClient } from '../redis/connection';
import { TEST_REDIS_URL } from '../test/fixtures/stack';
import { waitFor } from '../test/fixtures/wait';
import { createLogTail, type LogWatch } from './log-tail';

describe('log tail', () => {
  const run = randomBytes(4).toString('hex');
  const keys: string[] = [];
  const watches: LogWatch[] = [];
  let redis: RedisClient;
  /** A stream key of this run, removed after the tests. */
  const key = (name: string) => {
    const k = taskLogsKey(`tail-${name}-${run}`);
    keys.push(k);
    return k;
  };
  /** Clients of their own per test: a tail ends with the client it was duplicated from. */
  const clients: RedisClient[] = [];
  const client = async () => {
    const c = createRedis(TEST_REDIS_URL, 'clipfleet-log-tail-test');
    assert.ok(await waitForRedis(c), `Redis must answer on ${TEST_REDIS_URL}`);
    clients.push(c);
    return c;
  };

  before(async () => {
    redis = await client();
  });
  after(async () => {
    for (const w of watches) w.close();
    if (keys.length) await redis.unlink(...keys);
    for (const c of clients) c.disconnect();
  });

  test('a reader is live once the XREAD waits on its key, before any line; a line then wakes it', async () => {
    // An XREAD that no line ends lasts a minute: live must not wait for it to return.
    const tail = createLogTail(await client(), { blockMs: 60_000 });
    const k = key('live');
    const w = tail.watch(k, 0);
    watches.push(w);
    assert.equal(w.live, false, 'not live before the XREAD is sent');
    await waitFor('the reader to be live', async () => w.live, 5_000);
    // Going live wakes the reader once (lines may have come while nobody listened).
    assert.equal(await w.next(0), true);

    await redis.xadd(k, '5-0', 'message', 'a line');
    assert.equal(await w.next(5_000), true, 'the line wakes it');
  });

  test('a reader whose wake-up could not be written is not live until the XREAD waits on its key, and its lines still wake it', async () => {
    const c = await client();
    const tail = createLogTail(c, { blockMs: 1_000 });
    const first = tail.watch(key('first'), 0);
    watches.push(first);
    await waitFor('the first reader to be live', async () => first.live, 5_000);

    // The wake-up that adds a key to the blocked XREAD cannot be written.
    const multi = c.multi.bind(c);
    c.multi = ((...args: Parameters<typeof c.multi>) => {
      const m = multi(...args);
      m.exec = () => Promise.reject(new Error('refused'));
      return m;
    }) as typeof c.multi;
    const k = key('late');
    const late = tail.watch(k, 0);
    watches.push(late);
    assert.equal(late.live, false, 'its caller polls until the XREAD waits on its key');
    await redis.xadd(k, '7-0', 'message', 'a line');
    // The blocked XREAD ends after blockMs and is issued again with the new key, from the
    // reader's cursor: the line added meanwhile is found.
    assert.equal(await late.next(5_000), true, 'the line wakes it');
    assert.equal(late.live, true);
  });

  test('an XREAD that Redis refuses is asked again after a pause; the reader recovers when it can', async () => {
    const c = await client();
    const calls: number[] = [];
    const duplicate = c.duplicate.bind(c);
    c.duplicate = ((...args: Parameters<typeof c.duplicate>) => {
      const d = duplicate(...args);
      const xread = d.xread.bind(d);
      d.xread = ((...a: Parameters<typeof xread>) => {
        calls.push(performance.now());
        return xread(...a);
      }) as typeof d.xread;
      return d;
    }) as typeof c.duplicate;
    const k = key('wrongtype');
    // Not a stream: every XREAD naming it fails with WRONGTYPE while the connection stays up.
    await redis.set(k, 'not a stream');
    const tail = createLogTail(c, { blockMs: 60_000 });
    const w = tail.watch(k, 0);
    watches.push(w);
    await waitFor('three refused XREADs', async () => calls.length >= 3, 5_000);
    assert.equal(w.live, false, 'a refused reader is not live: its caller polls');
    const gaps = calls.slice(1, 3).map((t, i) => t - calls[i]!);
    assert.ok(
      gaps.every((g) => g >= 90),
      `paused between attempts: ${gaps.map((g) => g.toFixed(1)).join(', ')} ms`,
    );

    await redis.del(k);
    await redis.xadd(k, '3-0', 'message', 'a line');
    await waitFor('the reader to be live again', async () => w.live, 5_000);
    assert.equal(await w.next(5_000), true, 'the line wakes it');
  });
});
