/**
 * The only module that touches fluent-ffmpeg. fluent-ffmpeg is archived upstream, so the
 * rest of clipfleet sees just `configureFfmpeg`, `probe` and `runFfmpeg`; replacing the
 * library (or spawning ffmpeg directly) means rewriting this file and nothing else.
 */
import { promises as fs } from 'node:fs';
import ffmpeg from 'fluent-ffmpeg';
import { MediaError } from './errors';

/** Binaries to use instead of `ffmpeg`/`ffprobe` on PATH (from `loadConfig().media`). */
export interface FfmpegBinaries {
  ffmpegPath?: string;
  ffprobePath?: string;
}

/** Points the wrapper at specific ffmpeg/ffprobe binaries; call once at startup. */
export function configureFfmpeg(binaries: FfmpegBinaries): void {
  if (binaries.ffmpegPath) ffmpeg.setFfmpegPath(binaries.ffmpegPath);
  if (binaries.ffprobePath) ffmpeg.setFfprobePath(binaries.ffprobePath);
}

/** What uniquify and the upload checks need to know about a video file. */
export interface VideoInfo {
  durationSec: number;
  /** As displayed: swapped when the stream carries a ±90° rotation, because ffmpeg autorotates. */
  width: number;
  height: number;
  fps: number;
  videoCodec: string;
  hasAudio: boolean;
  /** Sample rate of the first audio stream, when there is one. */
  audioSampleRate?: number;
  formatName: string;
  sizeBytes: number;
}

/**
 * ffprobe's demuxer names (`format_name` lists one demuxer's aliases, e.g.
 * `mov,mp4,m4a,3gp,3g2,mj2`) of the containers taken as videos. Anything else is refused
 * even when it decodes: a playlist or concat list (`hls`, `concat`, `dash`) makes ffmpeg
 * read the files it names, wherever they lie, and an image sequence is not a video.
 */
export const VIDEO_CONTAINER_FORMATS: ReadonlySet<string> = new Set([
  'mov',
  'mp4',
  'm4a',
  '3gp',
  '3g2',
  'mj2',
  'matroska',
  'webm',
  'avi',
  'mpegts',
  'flv',
  'asf',
  'mpeg',
  'ogg',
  'mxf',
  'nut',
  'dv',
  'rm',
  'm4v',
  'h264',
  'hevc',
]);

/** How a file is named in error messages; defaults to the path itself. */
export interface DisplayOptions {
  displayPath?: string;
}

/**
 * Probes a file with ffprobe. Throws a non-retryable {@link MediaError}: `not_found`,
 * `unreadable`, or `not_a_video` when ffprobe cannot parse it, finds no video stream,
 * finds a still image, or finds a format outside {@link VIDEO_CONTAINER_FORMATS} (a
 * playlist). A missing or broken ffprobe binary is `ffmpeg_failed` (retryable): that is
 * the worker's fault, not the file's.
 */
export async function probe(file: string, options: DisplayOptions = {}): Promise<VideoInfo> {
  const shown = options.displayPath ?? file;
  const stat = await statReadable(file, shown);
  if (!stat.isFile()) throw new MediaError('not_a_video', shown, { detail: 'it is a directory, not a file' });

  const data = await new Promise<ffmpeg.FfprobeData>((resolve, reject) => {
    ffmpeg.ffprobe(file, (err: unknown, result: ffmpeg.FfprobeData) => (err ? reject(toProbeError(err, shown)) : resolve(result)));
  });

  // Text files and cover-art images can parse as "video": only a real moving picture counts.
  const video = data.streams.find((s) => s.codec_type === 'video' && s.codec_name !== 'ansi' && !isAttachedPicture(s));
  if (!video) throw new MediaError('not_a_video', shown, { detail: 'ffprobe found no video stream' });
  const durationSec = firstFinite(data.format.duration, video.duration);
  if (durationSec === undefined || durationSec <= 0) {
    throw new MediaError('not_a_video', shown, { detail: 'it has no duration; a still image?' });
  }
  const formatName = String(data.format.format_name ?? 'unknown');
  if (!formatName.split(',').some((name) => VIDEO_CONTAINER_FORMATS.has(name))) {
    throw new MediaError('not_a_video', shown, { detail: `ffprobe reads it as "${formatName}", not a video container (mp4, mov, webm, mkv, avi, ts, ...)` });
  }
  const audio = data.streams.find((s) => s.codec_type === 'audio');
  const quarterTurn = Math.abs(rotationOf(video)) % 180 === 90;
  const codedWidth = Number(video.width ?? 0);
  const codedHeight = Number(video.height ?? 0);
  const info: VideoInfo = {
    durationSec,
    width: quarterTurn ? codedHeight : codedWidth,
    height: quarterTurn ? codedWidth : codedHeight,
    fps: parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate) ?? 0,
    videoCodec: String(video.codec_name ?? 'unknown'),
    hasAudio: audio !== undefined,
    formatName,
    sizeBytes: stat.size,
  };
  const sampleRate = firstFinite(audio?.sample_rate);
  if (sampleRate !== undefined) info.audioSampleRate = sampleRate;
  return info;
}

