/**
 * AccountPacer on the dev server, asked the way the `reserveSlots` activity asks it
 * (update-with-start through scheduling/pacer-client.ts): requests from two bulks at the
 * same moment are served one at a time, a retried request gets its times back, a platform
 * limit closes the account to every bulk, and released times are free again.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { FAILURE } from '../contracts/failure-types';
import { accountPacerWorkflowId } from '../contracts/names';
import type { PacingPolicy } from '../scheduling/plan';
import { createPacerClient, type PacerClient } from '../scheduling/pacer-client';
import { recordingActivities, startMockedWorker, type MockedWorker } from '../test/fixtures/activity-env';
import { releaseSignal, reservationsQuery } from './account-pacer';

const HOUR = 3600_000;
const NOW = Date.parse('2026-11-25T08:00:00Z');
const policy: PacingPolicy = { timeZone: 'Europe/Berlin', slots: [], spacingMs: 2 * HOUR, jitterMs: 0, seed: 's' };

describe('AccountPacer', { timeout: 60_000 }, () => {
  let worker: MockedWorker;
  let pacer: PacerClient;
  const run = randomBytes(3).toString('hex');
  before(async () => {
    worker = await startMockedWorker(recordingActivities().activities);
    pacer = createPacerClient(() => Promise.resolve({ client: worker.env.client, close: () => Promise.resolve() }), worker.taskQueue);
  });
  after(async () => {
    for await (const w of worker.env.client.workflow.list({ query: `WorkflowType='AccountPacer' AND ExecutionStatus='Running' AND TaskQueue='${worker.taskQueue}'` })) {
      await worker.env.client.workflow.getHandle(w.workflowId).terminate('test over');
    }
    await worker?.close();
  });

  const ask = (accountId: string, taskId: string, n: number, extra: { block?: { limit: string; until: number }; now?: number } = {}) =>
    pacer.reserve(
      { platform: 'demo', accountId },
      {
        policy,
        now: extra.now ?? NOW,
        requests: Array.from({ length: n }, (_, i) => ({ key: `${taskId}/v${i + 1}`, notBefore: extra.now ?? NOW })),
        ...(extra.block ? { block: extra.block } : {}),
      },
      () => Promise.resolve([]),
    );

  it('two bulks asking at once never get times closer than the spacing, and a retried request gets the same times', async () => {
    const account = `both-${run}`;
    const [a, b] = await Promise.all([ask(account, 'bulk-a', 3), ask(account, 'bulk-b', 3)]);
    const times = [...a, ...b].map((r) => r.at).sort((x, y) => x - y);
    assert.equal(new Set(times).size, 6);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 2 * HOUR, `${(times[i]! - times[i - 1]!) / 60_000} min apart`);
    assert.deepEqual(await ask(account, 'bulk-a', 3), a, 'the same keys keep their times');
  });

  it('a request no time can meet is refused alone: the pacer goes on answering the next one', async () => {
    const account = `noslot-${run}`;
    await assert.rejects(ask(account, 'bulk-a', 1, { block: { limit: 'quota', until: NOW + 500 * 24 * HOUR } }), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
      assert.ok(err.cause instanceof ApplicationFailure && err.cause.type === FAILURE.NoSlot, String(err.cause));
      return true;
    });
    const fixed = NOW + 2 * HOUR;
    const answer = await pacer.reserve({ platform: 'demo', accountId: account }, { policy, now: NOW, requests: [{ key: 'bulk-b/v1', notBefore: NOW, fixedAt: fixed }] }, () =>
      Promise.resolve([]),
    );
    assert.deepEqual(answer, [{ key: 'bulk-b/v1', at: fixed }]);
  });

  it('a platform limit closes the account to every bulk until it resets; released times are free again', async () => {
    const account = `limit-${run}`;
    const until = NOW + 10 * HOUR;
    const [blocked] = await ask(account, 'bulk-a', 1, { block: { limit: 'posts per 24 hours', until } });
    assert.ok(blocked!.at >= until, 'the post that hit the limit goes after the reset');
    const [other] = await ask(account, 'bulk-b', 1);
    assert.equal(other!.at, until + 2 * HOUR, "another bulk's post waits past the reset and keeps the spacing");

    const handle = worker.env.client.workflow.getHandle(accountPacerWorkflowId('demo', account));
    await handle.signal(releaseSignal, { keys: ['bulk-a/v1'] });
    const left = await handle.query(reservationsQuery);
    assert.deepEqual(
      left.map((r) => r.key),
      ['limit:posts per 24 hours', 'bulk-b/v1'],
    );
  });
});
