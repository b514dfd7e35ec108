import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE } from '../contracts/failure-types';
import { createCacheService } from '../cache';
import { GoogleAPICache } from '../integrations/google/google-api-cache';
import { createRedis, waitForRedis, type RedisClient } from '../redis/connection';
import { openActivityTestDb, runActivity, type ActivityTestDb } from '../test/fixtures/activity-env';
import { startFakeGoogle, type FakeGoogle } from '../test/fixtures/fake-google';
import { TEST_REDIS_URL } from '../test/fixtures/stack';
import { makeImportDriveFolder } from './import-drive-folder';

describe('importDriveFolder', () => {
  let google: FakeGoogle;
  let db: ActivityTestDb;
  let redis: RedisClient;
  let importDriveFolder: ReturnType<typeof makeImportDriveFolder>;
  let unconfigured: ReturnType<typeof makeImportDriveFolder>;
  // Cache keys of this run only: the Redis database is shared with other test files.
  const keyPrefix = `cache-idf-${randomBytes(3).toString('hex')}`;

  before(async () => {
    google = await startFakeGoogle();
    google.files = [
      { id: 'clipA', name: 'holiday clip.mp4', mimeType: 'video/mp4', parents: ['folder1'], size: '7' },
      { id: 'clipB', name: 'second.mov', mimeType: 'video/quicktime', parents: ['folder1'], size: '8' },
      { id: 'notes', name: 'notes.txt', mimeType: 'text/plain', parents: ['folder1', 'textOnly'] },
    ];
    google.contents.set('clipA', Buffer.from('video A'));
    google.contents.set('clipB', Buffer.from('video BB'));
    db = await openActivityTestDb({
      GOOGLE_API_ROOT_URL: google.url,
      GOOGLE_TOKEN_URL: google.tokenUrl,
      GOOGLE_CLIENT_ID: 'client',
      GOOGLE_CLIENT_SECRET: 'secret',
      GOOGLE_REFRESH_TOKEN: 'refresh',
      CACHE_KEY_PREFIX: keyPrefix,
    });
    redis = createRedis(TEST_REDIS_URL, 'clipfleet-test-import-drive');
    assert.ok(await waitForRedis(redis), `Redis answers at ${TEST_REDIS_URL}`);
    const cache = createCacheService(db.config, redis);
    importDriveFolder = makeImportDriveFolder({ media: db.media, google: new GoogleAPICache({ cache, google: db.config.google, retry: false }) });
    const { oauth: _unused, ...withoutCredentials } = db.config.google;
    unconfigured = makeImportDriveFolder({ media: db.media, google: new GoogleAPICache({ cache, google: withoutCredentials, retry: false }) });
  });
  after(async () => {
    if (redis) {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await db?.close();
    await google?.close();
  });

  it("downloads the folder's videos under MEDIA_ROOT/drive/<taskId> and returns them as bulk videos", async () => {
    const videos = await runActivity(importDriveFolder, { taskId: 'd1', folderId: 'folder1', caption: 'from Drive' });
    assert.deepEqual(videos, [
      { id: 'drive-clipA', path: 'drive/d1/clipA-holiday_clip.mp4', caption: 'from Drive' },
      { id: 'drive-clipB', path: 'drive/d1/clipB-second.mov', caption: 'from Drive' },
    ]);
    assert.equal(await fs.readFile(path.join(db.media.root, 'drive/d1/clipA-holiday_clip.mp4'), 'utf8'), 'video A');
  });

  it('a retry downloads only the files that are missing', async () => {
    await runActivity(importDriveFolder, { taskId: 'd2', folderId: 'folder1' });
    await fs.rm(path.join(db.media.root, 'drive/d2/clipB-second.mov'));
    const callsBefore = google.calls.drive;
    const videos = await runActivity(importDriveFolder, { taskId: 'd2', folderId: 'folder1' });
    assert.equal(google.calls.drive - callsBefore, 1, 'one download, and the listing came from the cache');
    assert.deepEqual(
      videos.map((v) => v.caption),
      ['holiday clip.mp4', 'second.mov'],
      'without a caption, the file name',
    );
    assert.equal(await fs.readFile(path.join(db.media.root, 'drive/d2/clipB-second.mov'), 'utf8'), 'video BB');
  });

  it('a folder without videos fails for good, saying what it holds', async () => {
    await assert.rejects(
      runActivity(importDriveFolder, { taskId: 'd3', folderId: 'textOnly' }),
      (err: unknown) => err instanceof ApplicationFailure && err.type === FAILURE.NoVideos && err.nonRetryable && /textOnly has no videos \(1 other file/.test(err.message),
    );
  });

  it('without Google credentials it fails for good, naming the settings', async () => {
    await assert.rejects(
      runActivity(unconfigured, { taskId: 'd4', folderId: 'elsewhere' }),
      (err: unknown) => err instanceof ApplicationFailure && err.type === FAILURE.GoogleNotConfigured && err.nonRetryable && /GOOGLE_CLIENT_ID/.test(err.message),
    );
  });

  it('refuses a folder id that could break out of a Drive query, naming the field', async () => {
    await assert.rejects(
      runActivity(importDriveFolder, { taskId: 'd5', folderId: "x' or '1'='1" }),
      (err: unknown) => err instanceof ApplicationFailure && err.type === FAILURE.InvalidInput && /folderId/.test(err.message),
    );
  });
});
