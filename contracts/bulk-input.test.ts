import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BulkInputError, parseBulkUploadInput } from './bulk-input';

const valid = { taskId: 't1', videos: [{ path: 'a.mp4', caption: 'hi' }, { path: 'b.mp4' }], accountIds: ['alice', 'bob'] };

describe('bulk upload input', () => {
  it('fills defaults: video ids by position, platform, preset and concurrency', () => {
    const input = parseBulkUploadInput(valid);
    assert.deepEqual(
      input.videos.map((v) => v.id),
      ['video-1', 'video-2'],
    );
    assert.equal(input.videos[1]?.caption, '');
    assert.equal(input.platform, 'demo');
    assert.deepEqual(input.options, { uniquifyPreset: 'fast', concurrency: 3, dryRun: false });
  });

  it('names every bad field', () => {
    assert.throws(
      () => parseBulkUploadInput({ ...valid, taskId: '../x', videos: [{ path: '' }], options: { concurrency: 0 } }),
      (err: unknown) => {
        assert.ok(err instanceof BulkInputError);
        const fields = err.issues.map((i) => i.field).sort();
        assert.deepEqual(fields, ['options.concurrency', 'taskId', 'videos.0.path']);
        assert.match(err.message, /videos\.0\.path: must not be empty/);
        return true;
      },
    );
  });

  it('rejects duplicate accounts and video ids', () => {
    assert.throws(() => parseBulkUploadInput({ ...valid, accountIds: ['a', 'a'] }), /accountIds\.1: duplicate account id "a"/);
    assert.throws(
      () =>
        parseBulkUploadInput({
          ...valid,
          videos: [
            { id: 'x', path: 'a' },
            { id: 'x', path: 'b' },
          ],
        }),
      /videos\.1\.id: duplicate video id "x"/,
    );
  });

  it('rejects an empty bulk and unknown presets', () => {
    assert.throws(() => parseBulkUploadInput({ ...valid, accountIds: [] }), /accountIds/);
    assert.throws(() => parseBulkUploadInput({ ...valid, options: { uniquifyPreset: 'max' } }), /options\.uniquifyPreset/);
  });
});
