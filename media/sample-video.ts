/**
 * Synthetic videos (lavfi test pattern + tone) for tests, demos and benchmarks, so nothing
 * needs a real clip checked into the repository.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { REPRODUCIBLE_MP4_OPTIONS, runFfmpeg } from './ffmpeg';
import { seededRandom } from './seeded-random';

export interface SampleVideoOptions {
  outputPath: string;
  width: number;
  height: number;
  durationSec: number;
  fps?: number;
  /** Adds a sine tone; default true. */
  withAudio?: boolean;
  /** Any label; different labels give different pictures and tones, hence different bytes. */
  pattern?: string;
  signal?: AbortSignal;
}

/** Renders an H.264/AAC mp4 test clip and returns its path; creates the folder when missing. */
export async function makeSampleVideo(options: SampleVideoOptions): Promise<string> {
  const { outputPath, width, height, durationSec, fps = 30, withAudio = true, pattern = 'default' } = options;
  const rng = seededRandom(`sample-video:${pattern}`);
  const hue = rng.int(0, 359);
  const box = {
    x: rng.int(0, Math.max(0, width - width / 4)),
    y: rng.int(0, Math.max(0, height - height / 4)),
    colour: rng.int(0, 0xffffff).toString(16).padStart(6, '0'),
  };
  const toneHz = rng.int(220, 880);

  const picture =
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=${durationSec},` +
    `hue=h=${hue},drawbox=x=${box.x}:y=${box.y}:w=${Math.ceil(width / 4)}:h=${Math.ceil(height / 4)}:color=0x${box.colour}:t=fill`;
  // One lavfi graph with two labelled outputs gives picture and sound from a single input.
  const graph = withAudio ? `${picture}[out0];sine=frequency=${toneHz}:sample_rate=44100:duration=${durationSec}[out1]` : picture;

  await fs.mkdir(path.dirname(outputPath), { recursive: true });
  await runFfmpeg({
    input: graph,
    inputOptions: ['-f', 'lavfi'],
    output: outputPath,
    outputOptions: [
      '-t',
      String(durationSec),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      ...(withAudio ? ['-c:a', 'aac', '-b:a', '96k'] : []),
      ...REPRODUCIBLE_MP4_OPTIONS,
    ],
    durationSec,
    signal: options.signal,
    displayPath: `sample video ${outputPath}`,
  });
  return outputPath;
}
