/**
 * Reading progress costs Temporal little: only accounts whose status mark says a render or
 * an upload runs are described, a bounded number at once, and pages asking about one bulk
 * within a second share one answer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { accountUploadWorkflowId } from '../contracts/names';
import { createProgressCache, inLongStep, readAccountProgress, type BulkProgressAnswer } from './bulk-progress';

/**
 * A stand-in for the Temporal client's `describe`: each account's workflow has an upload
 * pending with no heartbeat yet; answers wait until `release` is called.
 */
function describingClient() {
  const described: string[] = [];
  let inFlight = 0;
  let most = 0;
  const waiting: (() => void)[] = [];
  const client = {
    options: { loadedDataConverter: { payloadConverter: { fromPayload: () => undefined } } },
    workflow: {
      getHandle: (workflowId: string) => ({
        describe: async () => {
          described.push(workflowId);
          most = Math.max(most, ++inFlight);
          await new Promise<void>((resolve) => waiting.push(resolve));
          inFlight -= 1;
          return { raw: { pendingActivities: [{ activityType: { name: 'uploadViaBrowser' } }] } };
        },
      }),
    },
  } as unknown as Client;
  return {
    client,
    described,
    most: () => most,
    /** Lets every describe asked so far answer; resolves once they may have. */
    release: async () => {
      while (waiting.length) waiting.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('bulk progress', () => {
  test("only a render's or an upload's mark is worth a describe", () => {
    assert.equal(inLongStep('video 1/2 (clip): uniquifying'), true);
    assert.equal(inLongStep('video 2/2 (outro): uploading'), true);
    for (const waiting of [
      'video 1/2 (clip): rendering before slot 2026-11-25 09:00',
      'video 1/2 (clip): waiting for slot 2026-11-25 09:00',
      'video 1/2 (clip): waiting for quota until 2026-11-25T00:00:00.000Z',
      'video 1/2 (clip): paused',
      'done',
      null,
      undefined,
    ]) {
      assert.equal(inLongStep(waiting), false, String(waiting));
    }
  });

  test('describes only the busy accounts, at most eight at once', async () => {
    const temporal = describingClient();
    const busy = Array.from({ length: 20 }, (_, i) => ({ accountId: `busy-${i}`, currentStep: `video 1/1 (clip): ${i % 2 ? 'uploading' : 'uniquifying'}` }));
    const waiting = Array.from({ length: 100 }, (_, i) => ({ accountId: `wait-${i}`, currentStep: 'video 1/1 (clip): waiting for slot 09:00' }));
    const reading = readAccountProgress(temporal.client, 'task', [...waiting, ...busy]);
    let answer: Awaited<typeof reading> | undefined;
    void reading.then((a) => (answer = a));
    while (!answer) await temporal.release();
    assert.deepEqual(Object.keys(answer).sort(), busy.map((a) => a.accountId).sort());
    assert.deepEqual(answer['busy-3'], { phase: 'upload', percent: 0, step: null });
    assert.deepEqual(temporal.described.sort(), busy.map((a) => accountUploadWorkflowId('task', a.accountId)).sort(), 'no waiting account was described');
    assert.equal(temporal.most(), 8);
  });

  test('pages asking within the time to live share one answer; a failed answer is not kept', async () => {
    let computed = 0;
    let fail = true;
    const progress = createProgressCache(async (taskId): Promise<BulkProgressAnswer> => {
      computed += 1;
      if (taskId === 'flaky' && fail) throw new Error('temporal is down');
      return {};
    }, 60_000);
    assert.deepEqual(await Promise.all([progress('a'), progress('a'), progress('a')]), [{}, {}, {}]);
    assert.deepEqual(await progress('a'), {});
    assert.equal(computed, 1, 'one answer for four questions');

    await assert.rejects(progress('flaky'), /temporal is down/);
    fail = false;
    assert.deepEqual(await progress('flaky'), {});
    assert.equal(computed, 3, 'the failed answer was asked again');

    const expiring = createProgressCache(async () => {
      computed += 1;
      return null;
    }, 0);
    await expiring('b');
    await expiring('b');
    assert.equal(computed, 5, 'an expired answer is made again');
  });
});
