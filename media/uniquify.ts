/**
 * Renders a unique, deterministic variant of a video for one seed (one account/video
 * pair), so no two accounts ever upload byte-identical files.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { UniquifyVideoResult } from '../contracts/activities';
import type { UniquifyPreset } from '../contracts/bulk-input';
import { MediaError, isMediaError } from './errors';
import { decodesToEnd, probe, runFfmpeg, type VideoInfo } from './ffmpeg';
import { sha256File } from './file-hash';
import { seedDigest } from './seeded-random';
import { planVariant } from './variant-plan';

export interface UniquifyOptions {
  /** Absolute path of the original, already resolved under the media root. */
  sourcePath: string;
  /** Where variants live; created when missing. */
  outputDir: string;
  /** Identifies the variant, e.g. `<taskId>/<accountId>/<videoId>`: same seed, same file. */
  seed: string;
  preset: UniquifyPreset;
  /** Increasing fractions 0..1; a good place to heartbeat. */
  onProgress?: (fraction: number) => void;
  /** Aborting kills ffmpeg, removes the partial file and rejects with `cancelled`. */
  signal?: AbortSignal;
  /** How the source is named in error messages (e.g. `media/a.mp4`); defaults to `sourcePath`. */
  displayPath?: string;
}

/** An existing variant counts as complete when its duration is this close to the source's. */
const REUSE_DURATION_TOLERANCE_SEC = 0.5;

/** File name of the variant for a seed and preset: stable, so a retry finds it. */
export function variantFileName(seed: string, preset: UniquifyPreset): string {
  return `${seedDigest(seed).slice(0, 16)}-${preset}.mp4`;
}

/**
 * Probes the source, plans transforms from the seed and encodes the variant to
 * `<outputDir>/<variantFileName>`. The file appears under its final name only when
 * complete (written to a `.partial` file, then renamed), so when it already exists and
 * probes as complete, it is reused: that is how a retried activity finds its work done.
 * Throws {@link MediaError}: non-retryable for a missing or unusable source.
 */
export async function uniquifyVideo(options: UniquifyOptions): Promise<UniquifyVideoResult> {
  const { sourcePath, outputDir, seed, preset, onProgress, signal } = options;
  const shown = options.displayPath ?? sourcePath;
  if (signal?.aborted) throw new MediaError('cancelled', shown);

  const source = await probe(sourcePath, { displayPath: shown });
  const plan = planVariant({ seed, preset, source });
  await fs.mkdir(outputDir, { recursive: true });
  const finalPath = path.join(outputDir, variantFileName(seed, preset));

  const existing = await completeVariant(finalPath, source);
  if (existing) {
    const sha256 = await hashOrCancel(finalPath, shown, signal);
    onProgress?.(1);
    return { filePath: finalPath, sha256, applied: plan.applied, durationSec: existing.durationSec, reused: true };
  }

  // A random part keeps two overlapping attempts (a timed-out one still running) apart.
  const partialPath = `${finalPath}.${randomBytes(6).toString('hex')}.partial`;
  try {
    await runFfmpeg({
      input: sourcePath,
      output: partialPath,
      videoFilters: plan.videoFilters,
      audioFilters: plan.audioFilters,
      outputOptions: plan.outputOptions,
      durationSec: source.durationSec,
      onProgress,
      signal,
      displayPath: shown,
    });
    const output = await probe(partialPath).catch((err: unknown) => {
      throw new MediaError('ffmpeg_failed', shown, { detail: 'ffmpeg exited cleanly but its output is not a playable video', cause: err });
    });
    await syncToDisk(partialPath);
    await fs.rename(partialPath, finalPath);
    await syncToDisk(outputDir);
    const sha256 = await hashOrCancel(finalPath, shown, signal);
    return { filePath: finalPath, sha256, applied: plan.applied, durationSec: output.durationSec, reused: false };
  } catch (err) {
    await fs.rm(partialPath, { force: true });
    throw err;
  }
}

/** The finished variant from an earlier attempt, if there is one and it is whole. */
async function completeVariant(finalPath: string, source: VideoInfo): Promise<VideoInfo | undefined> {
  try {
    const info = await probe(finalPath);
    if (Math.abs(info.durationSec - source.durationSec) <= REUSE_DURATION_TOLERANCE_SEC && (await decodesToEnd(finalPath))) return info;
  } catch (err) {
    if (isMediaError(err, 'not_found')) return undefined;
    if (!isMediaError(err, 'not_a_video') && !isMediaError(err, 'unreadable')) throw err;
  }
  // Truncated, damaged or foreign: encode again; the rename will replace it.
  return undefined;
}

async function hashOrCancel(file: string, shown: string, signal?: AbortSignal): Promise<string> {
  try {
    return await sha256File(file, signal);
  } catch (err) {
    if (signal?.aborted) throw new MediaError('cancelled', shown, { cause: err });
    throw err;
  }
}

/** fsync, so a power cut after the rename cannot leave an empty file under the final name. */
async function syncToDisk(target: string): Promise<void> {
  const handle = await fs.open(target, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the file itself was synced already.
  } finally {
    await handle.close();
  }
}
