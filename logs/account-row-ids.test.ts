import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACCOUNT_ROW_IDS_MAX, createAccountRowIds } from './account-row-ids';

/** A lookup that hands out row ids and counts how often it was asked for each pair. */
function countingLookup() {
  const calls = new Map<string, number>();
  let next = 1;
  const lookup = async (taskId: string, accountId: string): Promise<number> => {
    const key = `${taskId}/${accountId}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    return next++;
  };
  return { lookup, callsFor: (taskId: string, accountId: string) => calls.get(`${taskId}/${accountId}`) ?? 0 };
}

describe('account row ids of the log store', () => {
  test('the second line of an account does not look its row up again', async () => {
    const { lookup, callsFor } = countingLookup();
    const ids = createAccountRowIds(lookup);
    const first = await ids.get('t1', 'ann');
    assert.equal(await ids.get('t1', 'ann'), first);
    assert.equal(callsFor('t1', 'ann'), 1);
  });

  test('the same account id in two tasks is two rows', async () => {
    const { lookup } = countingLookup();
    const ids = createAccountRowIds(lookup);
    assert.notEqual(await ids.get('t1', 'ann'), await ids.get('t2', 'ann'));
  });

  test('stays at its bound after a long-lived worker logged for many more accounts', async () => {
    const { lookup } = countingLookup();
    const ids = createAccountRowIds(lookup);
    for (let i = 0; i < ACCOUNT_ROW_IDS_MAX * 3; i++) {
      await ids.get(`task-${i % 7}`, `account-${i}`);
      assert.ok(ids.size <= ACCOUNT_ROW_IDS_MAX, `${ids.size} remembered after ${i + 1} accounts`);
    }
    assert.equal(ids.size, ACCOUNT_ROW_IDS_MAX);
  });

  test('forgets the least recently used account first', async () => {
    const { lookup, callsFor } = countingLookup();
    const ids = createAccountRowIds(lookup, 2);
    await ids.get('t', 'a');
    await ids.get('t', 'b');
    await ids.get('t', 'a');
    await ids.get('t', 'c');
    assert.equal(ids.size, 2);
    await ids.get('t', 'a');
    assert.equal(callsFor('t', 'a'), 1, 'a was used recently and is still remembered');
    await ids.get('t', 'b');
    assert.equal(callsFor('t', 'b'), 2, 'b was the least recently used and was looked up again');
  });

  test('an account that is not part of the task is refused every time, never remembered', async () => {
    let calls = 0;
    const ids = createAccountRowIds(async (taskId, accountId) => {
      calls += 1;
      throw new Error(`cannot log for account ${accountId}: it is not part of task ${taskId}`);
    });
    await assert.rejects(ids.get('t', 'ghost'), /not part of task t/);
    await assert.rejects(ids.get('t', 'ghost'), /not part of task t/);
    assert.equal(calls, 2);
    assert.equal(ids.size, 0);
  });
});
