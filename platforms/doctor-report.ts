/**
 * What the platform doctor (`npm run platform -- check`, `POST /platforms/{platform}/check`)
 * reports: one line per step it tried, so an operator sees exactly what changed on a site,
 * or what an API platform's connection can and cannot do.
 */

/** One step of a check: a page reached, a selector found, a token refreshed, a limit read. */
export interface DoctorStep {
  /** e.g. `sign-in page`, `selector usernameInput`, `token refresh`, `creator info`. */
  name: string;
  ok: boolean;
  /** What was found or what is wrong, in words an operator can act on. */
  detail: string;
  /** For a browser step that broke: the screenshot and the page's HTML at that moment. */
  screenshotPath?: string;
  htmlPath?: string;
}

/** The whole check of one account on one platform; `ok` only when every step is. */
export interface DoctorReport {
  platform: string;
  accountId: string;
  kind: 'browser' | 'api';
  ok: boolean;
  steps: DoctorStep[];
  /** Nothing was published: the check stops before the publish button / the post call. */
  published: false;
}