/**
 * The mp4 container every clipfleet encode writes: bitexact keeps version strings out of
 * it, so the same input and options give the same bytes (a retried variant is the same
 * file, and a duplicate check sees it as such); faststart puts the index first.
 */
export const REPRODUCIBLE_MP4_OPTIONS: readonly string[] = ['-fflags', '+bitexact', '-movflags', '+faststart', '-f', 'mp4'];

/** One ffmpeg run: one input file (or lavfi graph), one output file. */
export interface RunFfmpegOptions {
  input: string;
  output: string;
  inputOptions?: string[];
  outputOptions?: string[];
  videoFilters?: string[];
  audioFilters?: string[];
  /** Expected output length, to turn ffmpeg's `time=` into a fraction; probed from `input` when omitted. */
  durationSec?: number;
  /** Called with increasing fractions in 0..1, ending with 1 on success. */
  onProgress?: (fraction: number) => void;
  /** Aborting kills ffmpeg (SIGTERM, then SIGKILL after `killGraceMs`) and rejects with `cancelled`. */
  signal?: AbortSignal;
  killGraceMs?: number;
  /** How the input is named in error messages. */
  displayPath?: string;
}

const DEFAULT_KILL_GRACE_MS = 2_000;
const STDERR_TAIL_LINES = 20;

/**
 * Runs ffmpeg to completion. Rejects with `ffmpeg_failed` (carrying the stderr tail) when it
 * exits non-zero, or `cancelled` when the signal aborts. It settles only after the child has
 * exited, so a caller that deletes the output afterwards never races a live ffmpeg.
 */
export async function runFfmpeg(options: RunFfmpegOptions): Promise<void> {
  const shown = options.displayPath ?? options.input;
  const { signal, onProgress } = options;
  if (signal?.aborted) throw cancelled(shown);

  let totalSec = options.durationSec;
  if (onProgress && totalSec === undefined) {
    totalSec = await probe(options.input).then(
      (info) => info.durationSec,
      () => undefined,
    );
    if (signal?.aborted) throw cancelled(shown);
  }

  // Options go in as separate arguments: given one array, fluent-ffmpeg splits any element
  // holding a single space (`title=clip 1`) into two. The fixed first option makes sure
  // there are always at least two arguments; both are global ffmpeg options.
  const command = ffmpeg(options.input)
    // -nostdin: ffmpeg otherwise reads keyboard commands from the pipe fluent-ffmpeg leaves open.
    .inputOptions('-nostdin', ...(options.inputOptions ?? []))
    .output(options.output)
    .outputOptions('-hide_banner', ...(onProgress ? ['-stats_period', '0.25'] : []), ...(options.outputOptions ?? []));
  if (options.videoFilters?.length) command.videoFilters(options.videoFilters);
  if (options.audioFilters?.length) command.audioFilters(options.audioFilters);

  await new Promise<void>((resolve, reject) => {
    let started = false;
    let aborted = false;
    /** A throwing onProgress stops the run and becomes its rejection. */
    let progressError: unknown;
    let killTimer: NodeJS.Timeout | undefined;
    let lastFraction = 0;

    const kill = () => {
      command.kill('SIGTERM');
      // ffmpeg finishes the file on SIGTERM; a stuck one (e.g. blocked on I/O) gets SIGKILL.
      killTimer = setTimeout(() => command.kill('SIGKILL'), options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    };
    const onAbort = () => {
      aborted = true;
      // Before 'start' there is no child yet; the 'start' handler kills it as soon as it exists.
      if (started) kill();
    };
    const settle = () => {
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
    };

    command.on('start', () => {
      started = true;
      if (aborted) kill();
    });
    if (onProgress && totalSec) {
      const total = totalSec;
      command.on('stderr', (line: string) => {
        const seconds = parseTimemark(line);
        if (seconds === undefined) return;
        const fraction = Math.min(seconds / total, 0.999);
        if (fraction <= lastFraction || aborted) return;
        lastFraction = fraction;
        try {
          onProgress(fraction);
        } catch (err) {
          progressError = err;
          onAbort();
        }
      });
    }
    command.on('end', () => {
      settle();
      if (aborted) return reject(progressError ?? cancelled(shown));
      onProgress?.(1);
      resolve();
    });
    command.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      settle();
      if (aborted) return reject(progressError ?? cancelled(shown));
      const tail = tailLines(stderr ?? '', STDERR_TAIL_LINES);
      reject(new MediaError('ffmpeg_failed', shown, { detail: lastErrorLine(err.message, tail), stderrTail: tail, cause: err }));
    });

    signal?.addEventListener('abort', onAbort, { once: true });
    command.run();
  });
}

