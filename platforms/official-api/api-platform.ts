/**
 * The contract every API platform implements (YouTube, TikTok, Instagram): its
 * OAuth client, who a connection acts as, the upload protocol, and whether a post is live.
 * What all of them share (token refresh, quota, resuming, recording the created id before a
 * retry could create another) lives once, in platforms/official-api/ and activities/upload-via-api.ts;
 * a platform's file reads as its protocol, top to bottom.
 */
import type { BulkOptions } from '../../contracts/bulk-input';
import type { DoctorStep } from '../doctor-report';
import type { OAuthClientSettings } from './oauth';

/** Requests with the account's access token: refreshed before it expires, and once more on a 401. */
export interface AuthorizedHttp {
  /** `fetch` with `Authorization: Bearer <token>`; the body must be re-sendable (bytes or a string), as a 401 sends it again. */
  fetch(url: string, init?: AuthorizedRequestInit): Promise<Response>;
}

export interface AuthorizedRequestInit {
  method?: string;
  headers?: Record<string, string>;
  /** Bytes or a string; or a function that makes a fresh stream each time the request is sent (a large file read from disk). */
  body?: Uint8Array<ArrayBuffer> | string | (() => ReadableStream<Uint8Array>);
  signal?: AbortSignal;
  /** The Authorization scheme: `Bearer` (default), or `OAuth` where a provider documents it (Meta's upload host). */
  authScheme?: 'Bearer' | 'OAuth';
}

/** Publishing settings from the bulk's options that a platform reads (e.g. YouTube's privacy status). */
export type PublishOptions = Pick<BulkOptions, 'youtube' | 'tiktok' | 'instagram'>;

/** Who a connection acts as on the platform (a channel, a TikTok user, an Instagram professional account). */
export interface ConnectedIdentity {
  id: string;
  name: string;
}

/** A resumable upload session the provider opened for one file. */
export interface UploadSession {
  /** Where the file's bytes go; it may act as a credential, so it is stored and heartbeated sealed. */
  uri: string;
  /** SHA-256 of the file the session was opened for: another file never continues it. */
  fileSha256: string;
  bytesTotal: number;
  startedAt: string;
  /** What the platform created with the session (TikTok's publish_id, Instagram's container id), when it names one before the bytes. */
  remoteId?: string;
  /** The chunk size the session was opened with, when the platform's plan fixes it. */
  chunkBytes?: number;
}

/** Everything one upload needs, and the hooks that make it resumable and exactly-once. */
export interface ApiUploadContext {
  /** Exactly the file to upload (a variant made by uniquifyVideo). */
  filePath: string;
  bytesTotal: number;
  sha256: string;
  /** Video id within the bulk, to name the file in messages. */
  videoId: string;
  caption: string;
  options: PublishOptions;
  /** Who the account is on the platform (from its connection). */
  owner: ConnectedIdentity;
  /** The variant's duration, for platforms that limit it. */
  durationSec: number;
  /** The session an earlier attempt opened for this same file, if any: continue it. */
  session: UploadSession | undefined;
  /** Called before a new session is opened (a session may create a post): reserves quota; throws QuotaExhaustedError when none is left. */
  beforeCreate(): Promise<void>;
  /** Records a session the moment it is opened, before any byte is sent. */
  saveSession(session: UploadSession): Promise<void>;
  /** Bytes the server has confirmed so far. */
  progress(bytesConfirmed: number): void;
  signal: AbortSignal;
}

/** Where a created post stands. */
export type LiveState =
  | { state: 'processing'; detail: string }
  /** Processed, and waiting for the platform's publish call (Instagram's media_publish). */
  | { state: 'ready' }
  /** Live; `url` when the platform names the post's address (else `postUrl`). */
  | { state: 'live'; url?: string; detail?: string }
  | { state: 'failed'; reason: string }
  /** The platform does not know it (deleted, or not visible yet). */
  | { state: 'missing' };

/** How a platform's quota is counted (see platforms/official-api/quota.ts). */
export interface QuotaPolicy {
  /** Whose budget: the provider's project (its OAuth client id), or each account's own (`per: 'account'`). */
  project: string;
  per?: 'project' | 'account';
  /** The limit in words, for the status line: `quota` (default), `TikTok's 6 video inits per minute`. */
  label?: string;
  budget: number;
  uploadCost: number;
  /** Period length in seconds; undefined = the provider's day. */
  periodSeconds?: number;
}

/** One API platform. */
export interface ApiPlatform {
  readonly name: string;
  readonly kind: 'api';
  /** The OAuth client, or undefined when this installation has none: then accounts cannot connect. */
  readonly oauth: OAuthClientSettings | undefined;
  /** The settings an operator sets to configure it, for messages (e.g. `YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET`). */
  readonly settings: string;
  readonly quota: QuotaPolicy | undefined;
  /** Who the tokens act as (a channel, a user), shown on the account. */
  identify(http: AuthorizedHttp, signal?: AbortSignal): Promise<ConnectedIdentity>;
  /** Uploads exactly `ctx.filePath`, continuing `ctx.session` when there is one; returns the created post's id. */
  upload(http: AuthorizedHttp, ctx: ApiUploadContext): Promise<{ remoteId: string }>;
  /** Whether the created post is live yet. */
  status(http: AuthorizedHttp, remoteId: string, ctx: { owner: ConnectedIdentity; signal: AbortSignal }): Promise<LiveState>;
  /**
   * For platforms that publish in a call of their own once processing is done (status
   * `ready`): makes the post, once. Called only while the platform says the upload is not
   * published yet, so a retry after a crash finds it published instead of calling again.
   */
  publish?(http: AuthorizedHttp, remoteId: string, ctx: { owner: ConnectedIdentity; signal: AbortSignal }): Promise<{ url: string }>;
  /** The public URL of a post. */
  postUrl(remoteId: string, owner: ConnectedIdentity): string;
  /** The doctor's platform part: what this connection may do and how much is left (creator info, posting limits). */
  check(http: AuthorizedHttp, owner: ConnectedIdentity, signal: AbortSignal): Promise<DoctorStep[]>;
}
