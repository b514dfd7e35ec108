/**
 * The contract every video platform implements, and the one error type adapters throw.
 * Activities speak only this interface; a real platform plugs in by implementing it
 * (usually as a `FormSite` description for `createFormAdapter`, see form-adapter.ts).
 */
import type { Page } from 'playwright-core';

export interface PlatformCredentials {
  username: string;
  password: string;
  /** The account's one-time code, when the platform asks for one. */
  otpCode?: string;
}

export interface PublishedPost {
  postId: string;
  url: string;
}

export interface PublishInput {
  /** Exactly the file to upload (a uniquified variant, never the original). */
  filePath: string;
  caption: string;
  /** Called at each step, e.g. to heartbeat: `opening upload page`, `publishing`, … */
  onProgress?: (step: string) => void;
}

export interface PlatformAdapter {
  /** The platform's name as used in bulk inputs and search attributes, e.g. `demo`. */
  readonly name: string;
  /** True when the page's context is signed in (its stored session is still valid). */
  isSignedIn(page: Page): Promise<boolean>;
  /** Signs in; throws PlatformError `bad_credentials` (non-retryable) on rejected credentials. */
  signIn(page: Page, credentials: PlatformCredentials): Promise<void>;
  /** A post of this account whose file has this SHA-256, if the platform can tell; lets a retry never post twice. */
  findExistingPost(page: Page, query: { sha256: string; caption: string }): Promise<PublishedPost | null>;
  /** Uploads exactly `filePath` with `caption` and waits for the platform's confirmation. */
  publish(page: Page, input: PublishInput): Promise<PublishedPost>;
}

export const PLATFORM_ERROR_KINDS = ['bad_credentials', 'duplicate', 'rejected', 'unavailable', 'session_expired', 'unexpected'] as const;
export type PlatformErrorKind = (typeof PLATFORM_ERROR_KINDS)[number];

/**
 * Whether a retry of the same step can succeed. `session_expired` is retryable because the
 * next attempt signs in again; `unexpected` because an unknown page state is usually a
 * glitch, and the retry policy bounds it anyway.
 */
export const RETRYABLE_KINDS: Readonly<Record<PlatformErrorKind, boolean>> = {
  bad_credentials: false,
  duplicate: false,
  rejected: false,
  unavailable: true,
  session_expired: true,
  unexpected: true,
};

/** What a platform did wrong, or refused, with a message a person can act on. */
export class PlatformError extends Error {
  readonly platform: string;
  readonly kind: PlatformErrorKind;
  readonly retryable: boolean;

  /** The message reads `<platform>: <detail>`, e.g. `demo: sign-in rejected for user alice: Invalid username or password`. */
  constructor(init: { platform: string; kind: PlatformErrorKind; detail: string; retryable?: boolean; cause?: unknown }) {
    super(`${init.platform}: ${init.detail}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'PlatformError';
    this.platform = init.platform;
    this.kind = init.kind;
    this.retryable = init.retryable ?? RETRYABLE_KINDS[init.kind];
  }
}
