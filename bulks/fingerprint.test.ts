import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBulkUploadInput } from '../contracts/bulk-input';
import { bulkFingerprint } from './fingerprint';

describe('bulk fingerprint', () => {
  const base = { taskId: 't1', videos: [{ path: 'a.mp4', caption: 'hi' }], accountIds: ['alice', 'bob'] };

  it('is the same for the same bulk written differently (key order, defaults spelled out)', () => {
    const spelledOut = {
      accountIds: ['alice', 'bob'],
      options: { concurrency: 3, uniquifyPreset: 'fast', dryRun: false },
      platform: 'demo',
      videos: [{ caption: 'hi', id: 'video-1', path: 'a.mp4' }],
      taskId: 't1',
    };
    assert.equal(bulkFingerprint(parseBulkUploadInput(base)), bulkFingerprint(parseBulkUploadInput(spelledOut)));
  });

  it('differs when the accounts, videos or options differ', () => {
    const a = bulkFingerprint(parseBulkUploadInput(base));
    assert.notEqual(a, bulkFingerprint(parseBulkUploadInput({ ...base, accountIds: ['alice'] })));
    assert.notEqual(a, bulkFingerprint(parseBulkUploadInput({ ...base, videos: [{ path: 'b.mp4', caption: 'hi' }] })));
    assert.notEqual(a, bulkFingerprint(parseBulkUploadInput({ ...base, options: { concurrency: 4 } })));
  });
});
