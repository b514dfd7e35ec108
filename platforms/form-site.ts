/**
 * A platform described as data: where its pages are, which elements to fill and click, how
 * it marks success, and how its visible errors map to PlatformError kinds. A platform with
 * an ordinary sign-in form and upload form needs only one of these, kept as a site file in
 * PLATFORMS_DIR (see site-files.ts and sites/demo.json). `FormSiteSchema` is the contract
 * such a file is checked against; `FormSite` is what the form adapter reads.
 */
import { z } from 'zod';
import { PLATFORM_ERROR_KINDS, type PlatformErrorKind } from './adapter';

export interface FormSite {
  /** The platform's name, e.g. `demo`; prefixes every error message. */
  name: string;
  /** Paths under the base URL. */
  paths: {
    login: string;
    upload: string;
    /** The signed-in account's own posts. */
    posts: string;
  };
  /** Playwright selectors. */
  selectors: {
    usernameInput: string;
    passwordInput: string;
    submit: string;
    otpInput: string;
    otpSubmit: string;
    /** Present on every page while signed in: how a page says "this context has a session". */
    signedInMarker: string;
    fileInput: string;
    captionInput: string;
    publishButton: string;
    /** The confirmation after publishing; carries the post id and URL attributes. */
    publishedMarker: string;
    /** The element a page shows its error message in. */
    errorMessage: string;
    /** One post in the account's post list; carries the post id and URL attributes. */
    postItem: string;
    /** Inside a post item: its caption, for platforms that do not expose a file hash. */
    postCaption?: string;
  };
  /** Attributes on `publishedMarker` and `postItem`. */
  attributes: {
    postId: string;
    postUrl: string;
    /** The post's file SHA-256, when the platform exposes it: the surest way to find an earlier post. */
    sha256?: string;
  };
  /** Visible error texts (case-insensitive substrings), first match wins. */
  errors: ReadonlyArray<{ text: string; kind: PlatformErrorKind }>;
}

/** A platform name: also a file name and, upper-cased with `_` for `-`, an environment variable's prefix. */
export const SITE_NAME = /^[a-z][a-z0-9-]{0,31}$/;

const text = z.string().trim().min(1);
const pagePath = text.regex(/^\//, 'must be a path starting with "/"');

/**
 * A FormSite as written in a file. Strict at every level: a misspelt key (`fileinput`) is
 * an error, not a silently missing selector.
 */
export const FormSiteSchema = z.strictObject({
  name: z.string().regex(SITE_NAME, 'must be 1-32 lowercase letters, digits or "-", starting with a letter'),
  paths: z.strictObject({ login: pagePath, upload: pagePath, posts: pagePath }),
  selectors: z.strictObject({
    usernameInput: text,
    passwordInput: text,
    submit: text,
    otpInput: text,
    otpSubmit: text,
    signedInMarker: text,
    fileInput: text,
    captionInput: text,
    publishButton: text,
    publishedMarker: text,
    errorMessage: text,
    postItem: text,
    postCaption: text.optional(),
  }),
  attributes: z.strictObject({ postId: text, postUrl: text, sha256: text.optional() }),
  errors: z.array(z.strictObject({ text, kind: z.enum(PLATFORM_ERROR_KINDS) })),
}) satisfies z.ZodType<FormSite>;
