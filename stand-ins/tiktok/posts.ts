/**
 * The Content Posting API's video flow with `source=FILE_UPLOAD`: creator info, the Direct Post
 * and Upload (inbox) init endpoints with the Media Transfer Guide's chunk rules, the chunked PUT
 * to `upload_url` (206 per chunk, 201 for the last, 416 when Content-Range is not the next
 * chunk, 403 once the URL has expired), and Get Post Status. Bytes go to a file in `dataDir`;
 * everything else is in memory.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { BodyFaults, hashFile, inTurn, readHead } from '../shared/uploads';
import { invalidParam, TikTokApiError, UploadError } from './errors';
import type { FailReason, Faults } from './faults';
import type { Grant } from './oauth';

export const PRIVACY_LEVELS = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'] as const;
export type PrivacyLevel = (typeof PRIVACY_LEVELS)[number];

/** The guide's MB: its whole-upload example calls 4,194,304 bytes "4 MB", so 1 MB = 1024 * 1024 bytes. */
export const MB = 1024 * 1024;
/** Media Transfer Guide, "Chunk restrictions" and "Video restrictions". */
export const CHUNK_RULES = { minChunk: 5 * MB, maxChunk: 64 * MB, maxLastChunk: 128 * MB, maxChunks: 1000, maxVideoSize: 4 * 1024 * MB } as const;
/** The upload PUT's accepted Content-Type values. */
export const UPLOAD_CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'] as const;
/** Where upload_url points (on TikTok another host, open-upload.tiktokapis.com; the upload_token in the URL is the credential). */
export const UPLOAD_PATH = '/upload/';
// Direct Post: "The maximum length is 2200 in UTF-16 runes."
const MAX_TITLE_UTF16 = 2200;
// Upload: "There may be at most 5 pending shares within any 24-hour period."
const PENDING_SHARE_WINDOW_MS = 24 * 3600_000;
// Enough for the container signatures checked (ISO BMFF `ftyp` at 4, WebM's EBML magic at 0).
const HEAD_BYTES = 12;

/** What creator_info/query answers for one user. */
export interface CreatorSettings {
  privacyLevelOptions: PrivacyLevel[];
  maxVideoPostDurationSec: number;
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
}

export interface TikTokUser extends CreatorSettings {
  openId: string;
  unionId: string;
  username: string;
  displayName: string;
  avatarUrl: string;
}

export interface PostInfo {
  title: string;
  privacy_level: PrivacyLevel;
  disable_duet: boolean;
  disable_comment: boolean;
  disable_stitch: boolean;
  video_cover_timestamp_ms?: number;
}

export interface ChunkPlan {
  videoSize: number;
  chunkSize: number;
  totalChunkCount: number;
}

export type PublishMode = 'direct' | 'inbox';
export type PublishStatus = 'PROCESSING_UPLOAD' | 'SEND_TO_USER_INBOX' | 'PUBLISH_COMPLETE' | 'FAILED';

export interface Publish {
  publishId: string;
  openId: string;
  mode: PublishMode;
  postInfo: PostInfo | null;
  plan: ChunkPlan;
  uploadId: string;
  uploadToken: string;
  uploadUrlExpiresAt: number;
  createdAt: number;
  filePath: string;
  chunksReceived: number;
  /** Bytes of complete chunks: what status fetch reports as uploaded_bytes. */
  uploadedBytes: number;
  /** Every body byte that arrived, resent and cut chunks included. */
  bytesReceived: number;
  sha256?: string;
  completedAt?: number;
  /** Decided when the last chunk lands; shown once processing is over. */
  failReason?: FailReason;
  /** The person removed the app's access while this was in flight. */
  authRemoved: boolean;
  /** Only for a public direct post, as the docs have it. */
  postId?: string;
  /** The request writing now, which a newer request for the same upload makes give way. */
  writer?: http.IncomingMessage;
  /** Settles when the last queued PUT for this upload is done, so PUTs run one at a time. */
  tail: Promise<void>;
}

