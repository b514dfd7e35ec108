/**
 * The log store's cursor and the live stream: one cursor for Redis and SQLite, SSE that
 * resumes from Last-Event-ID with every line exactly once, lines pushed to an open stream
 * as they are added (no poll), and answers from SQLite when Redis is down — including a
 * whole bulk run with Redis unreachable.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../api/app';
import { accountLogsKey, accountUploadWorkflowId, bulkUploadWorkflowId, taskLogsKey } from '../contracts/names';
import { BulkUploadAccount, BulkUploadTask, LogLine } from '../database/entities';
import { createLogStore, type LogEntry, type LogStore } from '../logs/log-store';
import { createRedis, type RedisClient } from '../redis/connection';
import { createWorker } from '../workers/create-worker';
import { API_TOKEN, sharedBundle, startTestStack, type TestStack } from './fixtures/stack';

/** Reads SSE events from a response until `count` log events arrived; then disconnects. */
async function readEvents(res: Response, count: number, timeoutMs = 15_000): Promise<{ id?: string; event?: string; data: string }[]> {
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { id?: string; event?: string; data: string }[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (events.filter((e) => e.event === 'log').length < count && !events.some((e) => e.event === 'done')) {
      if (Date.now() > deadline) throw new Error(`only ${events.length} events before the timeout`);
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: { id?: string; event?: string; data: string } = { data: '' };
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(':');
          const value = rest.join(':').replace(/^ /, '');
          if (field === 'id') e.id = value;
          else if (field === 'event') e.event = value;
          else if (field === 'data') e.data += value;
        }
        if (e.event) events.push(e);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
}

const messages = (events: { event?: string; data: string }[]) => events.filter((e) => e.event === 'log').map((e) => (JSON.parse(e.data) as LogEntry).message);

describe('log store cursors and the live stream', { timeout: 120_000 }, () => {
  let stack: TestStack;
  let deadRedis: RedisClient;
  let deadStore: LogStore;
  before(async () => {
    stack = await startTestStack({ worker: false });
    // Nothing listens on port 1: this client is what a log store sees while Redis is down.
    deadRedis = createRedis('redis://127.0.0.1:1/15', 'dead');
    deadStore = createLogStore({ orm: stack.deps.orm, redis: deadRedis, maxLines: 1_000, ttlSeconds: 600, consoleWrite: null });
  });
  after(async () => {
    deadRedis?.disconnect();
    await stack?.close();
  });

  async function makeTask(taskId: string, accountIds: string[]) {
    const em = stack.deps.orm.em.fork();
    const task = em.create(BulkUploadTask, {
      id: taskId,
      platform: 'demo',
      workflowId: bulkUploadWorkflowId(taskId),
      options: { uniquifyPreset: 'fast', concurrency: 1, dryRun: false },
      status: 'running',
      accountCount: accountIds.length,
    });
    for (const accountId of accountIds) em.create(BulkUploadAccount, { task, accountId, workflowId: accountUploadWorkflowId(taskId, accountId) });
    await em.flush();
  }

  const fastApp = (logStore: LogStore, logPollMs = 50) => createApp({ ...stack.apiDeps, config: { ...stack.config, api: { ...stack.config.api, logPollMs } }, logStore });
  const sse = (app: ReturnType<typeof createApp>, url: string, lastEventId?: string) =>
    Promise.resolve(app.request(url, { headers: { authorization: `Bearer ${API_TOKEN}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } }));

  it('an SSE client that disconnects and reconnects with Last-Event-ID gets every line exactly once', async () => {
    await makeTask('sse-resume', ['ann', 'ben']);
    const store = stack.deps.logStore;
    const app = fastApp(store);
    const say = (n: number, accountId?: string) => store.append({ taskId: 'sse-resume', accountId, level: 'info', message: `line ${n}` });
    for (let n = 1; n <= 5; n++) await say(n, n % 2 ? 'ann' : 'ben');

    const first = await readEvents(await sse(app, '/bulk-upload/sse-resume/logs/'), 3);
    assert.deepEqual(messages(first), ['line 1', 'line 2', 'line 3']);
    const lastId = first.filter((e) => e.event === 'log').at(-1)!.id!;

    // Written while no one is connected, then while the second connection is open.
    for (let n = 6; n <= 8; n++) await say(n, 'ben');
    const second = sse(app, '/bulk-upload/sse-resume/logs/?after=1', lastId);
    setTimeout(
      () =>
        void (async () => {
          for (let n = 9; n <= 10; n++) await say(n);
        })(),
      200,
    );
    const resumed = await readEvents(await second, 7);
    assert.deepEqual(messages(resumed), ['line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10'], 'Last-Event-ID wins over ?after and nothing repeats');
    const ids = [...first, ...resumed].filter((e) => e.event === 'log').map((e) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'event ids are increasing cursors',
    );

    const annOnly = await readEvents(await sse(app, '/bulk-upload/sse-resume/logs/?account=ann'), 3);
    assert.deepEqual(messages(annOnly), ['line 1', 'line 3', 'line 5']);
  });

  it('pushes lines to an open stream as they are added: every line once, in order, across a reconnect', async () => {
    const taskId = `sse-push-${randomBytes(3).toString('hex')}`;
    await makeTask(taskId, ['ann']);
    const store = stack.deps.logStore;
    // A poll of a minute, and each read below gives up after 15 s: whatever arrives was pushed.
    const app = fastApp(store, 60_000);
    const say = (n: number) => store.append({ taskId, accountId: n % 2 ? 'ann' : undefined, level: 'info', message: `push ${n}` });
    await say(1);

    const first = sse(app, `/bulk-upload/${taskId}/logs/`);
    const firstEvents = readEvents(await first, 6);
    // Written while the stream is open and waiting.
    for (let n = 2; n <= 6; n++) await say(n);
    const seen = await firstEvents;
    assert.deepEqual(messages(seen), ['push 1', 'push 2', 'push 3', 'push 4', 'push 5', 'push 6']);

    // Gone for a while (lines 7-8), back with the browser's Last-Event-ID, more lines (9-11) while open.
    for (let n = 7; n <= 8; n++) await say(n);
    const resumedEvents = readEvents(await sse(app, `/bulk-upload/${taskId}/logs/`, seen.at(-1)!.id), 5);
    for (let n = 9; n <= 11; n++) await say(n);
    const resumed = await resumedEvents;
    assert.deepEqual(messages(resumed), ['push 7', 'push 8', 'push 9', 'push 10', 'push 11']);
    const ids = [...seen, ...resumed].filter((e) => e.event === 'log').map((e) => Number(e.id));
    assert.equal(new Set(ids).size, ids.length, 'no line twice');
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'in cursor order',
    );

    // One account's stream is pushed from its own key.
    const annEvents = readEvents(await sse(app, `/bulk-upload/${taskId}/logs/?account=ann`, resumed.at(-1)!.id), 1);
    await say(12);
    await say(13);
    assert.deepEqual(messages(await annEvents), ['push 13']);
  });

  it('with Redis down an open stream still gets the lines added meanwhile, from SQLite', async () => {
    const taskId = `sse-down-${randomBytes(3).toString('hex')}`;
    await makeTask(taskId, ['dan']);
    const say = (n: number) => deadStore.append({ taskId, accountId: 'dan', level: 'info', message: `down ${n}` });
    await say(1);
    const events = readEvents(await sse(fastApp(deadStore), `/bulk-upload/${taskId}/logs/`), 4);
    for (let n = 2; n <= 4; n++) assert.equal((await say(n)).redis, false);
    assert.deepEqual(messages(await events), ['down 1', 'down 2', 'down 3', 'down 4']);
  });

  it("batches from concurrent writers keep every line once and in order; each account's stream comes from Redis", async () => {
    const accounts = Array.from({ length: 12 }, (_, i) => `w${i}`);
    await makeTask('batches', accounts);
    const store = stack.deps.logStore;
    // Each account writes three batches of three lines, all accounts at once; retrying a
    // batch (same source keys) adds nothing.
    await Promise.all(
      accounts.map(async (accountId) => {
        for (let b = 0; b < 3; b++) {
          const lines = [0, 1, 2].map((l) => ({
            taskId: 'batches',
            accountId,
            level: 'info' as const,
            message: `${accountId} ${b}.${l}`,
            sourceKey: `batches/${accountId}/${b}/${l}`,
          }));
          assert.equal((await store.appendMany(lines)).duplicate, false);
          assert.equal((await store.appendMany(lines)).duplicate, true);
        }
      }),
    );
    // The task stream may come from either copy: a writer whose XADD reaches Redis after a
    // later line's is refused, and readers then take SQLite. The lines must be the same.
    const all = await store.read('batches');
    assert.equal(all.entries.length, accounts.length * 9);
    const fromDb = await stack.deps.orm.em.fork().find(LogLine, { task: 'batches' }, { orderBy: { id: 'asc' } });
    assert.deepEqual(
      all.entries.map((e) => e.message),
      fromDb.map((l) => l.message),
      'Redis and SQLite hold the same lines in the same order',
    );
    for (const accountId of accounts) {
      const mine = await store.read('batches', { accountId });
      assert.equal(mine.source, 'redis', `account ${accountId}'s stream is contiguous in Redis`);
      assert.deepEqual(
        mine.entries.map((e) => e.message),
        [0, 1, 2].flatMap((b) => [0, 1, 2].map((l) => `${accountId} ${b}.${l}`)),
      );
    }
  });

  it('keeps one cursor across Redis and SQLite: a stream resumed while Redis is down continues exactly', async () => {
    await makeTask('sse-fallback', ['cid']);
    const say = (store: LogStore, n: number) => store.append({ taskId: 'sse-fallback', accountId: 'cid', level: 'info', message: `line ${n}` });
    for (let n = 1; n <= 3; n++) await say(stack.deps.logStore, n);
    const fromRedis = await stack.deps.logStore.read('sse-fallback');
    assert.equal(fromRedis.source, 'redis');

    // Redis "goes down": lines 4-5 reach only SQLite; the reader resumes from SQLite.
    for (let n = 4; n <= 5; n++) assert.equal((await say(deadStore, n)).redis, false);
    const down = await readEvents(await sse(fastApp(deadStore), '/bulk-upload/sse-fallback/logs/', fromRedis.entries[1]!.id), 3);
    assert.deepEqual(messages(down), ['line 3', 'line 4', 'line 5']);

    // Redis is back for lines 6-7: Redis now lacks 4-5, and a reader crossing that gap is
    // answered from SQLite; a reader past it is answered from Redis again.
    for (let n = 6; n <= 7; n++) await say(stack.deps.logStore, n);
    const acrossGap = await stack.deps.logStore.read('sse-fallback', { after: fromRedis.entries[2]!.id });
    assert.equal(acrossGap.source, 'database');
    assert.deepEqual(
      acrossGap.entries.map((e) => e.message),
      ['line 4', 'line 5', 'line 6', 'line 7'],
    );
    const pastGap = await stack.deps.logStore.read('sse-fallback', { accountId: 'cid', after: acrossGap.entries[2]!.id });
    assert.equal(pastGap.source, 'redis');
    assert.deepEqual(
      pastGap.entries.map((e) => e.message),
      ['line 7'],
    );
    const up = await readEvents(await sse(fastApp(stack.deps.logStore), '/bulk-upload/sse-fallback/logs/', down.at(-1)!.id), 2);
    assert.deepEqual(messages(up), ['line 6', 'line 7']);
  });

  it('Redis unreachable during a run: the run completes, SQLite holds every line, the logs endpoint answers from SQLite', async () => {
    // Its own task id: workflow ids are unique on the shared dev server, across test runs too.
    const taskId = `redis-down-${randomBytes(3).toString('hex')}`;
    await stack.addAccount({ id: 'dora' });
    const video = await stack.addVideo('down.mp4');
    // This worker's log store (and so every appendLog) sees a Redis that does not answer.
    const worker = await createWorker({
      connection: stack.env.nativeConnection,
      namespace: stack.config.temporal.namespace,
      taskQueue: stack.config.temporal.taskQueue,
      deps: { ...stack.deps, logStore: deadStore },
      workflowBundle: await sharedBundle(),
    });
    const result = await worker.runUntil(async () => {
      const res = await stack.api('POST', '/bulk-uploads', { taskId, videos: [{ path: video, caption: 'no redis' }], accountIds: ['dora'] });
      assert.equal(res.status, 202, await res.clone().text());
      return stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result();
    });
    assert.equal(result.status, 'completed');

    assert.equal(await stack.deps.redis.exists(taskLogsKey(taskId), accountLogsKey(taskId, 'dora')), 0, 'nothing reached Redis');
    const rows = await stack.deps.orm.em.fork().find(LogLine, { task: taskId }, { orderBy: { id: 'asc' } });
    assert.match(rows[0]!.message, new RegExp(`^bulk ${taskId}: 1 video\\(s\\)`));
    assert.ok(rows.some((r) => /published: http/.test(r.message)));
    assert.match(rows.at(-1)!.message, new RegExp(`^bulk ${taskId}: completed`));

    for (const app of [fastApp(deadStore), stack.app]) {
      const res = await Promise.resolve(app.request(`/bulk-upload/${taskId}/logs`, { headers: { authorization: `Bearer ${API_TOKEN}` } }));
      const body = (await res.json()) as { source: string; entries: LogEntry[] };
      assert.equal(body.source, 'database');
      assert.deepEqual(
        body.entries.map((e) => e.message),
        rows.map((r) => r.message),
      );
    }
    const streamed = await readEvents(await sse(fastApp(deadStore), `/bulk-upload/${taskId}/logs/`), rows.length + 1);
    assert.deepEqual(
      messages(streamed),
      rows.map((r) => r.message),
    );
    assert.equal(streamed.at(-1)?.event, 'done', 'a finished bulk ends its stream');
  });
});
