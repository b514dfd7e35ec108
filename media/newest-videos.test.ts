import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MediaError } from './errors';
import { FolderNotFoundError, newestVideos } from './newest-videos';
import { makeSampleVideo } from './sample-video';

describe('newestVideos', () => {
  let root: string;
  let media: { root: string; maxVideoBytes: number };
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-newest-'));
    media = { root, maxVideoBytes: 50 * 1024 * 1024 };
    await fs.mkdir(path.join(root, 'in', 'sub'), { recursive: true });
    /** A file in `in/`, last modified `agoSec` seconds ago. */
    const put = async (name: string, agoSec: number, video = true) => {
      const file = path.join(root, 'in', name);
      if (video) await makeSampleVideo({ outputPath: file, width: 160, height: 120, durationSec: 0.3, fps: 10, withAudio: false, pattern: name });
      else await fs.writeFile(file, 'not a video');
      const at = new Date(Date.now() - agoSec * 1_000);
      await fs.utimes(file, at, at);
    };
    await put('old.mp4', 400);
    await put('mid.mov', 300);
    await put('new.mp4', 200);
    await put('newest-but-broken.mp4', 100, false);
    await put('notes.txt', 0, false);
    await makeSampleVideo({ outputPath: path.join(root, 'in', 'sub', 'nested.mp4'), width: 160, height: 120, durationSec: 0.3, fps: 10, withAudio: false, pattern: 'nested' });
  });
  after(() => fs.rm(root, { recursive: true, force: true }));

  it('takes the newest videos by modification time, passing over a file that is not one, and not looking into subfolders', async () => {
    const { videos, skipped } = await newestVideos(media, 'in', 2);
    assert.deepEqual(
      videos.map((v) => v.path),
      ['in/new.mp4', 'in/mid.mov'],
    );
    assert.deepEqual(
      skipped.map((s) => s.path),
      ['in/newest-but-broken.mp4'],
    );
    assert.match(skipped[0]!.reason, /^not a video: in\/newest-but-broken\.mp4/);
  });

  it('returns fewer when the folder holds fewer, and none for an empty folder', async () => {
    assert.equal((await newestVideos(media, 'in', 10)).videos.length, 3);
    assert.deepEqual((await newestVideos(media, 'in/sub/..', 1)).videos[0]?.path, 'in/new.mp4');
    await fs.mkdir(path.join(root, 'empty'));
    assert.deepEqual(await newestVideos(media, 'empty', 5), { videos: [], skipped: [] });
  });

  it('refuses a folder outside the media root, and says so for one that is not there', async () => {
    await assert.rejects(newestVideos(media, '../', 1), (err: unknown) => err instanceof MediaError && err.kind === 'outside_media_root');
    await assert.rejects(newestVideos(media, 'nowhere', 1), (err: unknown) => err instanceof FolderNotFoundError && /^folder not found: nowhere \(nothing there/.test(err.message));
    await assert.rejects(
      newestVideos(media, 'in/old.mp4', 1),
      (err: unknown) => err instanceof FolderNotFoundError && err.message === 'folder not found: in/old.mp4 (it is a file)',
    );
  });
});
