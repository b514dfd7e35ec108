/**
 * Videos as the YouTube Data API describes them: the metadata videos.insert accepts and its
 * checks, the checks YouTube makes on the uploaded file (a recognisable container, not empty,
 * not a byte-for-byte duplicate on the channel), the processing that takes `processingMs`, and
 * the `youtube#video` resource with the parts a caller asks for.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { badRequest } from './google-errors';
import type { FailureReason, ProcessingOutcome, RejectionReason } from './faults';

/** The parts videos.insert and videos.list know. The stand-in renders id, snippet, status, processingDetails and fileDetails; the others are accepted and left out. */
export const VIDEO_PARTS = [
  'id',
  'snippet',
  'status',
  'processingDetails',
  'fileDetails',
  'contentDetails',
  'liveStreamingDetails',
  'localizations',
  'player',
  'recordingDetails',
  'statistics',
  'suggestions',
  'topicDetails',
] as const;

export const PRIVACY_STATUSES = ['private', 'unlisted', 'public'] as const;
export type PrivacyStatus = (typeof PRIVACY_STATUSES)[number];

const TITLE_MAX_CHARS = 100;
const DESCRIPTION_MAX_BYTES = 5000;
const TAGS_MAX_CHARS = 500;
// How many "parts" processing reports; any number works, this one reads well in progress bars.
const PROCESSING_PARTS = 1000;

export interface VideoMetadata {
  title: string;
  description: string;
  tags: string[];
  categoryId: string;
  privacyStatus: PrivacyStatus;
  selfDeclaredMadeForKids?: boolean;
}

export interface VideoRecord {
  id: string;
  channelId: string;
  channelTitle: string;
  sha256: string;
  bytes: number;
  metadata: VideoMetadata;
  createdAt: number;
  /** When processing ends and `outcome` shows. */
  readyAt: number;
  /** Undefined: processed fine. */
  outcome?: ProcessingOutcome;
}

const VideoBodySchema = z.object({
  snippet: z
    .object({
      title: z.string().optional(),
      description: z.string().optional(),
      tags: z.array(z.string()).optional(),
      categoryId: z.string().optional(),
    })
    .optional(),
  status: z
    .object({
      privacyStatus: z.string().optional(),
      selfDeclaredMadeForKids: z.boolean().optional(),
    })
    .optional(),
});

/** Validates a videos.insert body (a video resource) with the reasons Google gives for each refusal. */
export function parseVideoMetadata(body: unknown): VideoMetadata {
  const parsed = VideoBodySchema.safeParse(body);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') ?? 'resource';
    throw badRequest('invalidVideoMetadata', `The request metadata is invalid: ${field}.`, 'youtube.video');
  }
  const { snippet = {}, status = {} } = parsed.data;
  const title = snippet.title ?? '';
  if (title.trim() === '' || [...title].length > TITLE_MAX_CHARS || /[<>]/.test(title)) {
    throw badRequest('invalidTitle', 'The request metadata specifies an invalid or empty video title.', 'youtube.video');
  }
  const description = snippet.description ?? '';
  if (Buffer.byteLength(description, 'utf8') > DESCRIPTION_MAX_BYTES || /[<>]/.test(description)) {
    throw badRequest('invalidDescription', 'The request metadata specifies an invalid video description.', 'youtube.video');
  }
  const tags = snippet.tags ?? [];
  if (tags.reduce((sum, tag) => sum + tag.length, 0) > TAGS_MAX_CHARS || tags.some((tag) => /[<>]/.test(tag))) {
    throw badRequest('invalidTags', 'The request metadata specifies invalid video keywords.', 'youtube.video');
  }
  // 22 is "People & Blogs", the category YouTube gives an upload that names none.
  const categoryId = snippet.categoryId ?? '22';
  if (!/^\d+$/.test(categoryId)) throw badRequest('invalidCategoryId', 'The snippet.categoryId property specifies an invalid category ID.', 'youtube.video');
  const privacyStatus = status.privacyStatus ?? 'public';
  if (!PRIVACY_STATUSES.includes(privacyStatus as PrivacyStatus)) {
    throw badRequest('invalidVideoMetadata', `The request metadata is invalid: status.privacyStatus must be one of ${PRIVACY_STATUSES.join(', ')}.`, 'youtube.video');
  }
  return { title, description, tags, categoryId, privacyStatus: privacyStatus as PrivacyStatus, selfDeclaredMadeForKids: status.selfDeclaredMadeForKids };
}

/** The `part` parameter as a set, refusing a missing one or a name the resource does not have. */
export function parseParts(part: string | null, known: readonly string[]): Set<string> {
  if (!part) throw badRequest('required', 'Required parameter: part');
  const parts = part
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = parts.find((p) => !known.includes(p));
  if (unknown !== undefined) throw badRequest('unknownPart', `'${unknown}'`);
  return new Set(parts);
}

/** Whether the first bytes are a container YouTube could read: MP4/MOV (`ftyp` box), WebM/Matroska (EBML), AVI (RIFF). */
export function isRecognisableVideo(head: Buffer): boolean {
  const mp4 = head.length >= 8 && head.subarray(4, 8).toString('latin1') === 'ftyp';
  const ebml = head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3;
  const avi = head.length >= 12 && head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'AVI ';
  return mp4 || ebml || avi;
}

