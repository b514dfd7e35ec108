import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { isMediaError } from './errors';
import { probe, runFfmpeg } from './ffmpeg';
import { makeSampleVideo } from './sample-video';

describe('probe', () => {
  let dir: string;
  let clip: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-ffmpeg-'));
    clip = await makeSampleVideo({ outputPath: path.join(dir, 'clip.mp4'), width: 320, height: 240, durationSec: 1, fps: 25 });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('reads duration, size, frame rate and streams of a video', async () => {
    const info = await probe(clip);
    assert.equal(info.width, 320);
    assert.equal(info.height, 240);
    assert.equal(info.fps, 25);
    assert.equal(info.videoCodec, 'h264');
    assert.equal(info.hasAudio, true);
    assert.ok(Math.abs(info.durationSec - 1) < 0.1, `duration ${info.durationSec}`);
    assert.equal(info.sizeBytes, (await fs.stat(clip)).size);
  });

  it('rejects a text file as not_a_video, naming the file', async () => {
    const notes = path.join(dir, 'notes.txt');
    await fs.writeFile(notes, 'not a video\n');
    await assert.rejects(probe(notes, { displayPath: 'media/notes.txt' }), (err: unknown) => {
      assert.ok(isMediaError(err, 'not_a_video'), String(err));
      assert.match(err.message, /^not a video: media\/notes\.txt \(/);
      assert.equal(err.retryable, false);
      return true;
    });
  });

  it('rejects an audio-only file: there is no video stream', async () => {
    const tone = path.join(dir, 'tone.m4a');
    await runFfmpeg({ input: 'sine=duration=0.5', inputOptions: ['-f', 'lavfi'], output: tone, outputOptions: ['-c:a', 'aac'] });
    await assert.rejects(probe(tone), (err: unknown) => isMediaError(err, 'not_a_video') && err.message.includes('no video stream'));
  });

  it('reports a missing file as not_found', async () => {
    await assert.rejects(probe(path.join(dir, 'missing.mp4')), (err: unknown) => isMediaError(err, 'not_found') && err.message.includes('missing.mp4'));
  });
});

describe('runFfmpeg', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-ffmpeg-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  /** A cancelled run rejects as `cancelled` and leaves no ffmpeg behind (each run writes under its own `dir`). */
  async function assertStopped(run: Promise<unknown>): Promise<void> {
    await assert.rejects(run, (err: unknown) => isMediaError(err, 'cancelled'));
    assert.throws(() => execFileSync('pgrep', ['-f', dir]), 'pgrep finds no ffmpeg for this folder');
  }

  it('stops ffmpeg even when the signal aborts before the process has started', async () => {
    const controller = new AbortController();
    const run = runFfmpeg({
      input: 'testsrc2=duration=60',
      inputOptions: ['-f', 'lavfi'],
      output: path.join(dir, 'long.mp4'),
      outputOptions: ['-c:v', 'libx264'],
      signal: controller.signal,
    });
    controller.abort();
    await assertStopped(run);
  });

  it('SIGKILLs an ffmpeg that does not stop on SIGTERM', async () => {
    // Opening a FIFO nobody writes to blocks, and a blocked open ignores SIGTERM.
    const fifo = path.join(dir, 'stuck.fifo');
    execFileSync('mkfifo', [fifo]);
    const controller = new AbortController();
    const run = runFfmpeg({ input: fifo, output: path.join(dir, 'out.mp4'), signal: controller.signal, killGraceMs: 200 });
    setTimeout(() => controller.abort(), 200);
    await assertStopped(run);
  });

  it('rejects with a retryable ffmpeg_failed carrying the stderr tail', async () => {
    const run = runFfmpeg({ input: 'testsrc2=duration=0.2', inputOptions: ['-f', 'lavfi'], output: path.join(dir, 'out.mp4'), videoFilters: ['no_such_filter'] });
    await assert.rejects(run, (err: unknown) => {
      assert.ok(isMediaError(err, 'ffmpeg_failed'), String(err));
      assert.equal(err.retryable, true);
      assert.match(err.stderrTail ?? '', /no_such_filter/);
      return true;
    });
  });
});
