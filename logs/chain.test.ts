import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyPageIsComplete, isContiguous } from './chain';

/** Each case: the cursor, the page as [id, prev] pairs, and whether Redis may answer with it. */
// prettier-ignore
const contiguity: [name: string, after: number, page: [number, number][], complete: boolean][] = [
  ['a page whose entries each point back to the one before, from the cursor, is complete', 10, [[11, 10], [14, 11], [20, 14]], true],
  ['the first line of a stream points back to 0, the cursor of "from the start"', 0, [[1, 0], [2, 1]], true],
  ['a stream whose head was trimmed cannot answer "from the start"', 0, [[50, 49], [51, 50]], false],
  ['a line missing from Redis (written while it was down) is a gap', 10, [[11, 10], [13, 12]], false],
  ['a page that starts after a gap following the cursor is a gap', 10, [[12, 11]], false],
  // Line 12 was committed before 13, but its XADD came after 13's and Redis refused it.
  ["a late writer's line refused as out of order leaves a gap", 11, [[13, 12]], false],
  ['entries out of id order are refused even when their links agree', 0, [[5, 0], [3, 5]], false],
  ['an entry pointing back to itself is refused', 4, [[4, 4]], false],
  ['an empty page links trivially (whether it is complete is asked separately)', 10, [], true],
];

/** Each case: the cursor, the stream's newest id (null: no such key), and whether an empty page is complete. */
// prettier-ignore
const emptyPages: [name: string, after: number, newestId: number | null, complete: boolean][] = [
  ['caught up with the newest line', 20, 20, true],
  ['the key expired or was never written', 20, null, false],
  ['no stream yet: the database may hold lines written while Redis was down', 0, null, false],
  ['the stream ends before the cursor: later lines missed Redis', 20, 15, false],
  ['lines after the cursor exist but the page missed them', 20, 25, false],
];

describe('the chain check of a Redis log page', () => {
  for (const [name, after, pairs, complete] of contiguity) {
    const page = pairs.map(([id, prev]) => ({ id, prev }));
    test(name, () => assert.equal(isContiguous(after, page), complete));
  }
});

describe('an empty Redis log page is complete only when the stream ends exactly at the cursor', () => {
  for (const [name, after, newestId, complete] of emptyPages) {
    test(name, () => assert.equal(emptyPageIsComplete(after, newestId), complete));
  }
});