/** A new 11-character video id in YouTube's alphabet. */
export function newVideoId(): string {
  return randomBytes(8).toString('base64url').slice(0, 11);
}

const etagOf = (value: unknown): string => createHash('sha1').update(JSON.stringify(value)).digest('base64url');

const failureToProcessing: Record<FailureReason, string> = {
  codec: 'transcodeFailed',
  conversion: 'transcodeFailed',
  emptyFile: 'uploadFailed',
  invalidFile: 'uploadFailed',
  tooSmall: 'uploadFailed',
  uploadAborted: 'uploadFailed',
};

/** The status and processingDetails of a video at `now`: uploaded and processing until `readyAt`, then its outcome. */
function progress(video: VideoRecord, now: number): { status: Record<string, unknown>; processingDetails: Record<string, unknown> } {
  if (now < video.readyAt) {
    const total = video.readyAt - video.createdAt;
    const done = total > 0 ? (now - video.createdAt) / total : 1;
    return {
      status: { uploadStatus: 'uploaded' },
      processingDetails: {
        processingStatus: 'processing',
        processingProgress: { partsTotal: String(PROCESSING_PARTS), partsProcessed: String(Math.floor(done * PROCESSING_PARTS)), timeLeftMs: String(video.readyAt - now) },
      },
    };
  }
  const { outcome } = video;
  if (outcome && 'failureReason' in outcome) {
    return {
      status: { uploadStatus: 'failed', failureReason: outcome.failureReason },
      processingDetails: { processingStatus: 'failed', processingFailureReason: failureToProcessing[outcome.failureReason] },
    };
  }
  if (outcome && 'rejectionReason' in outcome) {
    const reason: RejectionReason = outcome.rejectionReason;
    return { status: { uploadStatus: 'rejected', rejectionReason: reason }, processingDetails: { processingStatus: 'terminated' } };
  }
  return { status: { uploadStatus: 'processed' }, processingDetails: { processingStatus: 'succeeded', fileDetailsAvailability: 'available' } };
}

/** The upload status a video shows at `now` (for the inspection endpoint). */
export function uploadStatusAt(video: VideoRecord, now: number): string {
  return String(progress(video, now).status.uploadStatus);
}

/** The `youtube#video` resource with the requested parts, as the owner sees it at `now`. */
export function videoResource(video: VideoRecord, parts: ReadonlySet<string>, now: number): Record<string, unknown> {
  const { metadata } = video;
  const { status, processingDetails } = progress(video, now);
  const resource: Record<string, unknown> = { kind: 'youtube#video', etag: '', id: video.id };
  if (parts.has('snippet')) {
    resource.snippet = {
      publishedAt: new Date(video.createdAt).toISOString(),
      channelId: video.channelId,
      title: metadata.title,
      description: metadata.description,
      channelTitle: video.channelTitle,
      ...(metadata.tags.length ? { tags: metadata.tags } : {}),
      categoryId: metadata.categoryId,
      liveBroadcastContent: 'none',
      localized: { title: metadata.title, description: metadata.description },
    };
  }
  if (parts.has('status')) {
    resource.status = {
      ...status,
      privacyStatus: metadata.privacyStatus,
      license: 'youtube',
      embeddable: true,
      publicStatsViewable: true,
      madeForKids: metadata.selfDeclaredMadeForKids ?? false,
      ...(metadata.selfDeclaredMadeForKids !== undefined ? { selfDeclaredMadeForKids: metadata.selfDeclaredMadeForKids } : {}),
    };
  }
  if (parts.has('processingDetails')) resource.processingDetails = processingDetails;
  if (parts.has('fileDetails')) resource.fileDetails = { fileSize: String(video.bytes), fileType: 'video' };
  resource.etag = etagOf(resource);
  return resource;
}

/** Every video, by id, with the checks that decide how a finished upload ends. */
export class VideoCatalog {
  readonly videos = new Map<string, VideoRecord>();

  constructor(private readonly processingMs: number) {}

  /**
   * Records a finished upload. The outcome is decided now, from the file and the channel's
   * earlier uploads (or a forced fault), and shows once processing is over.
   */
  add(input: { channelId: string; channelTitle: string; sha256: string; bytes: number; head: Buffer; metadata: VideoMetadata; forced?: ProcessingOutcome }): VideoRecord {
    const now = Date.now();
    const video: VideoRecord = {
      id: this.freshId(),
      channelId: input.channelId,
      channelTitle: input.channelTitle,
      sha256: input.sha256,
      bytes: input.bytes,
      metadata: input.metadata,
      createdAt: now,
      readyAt: now + this.processingMs,
      outcome: input.forced ?? this.judge(input),
    };
    this.videos.set(video.id, video);
    return video;
  }

  private judge(input: { channelId: string; sha256: string; bytes: number; head: Buffer }): ProcessingOutcome | undefined {
    if (input.bytes === 0) return { failureReason: 'emptyFile' };
    if (!isRecognisableVideo(input.head)) return { failureReason: 'invalidFile' };
    const original = [...this.videos.values()].find((v) => v.channelId === input.channelId && v.sha256 === input.sha256 && v.outcome === undefined);
    return original ? { rejectionReason: 'duplicate' } : undefined;
  }

  private freshId(): string {
    for (;;) {
      const id = newVideoId();
      if (!this.videos.has(id)) return id;
    }
  }
}