export interface PostsDeps {
  dataDir: string;
  faults: Faults;
  users: readonly TikTokUser[];
  audited: boolean;
  processingMs: number;
  uploadUrlTtlMs: number;
  maxPendingShares: number;
  /** The server's own origin, for the absolute upload_url. */
  origin: () => string;
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

function positiveInteger(fields: Fields, name: string, prefix: string): number {
  const value = fields[name];
  if (value === undefined) throw invalidParam(`${prefix}${name} is required for source FILE_UPLOAD.`);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw invalidParam(`${prefix}${name} must be a positive integer, not ${JSON.stringify(value)}.`);
  return value;
}

function optionalBoolean(fields: Fields, name: string): boolean {
  const value = fields[name];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalidParam(`post_info.${name} must be a boolean, not ${JSON.stringify(value)}.`);
  return value;
}

/** Validates `source_info` against the Media Transfer Guide's chunk restrictions; the message names the field that breaks one. */
export function parseSourceInfo(body: Fields): ChunkPlan {
  const source = body.source_info;
  if (!isObject(source)) throw invalidParam('source_info is required.');
  if (source.source === 'PULL_FROM_URL') {
    // No URL prefix is verified for the stand-in's client, so a pull is refused as TikTok refuses an unverified one.
    throw new TikTokApiError(403, 'url_ownership_unverified', 'To use PULL_FROM_URL, the developer must verify the ownership of the URL prefix or domain.');
  }
  if (source.source !== 'FILE_UPLOAD') throw invalidParam(`source_info.source must be FILE_UPLOAD or PULL_FROM_URL, not ${JSON.stringify(source.source)}.`);
  const p = 'source_info.';
  const videoSize = positiveInteger(source, 'video_size', p);
  const chunkSize = positiveInteger(source, 'chunk_size', p);
  const totalChunkCount = positiveInteger(source, 'total_chunk_count', p);
  const { minChunk, maxChunk, maxLastChunk, maxChunks, maxVideoSize } = CHUNK_RULES;
  if (videoSize > maxVideoSize) throw invalidParam(`source_info.video_size ${videoSize} is over the 4 GB maximum.`);
  if (videoSize < minChunk) {
    if (chunkSize !== videoSize) throw invalidParam(`source_info.chunk_size must equal video_size (${videoSize}) for a video under 5 MB, which is uploaded whole.`);
    if (totalChunkCount !== 1) throw invalidParam('source_info.total_chunk_count must be 1 for a video under 5 MB.');
    return { videoSize, chunkSize, totalChunkCount };
  }
  if (chunkSize < minChunk || chunkSize > maxChunk) throw invalidParam(`source_info.chunk_size must be between ${minChunk} and ${maxChunk} bytes (5-64 MB), not ${chunkSize}.`);
  const expectedCount = Math.floor(videoSize / chunkSize);
  if (totalChunkCount !== expectedCount) {
    throw invalidParam(`source_info.total_chunk_count must be video_size / chunk_size rounded down (${expectedCount}), not ${totalChunkCount}.`);
  }
  if (totalChunkCount > maxChunks) throw invalidParam(`source_info.total_chunk_count ${totalChunkCount} is over the maximum of ${maxChunks} chunks.`);
  if (videoSize > maxChunk && totalChunkCount < 2) throw invalidParam('source_info.chunk_size: a video over 64 MB must be uploaded in multiple chunks.');
  const lastChunk = videoSize - (totalChunkCount - 1) * chunkSize;
  if (lastChunk > maxLastChunk) throw invalidParam(`source_info.chunk_size leaves a final chunk of ${lastChunk} bytes, over the 128 MB maximum.`);
  return { videoSize, chunkSize, totalChunkCount };
}

/** Validates Direct Post's `post_info` against the creator's options and the client's audit status. */
export function parsePostInfo(body: Fields, user: CreatorSettings, audited: boolean): PostInfo {
  const info = body.post_info;
  if (!isObject(info)) throw invalidParam('post_info is required.');
  const title = info.title ?? '';
  if (typeof title !== 'string') throw invalidParam(`post_info.title must be a string, not ${JSON.stringify(title)}.`);
  if (title.length > MAX_TITLE_UTF16) throw invalidParam(`post_info.title is ${title.length} UTF-16 units long; the maximum is ${MAX_TITLE_UTF16}.`);
  const cover = info.video_cover_timestamp_ms;
  if (cover !== undefined && (typeof cover !== 'number' || !Number.isInteger(cover) || cover < 0)) {
    throw invalidParam(`post_info.video_cover_timestamp_ms must be a non-negative integer, not ${JSON.stringify(cover)}.`);
  }
  const parsed = {
    title,
    disable_duet: optionalBoolean(info, 'disable_duet'),
    disable_comment: optionalBoolean(info, 'disable_comment'),
    disable_stitch: optionalBoolean(info, 'disable_stitch'),
    ...(cover !== undefined ? { video_cover_timestamp_ms: cover } : {}),
  };
  const level = info.privacy_level;
  if (!user.privacyLevelOptions.some((option) => option === level)) {
    throw new TikTokApiError(
      403,
      'privacy_level_option_mismatch',
      `post_info.privacy_level ${JSON.stringify(level)} is not specified or not among the privacy_level_options returned in /publish/creator_info/query/ (${user.privacyLevelOptions.join(', ')}).`,
    );
  }
  const privacy = level as PrivacyLevel;
  if (!audited && privacy !== 'SELF_ONLY') {
    throw new TikTokApiError(403, 'unaudited_client_can_only_post_to_private_accounts', 'Unaudited clients can only post to a private account (privacy_level SELF_ONLY).');
  }
  return { ...parsed, privacy_level: privacy };
}

/** Whether the first bytes are a container TikTok takes: MP4/MOV (ISO BMFF, a box type at offset 4) or WebM (EBML magic). */
function looksLikeVideo(head: Buffer): boolean {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return true;
  const box = head.subarray(4, 8).toString('latin1');
  return ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip'].includes(box);
}

/** Parses `bytes first-last/total`; the upload host takes nothing else. */
function parseContentRange(raw: string | undefined): { first: number; last: number; total: number } {
  const match = /^bytes\s+(\d+)-(\d+)\/(\d+)$/.exec((raw ?? '').trim());
  if (!match) throw new UploadError(400, `Content-Range must be "bytes {FIRST_BYTE}-{LAST_BYTE}/{TOTAL_BYTE_LENGTH}", not ${JSON.stringify(raw ?? null)}.`);
  const [first, last, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (last < first || last >= total) throw new UploadError(400, `Content-Range ${raw} is not a range inside the file.`);
  return { first, last, total };
}

/** `Content-Range: bytes 0-{last uploaded byte}/{total}`, the header every upload answer carries; `*` before any byte. */
function progressHeader(publish: Publish): Record<string, string> {
  const { uploadedBytes } = publish;
  const total = publish.plan.videoSize;
  return { 'content-range': uploadedBytes > 0 ? `bytes 0-${uploadedBytes - 1}/${total}` : `bytes */${total}` };
}

/** The byte range chunk `index` must cover: every chunk is chunk_size, the last takes the remainder. */
export function chunkRange(plan: ChunkPlan, index: number): { first: number; last: number } {
  const first = index * plan.chunkSize;
  const last = index === plan.totalChunkCount - 1 ? plan.videoSize - 1 : first + plan.chunkSize - 1;
  return { first, last };
}

const newPostId = (): string => `7${Array.from({ length: 18 }, () => randomInt(10)).join('')}`;

/** Every publish the stand-in was asked for, with its upload. */
export class Publishes {
  readonly byId = new Map<string, Publish>();
  private readonly byUploadId = new Map<string, Publish>();
  /** Every upload body byte that arrived, over all publishes. */
  bytesReceived = 0;

  constructor(private readonly deps: PostsDeps) {}

  user(openId: string): TikTokUser {
    const user = this.deps.users.find((u) => u.openId === openId);
    if (!user) throw new Error(`grant for unknown user ${openId}`);
    return user;
  }

  /** Direct Post or Upload init: validates the body and opens an upload. */
  async init(grant: Grant, mode: PublishMode, body: unknown): Promise<{ publish_id: string; upload_url: string }> {
    const { faults, audited, maxPendingShares } = this.deps;
    if (!isObject(body)) throw invalidParam('The request body must be a JSON object.');
    const user = this.user(grant.openId);
    const postInfo = mode === 'direct' ? parsePostInfo(body, user, audited) : null;
    const plan = parseSourceInfo(body);
    if (mode === 'direct' && faults.postLimitReached) {
      throw new TikTokApiError(403, 'spam_risk_too_many_posts', 'The daily post cap from the API is reached for the current user.');
    }
    if (mode === 'inbox') {
      const now = Date.now();
      const pending = [...this.byId.values()].filter(
        (p) => p.openId === user.openId && p.mode === 'inbox' && p.createdAt > now - PENDING_SHARE_WINDOW_MS && this.statusAt(p, now) !== 'FAILED',
      );
      if (pending.length >= maxPendingShares) {
        throw new TikTokApiError(403, 'spam_risk_too_many_pending_share', `There may be at most ${maxPendingShares} pending shares within any 24-hour period.`);
      }
    }
    const publishId = `${mode === 'direct' ? 'v_pub_file~v2-1' : 'v_inbox_file~v2'}.${randomInt(1e9, 1e10)}${randomInt(1e9, 1e10)}`;
    const uploadId = String(randomInt(1e9, 1e10)) + String(randomInt(1e9, 1e10));
    const publish: Publish = {
      publishId,
      openId: user.openId,
      mode,
      postInfo,
      plan,
      uploadId,
      uploadToken: randomBytes(24).toString('base64url'),
      uploadUrlExpiresAt: Date.now() + this.deps.uploadUrlTtlMs,
      createdAt: Date.now(),
      filePath: path.join(this.deps.dataDir, `${uploadId}.upload`),
      chunksReceived: 0,
      uploadedBytes: 0,
      bytesReceived: 0,
      authRemoved: false,
      tail: Promise.resolve(),
    };
    await writeFile(publish.filePath, '');
    this.byId.set(publishId, publish);
    this.byUploadId.set(uploadId, publish);
    const uploadUrl = `${this.deps.origin()}${UPLOAD_PATH}?upload_id=${uploadId}&upload_token=${publish.uploadToken}`;
    return { publish_id: publishId, upload_url: uploadUrl };
  }

  /** One chunk PUT to upload_url, one request per upload at a time (the newest takes over from a stalled one). */
  async put(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const publish = this.byUploadId.get(url.searchParams.get('upload_id') ?? '');
    if (!publish || publish.uploadToken !== url.searchParams.get('upload_token')) throw new UploadError(404, 'TikTok cannot find a valid upload task given the upload_url.');
    if (publish.uploadUrlExpiresAt <= Date.now()) throw new UploadError(403, 'The upload_url has expired.');
    await inTurn(publish, () => this.putInTurn(req, res, publish));
  }

  /** Get Post Status for one publish of the token's user. */
  status(grant: Grant, body: unknown): { raw: string } {
    const publishId = isObject(body) ? body.publish_id : undefined;
    if (typeof publishId !== 'string' || publishId === '') throw invalidParam('publish_id is required.');
    const publish = this.byId.get(publishId);
    if (!publish) throw new TikTokApiError(400, 'invalid_publish_id', `The publish_id ${publishId} does not exist.`);
    if (publish.openId !== grant.openId)
      throw new TikTokApiError(400, 'token_not_authorized_for_specified_publish_id', 'The access_token does not have authorization for this publish_id.');
    const status = this.statusAt(publish, Date.now());
    const failReason = status === 'FAILED' ? this.failReasonOf(publish) : undefined;
    const postIds = status === 'PUBLISH_COMPLETE' && publish.postId ? [publish.postId] : [];
    // publicaly_available_post_id is list<int64> in the docs: written as JSON numbers, digit for digit, though they exceed 2^53.
    const data = `{"status":${JSON.stringify(status)},${failReason ? `"fail_reason":${JSON.stringify(failReason)},` : ''}"publicaly_available_post_id":[${postIds.join(',')}],"uploaded_bytes":${publish.uploadedBytes}}`;
    return { raw: data };
  }

  /** Where a publish stands at `now`: uploading, processing (still PROCESSING_UPLOAD, as a FILE_UPLOAD post reports), then its outcome. */
  statusAt(publish: Publish, now: number): PublishStatus {
    if (publish.authRemoved) return 'FAILED';
    if (publish.completedAt === undefined || now < publish.completedAt + this.deps.processingMs) return 'PROCESSING_UPLOAD';
    if (publish.failReason) return 'FAILED';
    return publish.mode === 'direct' ? 'PUBLISH_COMPLETE' : 'SEND_TO_USER_INBOX';
  }

  failReasonOf(publish: Publish): FailReason | undefined {
    return publish.authRemoved ? 'auth_removed' : publish.failReason;
  }

  /** The person removed the app's access: their posts still in flight end with auth_removed. */
  removeAuth(openId: string): void {
    const now = Date.now();
    for (const publish of this.byId.values()) {
      if (publish.openId === openId && this.statusAt(publish, now) === 'PROCESSING_UPLOAD') publish.authRemoved = true;
    }
  }

  private async putInTurn(req: http.IncomingMessage, res: http.ServerResponse, publish: Publish): Promise<void> {
    if (req.destroyed) return;
    const { plan } = publish;
    const contentType = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (!UPLOAD_CONTENT_TYPES.some((type) => type === contentType)) {
      throw new UploadError(400, `Content-Type must be one of ${UPLOAD_CONTENT_TYPES.join(', ')}, not ${JSON.stringify(contentType)}.`);
    }
    const range = parseContentRange(req.headers['content-range']);
    const lengthHeader = req.headers['content-length'];
    if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader)) throw new UploadError(400, 'Content-Length with the byte size of this chunk is required.');
    const declared = range.last - range.first + 1;
    if (Number(lengthHeader) !== declared) throw new UploadError(400, `Content-Length ${lengthHeader} does not match Content-Range ${range.first}-${range.last}.`);
    if (range.total !== plan.videoSize) {
      throw new UploadError(416, `Content-Range total ${range.total} is not the video_size ${plan.videoSize} given at init.`, progressHeader(publish));
    }
    if (publish.chunksReceived === plan.totalChunkCount) throw new UploadError(416, 'Every chunk is already uploaded.', progressHeader(publish));
    const expected = chunkRange(plan, publish.chunksReceived);
    if (range.first !== expected.first || range.last !== expected.last) {
      throw new UploadError(
        416,
        `Content-Range bytes ${range.first}-${range.last} does not reflect the upload progress: the next chunk is bytes ${expected.first}-${expected.last}.`,
        progressHeader(publish),
      );
    }

    publish.writer = req;
    if (!(await this.store(req, publish, range.first, declared))) return;
    publish.chunksReceived += 1;
    publish.uploadedBytes += declared;
    if (publish.chunksReceived < plan.totalChunkCount) {
      res.writeHead(206, 'Partial Content', { ...progressHeader(publish), 'content-length': 0 });
      res.end();
      return;
    }
    await this.finish(publish);
    res.writeHead(201, 'Created', { ...progressHeader(publish), 'content-length': 0 });
    res.end();
  }