/**
 * True when the last `tailSec` seconds decode without error. A faststart mp4 keeps its index
 * at the front, so a truncated file still probes with its full duration; only reading the
 * end shows the missing bytes.
 */
export async function decodesToEnd(file: string, tailSec = 1): Promise<boolean> {
  try {
    await runFfmpeg({
      input: file,
      // -xerror turns the first corrupt or missing packet into a non-zero exit.
      inputOptions: ['-v', 'error', '-xerror', '-sseof', `-${tailSec}`],
      output: '/dev/null',
      outputOptions: ['-f', 'null'],
    });
    return true;
  } catch (err) {
    if (err instanceof MediaError && err.kind === 'ffmpeg_failed') return false;
    throw err;
  }
}

function cancelled(shown: string): MediaError {
  return new MediaError('cancelled', shown, { detail: 'ffmpeg was stopped' });
}

async function statReadable(file: string, shown: string) {
  try {
    const stat = await fs.stat(file);
    await fs.access(file, fs.constants.R_OK);
    return stat;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MediaError('not_found', shown, { cause: err });
    throw new MediaError('unreadable', shown, { detail: code ?? String(err), cause: err });
  }
}

/** ffprobe exiting non-zero means it could not parse the file; anything else is the tool. */
function toProbeError(err: unknown, shown: string): MediaError {
  const message = err instanceof Error ? err.message : String(err);
  if (/^ffprobe exited with code/.test(message)) {
    const reason = tailLines(message, 1).replace(/^.*?:\s*/, '') || 'unrecognised format';
    return new MediaError('not_a_video', shown, { detail: `ffprobe could not read it: ${reason}`, cause: err });
  }
  return new MediaError('ffmpeg_failed', shown, { detail: `ffprobe did not run: ${message}`, cause: err });
}

function isAttachedPicture(stream: ffmpeg.FfprobeStream): boolean {
  const disposition: unknown = stream.disposition;
  return typeof disposition === 'object' && disposition !== null && (disposition as Record<string, unknown>).attached_pic === 1;
}

/** Rotation from the display matrix (ffmpeg ≥ 5) or the legacy `rotate` tag. */
function rotationOf(stream: ffmpeg.FfprobeStream): number {
  return firstFinite(stream.rotation, stream.tags?.rotate) ?? 0;
}

function firstFinite(...values: unknown[]): number | undefined {
  for (const value of values) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

function parseRate(rate: unknown): number | undefined {
  if (typeof rate === 'number') return rate > 0 ? rate : undefined;
  if (typeof rate !== 'string') return undefined;
  const [num, den] = rate.split('/').map(Number);
  if (num === undefined || !Number.isFinite(num) || num <= 0) return undefined;
  const value = den === undefined ? num : num / den;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function parseTimemark(line: string): number | undefined {
  const match = /time=(-?\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(line);
  if (!match) return undefined;
  const [, h, m, s] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

function tailLines(text: string, count: number): string {
  return text
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}

/**
 * The line that says what went wrong: ffmpeg prints the cause first ("No such filter: x")
 * and then generic follow-ups ("Error reinitializing filters!", "Conversion failed!").
 */
function lastErrorLine(message: string, stderrTail: string): string {
  const lines = stderrTail.split('\n').filter((line) => !line.startsWith(' ') && !/^(frame=|size=|video:|Conversion failed!)/.test(line));
  const cause = lines.find((line) => /error|invalid|no such|unable|not found|cannot|could not|failed|unknown/i.test(line));
  const line = (cause ?? lines.at(-1) ?? message.split('\n')[0] ?? message).replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, '');
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
