import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMediaError } from './errors';
import { probe } from './ffmpeg';
import { sha256File } from './file-hash';
import { makeSampleVideo } from './sample-video';
import { uniquifyVideo, variantFileName } from './uniquify';

/** Pids of processes whose command line mentions `text` (pgrep exits 1 when there are none). */
function processesMentioning(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('uniquifyVideo', () => {
  let dir: string;
  let source: string;
  let sourceSha: string;
  /** Long enough that ffmpeg reports progress several times before it finishes. */
  let longSource: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-uniquify-'));
    source = await makeSampleVideo({ outputPath: path.join(dir, 'media', 'source.mp4'), width: 640, height: 360, durationSec: 2, pattern: 'uniquify' });
    sourceSha = await sha256File(source);
    longSource = await makeSampleVideo({ outputPath: path.join(dir, 'media', 'long.mp4'), width: 640, height: 360, durationSec: 6, pattern: 'long' });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const variantsDir = () => path.join(dir, 'variants');

  it('reuses the finished variant on a second call with the same seed', async () => {
    const first = await uniquifyVideo({ sourcePath: source, outputDir: variantsDir(), seed: 'task-1/acc-1/video-1', preset: 'fast' });
    const mtime = (await fs.stat(first.filePath)).mtimeMs;
    const second = await uniquifyVideo({ sourcePath: source, outputDir: variantsDir(), seed: 'task-1/acc-1/video-1', preset: 'fast' });

    assert.equal(first.reused, false);
    assert.equal(second.reused, true);
    assert.equal(second.filePath, first.filePath);
    assert.equal(second.sha256, first.sha256);
    assert.deepEqual(second.applied, first.applied);
    assert.equal((await fs.stat(second.filePath)).mtimeMs, mtime, 'the file was not rewritten');
    assert.equal(path.basename(first.filePath), variantFileName('task-1/acc-1/video-1', 'fast'));
    assert.equal(first.sha256, await sha256File(first.filePath));
  });

  it('gives different seeds different bytes, both different from the source, at the same size and length', async () => {
    const a = await uniquifyVideo({ sourcePath: source, outputDir: variantsDir(), seed: 'task-1/acc-1/video-1', preset: 'fast' });
    const b = await uniquifyVideo({ sourcePath: source, outputDir: variantsDir(), seed: 'task-1/acc-2/video-1', preset: 'fast' });

    assert.notEqual(a.sha256, b.sha256);
    assert.notEqual(a.sha256, sourceSha);
    assert.notEqual(b.sha256, sourceSha);
    assert.notDeepEqual(a.applied, b.applied);
    for (const variant of [a, b]) {
      const info = await probe(variant.filePath);
      assert.deepEqual([info.width, info.height], [640, 360]);
      assert.ok(Math.abs(info.durationSec - 2) < 0.1, `duration ${info.durationSec}`);
      assert.equal(info.hasAudio, true);
    }
  });

  it('re-encodes a truncated file left under the final name', async () => {
    const seed = 'task-1/acc-3/video-1';
    const finalPath = path.join(variantsDir(), variantFileName(seed, 'fast'));
    await fs.mkdir(variantsDir(), { recursive: true });
    await fs.writeFile(finalPath, (await fs.readFile(source)).subarray(0, 10_000));

    const result = await uniquifyVideo({ sourcePath: source, outputDir: variantsDir(), seed, preset: 'fast' });
    assert.equal(result.reused, false);
    assert.ok(Math.abs((await probe(finalPath)).durationSec - 2) < 0.1);
  });

  it('reports increasing progress fractions ending at 1', async () => {
    const fractions: number[] = [];
    await uniquifyVideo({ sourcePath: longSource, outputDir: variantsDir(), seed: 'reports-progress', preset: 'strong', onProgress: (f) => fractions.push(f) });

    assert.ok(fractions.length >= 3, `fractions: ${fractions.join(', ')}`);
    assert.ok(
      fractions.every((f, i) => f > 0 && f <= 1 && (i === 0 || f > (fractions[i - 1] ?? 0))),
      `fractions: ${fractions.join(', ')}`,
    );
    assert.equal(fractions.at(-1), 1);
  });

  it('rejects a text file as not_a_video naming the file, without retrying', async () => {
    const notes = path.join(dir, 'media', 'notes.txt');
    await fs.writeFile(notes, 'shopping list\n');
    await assert.rejects(uniquifyVideo({ sourcePath: notes, outputDir: variantsDir(), seed: 's', preset: 'fast', displayPath: 'media/notes.txt' }), (err: unknown) => {
      assert.ok(isMediaError(err, 'not_a_video'), String(err));
      assert.match(err.message, /^not a video: media\/notes\.txt/);
      assert.equal(err.retryable, false);
      return true;
    });
  });

  it('rejects a missing source as not_found', async () => {
    await assert.rejects(
      uniquifyVideo({ sourcePath: path.join(dir, 'media', 'gone.mp4'), outputDir: variantsDir(), seed: 's', preset: 'fast' }),
      (err: unknown) => isMediaError(err, 'not_found') && err.message.includes('gone.mp4') && !err.retryable,
    );
  });

  it('on abort, kills ffmpeg, removes the partial file and rejects with cancelled', async () => {
    // A separate folder, so the only processes mentioning it are this test's ffmpeg.
    const outputDir = path.join(dir, 'aborted');
    const controller = new AbortController();
    let runningWhenAborted: string[] = [];
    let abortedAt = 0;
    const run = uniquifyVideo({
      sourcePath: longSource,
      outputDir,
      seed: 'abort-me',
      preset: 'strong',
      signal: controller.signal,
      onProgress: (fraction) => {
        if (controller.signal.aborted) return;
        abortedAt = fraction;
        runningWhenAborted = processesMentioning(outputDir);
        controller.abort();
      },
    });

    await assert.rejects(run, (err: unknown) => isMediaError(err, 'cancelled') && !err.retryable);
    assert.ok(abortedAt < 0.9, `aborted mid-encode, at ${abortedAt}`);
    assert.ok(runningWhenAborted.length > 0, 'ffmpeg was running when the signal aborted');
    assert.deepEqual(processesMentioning(outputDir), [], 'no ffmpeg left behind');
    assert.deepEqual(await fs.readdir(outputDir), [], 'no partial or final file left behind');
  });

  it('rejects at once when the signal is already aborted', async () => {
    await assert.rejects(uniquifyVideo({ sourcePath: source, outputDir: variantsDir(), seed: 's', preset: 'fast', signal: AbortSignal.abort() }), (err: unknown) =>
      isMediaError(err, 'cancelled'),
    );
  });
});