  /**
   * Streams one chunk's body into the file at `first`. True when the whole chunk arrived; false
   * when the connection ended first, and then the chunk does not count: the client resends it whole.
   */
  private async store(req: http.IncomingMessage, publish: Publish, first: number, declared: number): Promise<boolean> {
    const file = await open(publish.filePath, 'r+');
    let position = first;
    const bodyFaults = new BodyFaults(req, this.deps.faults);
    try {
      for await (const chunk of req) {
        let buf = chunk as Buffer;
        const trimmed = bodyFaults.trimToCut(buf, position - first);
        buf = trimmed.buf;
        publish.bytesReceived += buf.length;
        this.bytesReceived += buf.length;
        await bodyFaults.throttle(buf.length);
        if (buf.length > 0) {
          await file.write(buf, 0, buf.length, position);
          position += buf.length;
        }
        if (trimmed.cutHere) {
          bodyFaults.sever();
          return false;
        }
      }
    } catch {
      // The client went away mid-body (or the server is closing).
      return false;
    } finally {
      bodyFaults.release();
      await file.close();
    }
    // A request is destroyed once its body is read, so only a short body says the client went away.
    if (position - first === declared) return true;
    if (bodyFaults.socket.destroyed) return false;
    throw new UploadError(400, `The body has ${position - first} bytes; Content-Length says ${declared}.`);
  }

  /** The last chunk is in: hash the file and decide how processing ends. */
  private async finish(publish: Publish): Promise<void> {
    publish.sha256 = await hashFile(publish.filePath);
    publish.completedAt = Date.now();
    const forced = this.deps.faults.takeFailReason();
    const head = await readHead(publish.filePath, HEAD_BYTES);
    publish.failReason = forced ?? (looksLikeVideo(head) ? undefined : 'file_format_check_failed');
    // Based on TikTok's policies a post_id is given only for a post made public (once moderated).
    if (!publish.failReason && publish.mode === 'direct' && publish.postInfo?.privacy_level === 'PUBLIC_TO_EVERYONE') publish.postId = newPostId();
  }
}
