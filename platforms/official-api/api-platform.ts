/**
 * The contract every API platform implements (YouTube now; TikTok and Instagram next): its
 * OAuth client, who a connection acts as, the upload protocol, and whether a post is live.
 * What all of them share (token refresh, quota, resuming, recording the created id before a
 * retry could create another) lives once, in platforms/official-api/ and activities/upload-via-api.ts;
 * a platform's file reads as its protocol, top to bottom.
 */
import type { BulkOptions } from '../../contracts/bulk-input';
import type { OAuthClientSettings } from './oauth';

/** Requests with the account's access token: refreshed before it expires, and once more on a 401. */
export interface AuthorizedHttp {
  /** `fetch` with `Authorization: Bearer <token>`; the body must be re-sendable (bytes or a string), as a 401 sends it again. */
  fetch(url: string, init?: { method?: string; headers?: Record<string, string>; body?: Uint8Array<ArrayBuffer> | string; signal?: AbortSignal }): Promise<Response>;
}

/** Publishing settings from the bulk's options that a platform reads (e.g. YouTube's privacy status). */
export type PublishOptions = Pick<BulkOptions, 'youtube'>;

/** A resumable upload session the provider opened for one file. */
export interface UploadSession {
  /** Where the file's bytes go; it may act as a credential, so it is stored and heartbeated sealed. */
  uri: string;
  /** SHA-256 of the file the session was opened for: another file never continues it. */
  fileSha256: string;
  bytesTotal: number;
  startedAt: string;
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
  | { state: 'live' }
  | { state: 'failed'; reason: string }
  /** The platform does not know it (deleted, or not visible yet). */
  | { state: 'missing' };

/** How a platform's quota is counted (see platforms/official-api/quota.ts). */
export interface QuotaPolicy {
  /** Whose budget: the provider's project (its OAuth client id). */
  project: string;
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
  identify(http: AuthorizedHttp, signal?: AbortSignal): Promise<{ id: string; name: string }>;
  /** Uploads exactly `ctx.filePath`, continuing `ctx.session` when there is one; returns the created post's id. */
  upload(http: AuthorizedHttp, ctx: ApiUploadContext): Promise<{ remoteId: string }>;
  /** Whether the created post is live yet. */
  status(http: AuthorizedHttp, remoteId: string, signal?: AbortSignal): Promise<LiveState>;
  /** The public URL of a post. */
  postUrl(remoteId: string): string;
}
