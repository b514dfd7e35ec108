/**
 * Replay tests: the recorded histories under test/histories/ must replay with the current
 * workflow code. A change that would break running bulks fails here, before it ships.
 * Re-record with `npm run histories:record` after a deliberate change (patched once released).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { RECORDED_HISTORIES } from './fixtures/recorded-histories';
import { sharedBundle } from './fixtures/stack';

const { bulk, account, scheduledAccount, pacer } = RECORDED_HISTORIES;

async function loadHistory(name: string) {
  return JSON.parse(await fs.readFile(path.join(__dirname, 'histories', name), 'utf8'));
}

describe('replay of recorded histories', { timeout: 120_000 }, () => {
  it('replays a full bulk (parent) with the current code', async () => {
    await Worker.runReplayHistory({ workflowBundle: await sharedBundle() }, await loadHistory(bulk.file), bulk.workflowId);
  });

  it('replays an account child with the current code', async () => {
    await Worker.runReplayHistory({ workflowBundle: await sharedBundle() }, await loadHistory(account.file), account.workflowId);
  });

  it('replays a scheduled account child (pacer requests, slot timers, a pause) with the current code', async () => {
    await Worker.runReplayHistory({ workflowBundle: await sharedBundle() }, await loadHistory(scheduledAccount.file), scheduledAccount.workflowId);
  });

  it("replays an account's pacer with the current code", async () => {
    await Worker.runReplayHistory({ workflowBundle: await sharedBundle() }, await loadHistory(pacer.file), pacer.workflowId);
  });

  it('fails when BulkUpload is changed incompatibly', async () => {
    const changed = await bundleWorkflowCode({
      workflowsPath: require.resolve('./fixtures/incompatible-workflows'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    await assert.rejects(Worker.runReplayHistory({ workflowBundle: changed }, await loadHistory(bulk.file), bulk.workflowId), (err: unknown) => {
      assert.ok(err instanceof DeterminismViolationError, `expected a determinism violation, got ${String(err)}`);
      return true;
    });
  });
});
