/**
 * Which small transforms make one variant of a video: a pure function of the seed, the
 * preset and the source's shape, so every retry on every worker plans the same variant.
 */
import type { UniquifyPreset } from '../contracts/bulk-input';
import { REPRODUCIBLE_MP4_OPTIONS, type VideoInfo } from './ffmpeg';
import { seedDigest, seededRandom } from './seeded-random';

/** The source properties a plan depends on. */
export type PlanSource = Pick<VideoInfo, 'width' | 'height' | 'fps' | 'hasAudio' | 'audioSampleRate'>;

/** Arguments for `runFfmpeg`, plus the human-readable list of what they do. */
export interface VariantPlan {
  videoFilters: string[];
  audioFilters: string[];
  outputOptions: string[];
  /** E.g. `crop 3px left/2px top, scaled back to 1080x1920`, `brightness +0.012`. */
  applied: string[];
  width: number;
  height: number;
}

interface PresetProfile {
  x264Preset: string;
  baseCrf: number;
  colour: boolean;
  grain: boolean;
  pitch: boolean;
}

/** Stronger presets add transforms and spend more encoder time per frame. */
const PROFILES: Record<UniquifyPreset, PresetProfile> = {
  fast: { x264Preset: 'veryfast', baseCrf: 23, colour: false, grain: false, pitch: false },
  balanced: { x264Preset: 'faster', baseCrf: 22, colour: true, grain: false, pitch: false },
  strong: { x264Preset: 'medium', baseCrf: 21, colour: true, grain: true, pitch: true },
};

/** Below this size a few pixels of crop are no longer "slight". */
const MIN_CROP_DIMENSION = 64;

/** Plans the transforms for one variant; same inputs, same plan, to the byte. */
export function planVariant(input: { seed: string; preset: UniquifyPreset; source: PlanSource }): VariantPlan {
  const { seed, preset, source } = input;
  const profile = PROFILES[preset];
  const rng = seededRandom(seed);

  // Every parameter is drawn in a fixed order whatever the preset, so a preset only
  // selects transforms and never shifts the values of the others.
  const crop = { left: rng.int(1, 4), right: rng.int(0, 3), top: rng.int(1, 4), bottom: rng.int(0, 3) };
  const brightness = round(rng.sign() * rng.between(0.006, 0.025), 3);
  const contrast = round(1 + rng.sign() * rng.between(0.01, 0.04), 3);
  const saturation = round(1 + rng.sign() * rng.between(0.02, 0.06), 3);
  const hue = round(rng.sign() * rng.between(1, 4), 1);
  const grain = rng.int(2, 4);
  const grainSeed = rng.int(1, 2_000_000);
  const volume = round(1 + rng.sign() * rng.between(0.01, 0.03), 3);
  const pitch = rng.sign() * rng.between(0.002, 0.006);
  const crf = profile.baseCrf + rng.int(-1, 1);
  const gopSeconds = rng.between(2, 5);

  // yuv420p needs even dimensions; odd sources come out one pixel smaller.
  const width = even(source.width);
  const height = even(source.height);
  const videoFilters: string[] = [];
  const applied: string[] = [];

  if (source.width >= MIN_CROP_DIMENSION && source.height >= MIN_CROP_DIMENSION) {
    const cropWidth = source.width - crop.left - crop.right;
    const cropHeight = source.height - crop.top - crop.bottom;
    videoFilters.push(`crop=${cropWidth}:${cropHeight}:${crop.left}:${crop.top}`);
    const sides = (['left', 'right', 'top', 'bottom'] as const).filter((side) => crop[side] > 0).map((side) => `${crop[side]}px ${side}`);
    applied.push(`crop ${sides.join('/')}, scaled back to ${width}x${height}`);
  }
  videoFilters.push(`scale=${width}:${height}:flags=bicubic`, 'setsar=1');

  const eq = [`brightness=${brightness}`];
  applied.push(`brightness ${signed(brightness)}`);
  if (profile.colour) {
    eq.push(`contrast=${contrast}`, `saturation=${saturation}`);
    applied.push(`contrast ${signedPercent(contrast - 1)}`, `saturation ${signedPercent(saturation - 1)}`);
  }
  videoFilters.push(`eq=${eq.join(':')}`);
  if (profile.colour) {
    videoFilters.push(`hue=h=${hue}`);
    applied.push(`hue ${signed(hue)}°`);
  }
  if (profile.grain) {
    videoFilters.push(`noise=alls=${grain}:allf=t+u:all_seed=${grainSeed}`);
    applied.push(`film grain ${grain}`);
  }

  const audioFilters: string[] = [];
  if (source.hasAudio) {
    audioFilters.push(`volume=${volume}`);
    applied.push(`volume ${signedPercent(volume - 1)}`);
    const rate = source.audioSampleRate;
    if (profile.pitch && rate) {
      // asetrate shifts pitch and speed together; atempo undoes the speed, keeping the length.
      const shiftedRate = Math.round(rate * (1 + pitch));
      const factor = shiftedRate / rate;
      audioFilters.push(`asetrate=${shiftedRate}`, `aresample=${rate}`, `atempo=${round(1 / factor, 6)}`);
      applied.push(`pitch ${signedPercent(factor - 1, 2)} (length kept)`);
    }
  }

  const digest = seedDigest(seed);
  const gop = Math.max(1, Math.round((source.fps > 0 ? source.fps : 30) * gopSeconds));
  applied.push('metadata: source tags stripped, new title/comment');
  applied.push(`libx264 ${profile.x264Preset}, crf ${crf}, keyframe every ${gop} frames`);

  const outputOptions = [
    '-map',
    '0:v:0',
    ...(source.hasAudio ? ['-map', '0:a:0'] : []),
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-c:v',
    'libx264',
    '-preset',
    profile.x264Preset,
    '-crf',
    String(crf),
    '-g',
    String(gop),
    '-pix_fmt',
    'yuv420p',
    ...(source.hasAudio ? ['-c:a', 'aac', '-b:a', '128k'] : []),
    '-metadata',
    `title=clip ${digest.slice(32, 40)}`,
    '-metadata',
    `comment=clipfleet variant ${digest.slice(16, 32)}`,
    // The same seed gives the same bytes: a re-encode is the same file.
    ...REPRODUCIBLE_MP4_OPTIONS,
  ];

  return { videoFilters, audioFilters, outputOptions, applied, width, height };
}

function even(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2);
}

function round(n: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(n * scale) / scale;
}

function signed(n: number): string {
  return `${n >= 0 ? '+' : ''}${n}`;
}

function signedPercent(fraction: number, digits = 1): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(digits)}%`;
}
