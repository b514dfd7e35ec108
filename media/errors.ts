/**
 * The one error type of the media layer. Activities map it to an `ApplicationFailure`:
 * `retryable` decides whether Temporal tries again, `message` is what a person reads.
 */

export const MEDIA_ERROR_KINDS = ['not_found', 'not_a_video', 'outside_media_root', 'too_large', 'unreadable', 'ffmpeg_failed', 'cancelled'] as const;
export type MediaErrorKind = (typeof MEDIA_ERROR_KINDS)[number];

const LABELS: Record<MediaErrorKind, string> = {
  not_found: 'video not found',
  not_a_video: 'not a video',
  outside_media_root: 'path outside the media root',
  too_large: 'video too large',
  unreadable: 'cannot read video',
  ffmpeg_failed: 'ffmpeg failed',
  cancelled: 'cancelled',
};

export interface MediaErrorOptions {
  /** Why, in a few words; shown in parentheses after the file. */
  detail?: string;
  /** The last lines ffmpeg/ffprobe wrote to stderr, for logs. */
  stderrTail?: string;
  cause?: unknown;
}

/**
 * A media failure naming the file, e.g.
 * `not a video: media/notes.txt (ffprobe found no video stream)`.
 * Only `ffmpeg_failed` is retryable: a missing, corrupt or forbidden file stays that way,
 * and a cancellation is not a failure to retry.
 */
export class MediaError extends Error {
  readonly kind: MediaErrorKind;
  /** The file as shown in the message (relative to the media root where known). */
  readonly file: string;
  readonly retryable: boolean;
  readonly stderrTail?: string;

  constructor(kind: MediaErrorKind, file: string, options: MediaErrorOptions = {}) {
    super(`${LABELS[kind]}: ${file}${options.detail ? ` (${options.detail})` : ''}`, { cause: options.cause });
    this.name = 'MediaError';
    this.kind = kind;
    this.file = file;
    this.retryable = kind === 'ffmpeg_failed';
    if (options.stderrTail !== undefined) this.stderrTail = options.stderrTail;
  }
}

/** Narrows an unknown error to a {@link MediaError}, optionally of one kind. */
export function isMediaError(error: unknown, kind?: MediaErrorKind): error is MediaError {
  return error instanceof MediaError && (kind === undefined || error.kind === kind);
}
