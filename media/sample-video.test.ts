import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { probe } from './ffmpeg';
import { sha256File } from './file-hash';
import { makeSampleVideo } from './sample-video';

describe('makeSampleVideo', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-sample-'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const make = (name: string, pattern: string, withAudio = true) =>
    makeSampleVideo({ outputPath: path.join(dir, name), width: 320, height: 240, durationSec: 0.5, fps: 24, withAudio, pattern });

  it('renders a video of the requested shape', async () => {
    const info = await probe(await make('a.mp4', 'a'));
    assert.deepEqual([info.width, info.height, info.fps, info.hasAudio], [320, 240, 24, true]);
    assert.ok(Math.abs(info.durationSec - 0.5) < 0.1, `duration ${info.durationSec}`);
  });

  it('gives different patterns different bytes and the same pattern the same bytes', async () => {
    const [a1, a2, b] = await Promise.all([make('a1.mp4', 'a'), make('a2.mp4', 'a'), make('b.mp4', 'b')]);
    assert.equal(await sha256File(a1), await sha256File(a2));
    assert.notEqual(await sha256File(a1), await sha256File(b));
  });

  it('leaves out the audio track when asked', async () => {
    assert.equal((await probe(await make('silent.mp4', 'a', false))).hasAudio, false);
  });
});
