/**
 * A platform described as data: where its pages are, which elements to fill and click, how
 * it marks success, and how its visible errors map to PlatformError kinds. A platform with
 * an ordinary sign-in form and upload form needs only one of these (see demo/selectors.ts).
 */
import type { PlatformErrorKind } from './adapter';

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
