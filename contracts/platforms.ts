/**
 * Which platforms exist and of which kind: `api` (the provider's official upload API,
 * accounts connected with OAuth) or `browser` (a site driven through Chromium). The API
 * platforms are the fixed list below; a browser platform is a site file in PLATFORMS_DIR
 * (platforms/site-files.ts), so only a process that loaded those files can tell a browser
 * platform from an unknown name. Free of Node modules: the AccountUpload workflow picks its
 * upload activity with `platformKind`, which needs no file (admission or registerTask has
 * refused an unknown name before any upload).
 */
export const API_PLATFORM_NAMES = ['youtube', 'tiktok', 'instagram'] as const;

export type ApiPlatformName = (typeof API_PLATFORM_NAMES)[number];
export type PlatformKind = 'browser' | 'api';

/** The browser platforms a process loaded, by name (the loaded sites' map, or a set of names). */
export interface BrowserPlatformNames {
  has(name: string): boolean;
  keys(): Iterable<string>;
}

/** True for youtube, tiktok and instagram. */
export function isApiPlatform(name: string): name is ApiPlatformName {
  return (API_PLATFORM_NAMES as readonly string[]).includes(name);
}

/** The kind of a platform: `api` for the API platforms, `browser` for any other name. */
export function platformKind(name: string): PlatformKind {
  return isApiPlatform(name) ? 'api' : 'browser';
}

/** True for a platform clipfleet can publish to: an API platform, or a browser platform with a loaded site. */
export function isKnownPlatform(name: string, browser: BrowserPlatformNames): boolean {
  return isApiPlatform(name) || browser.has(name);
}

/** Every platform name a bulk may target: the browser sites (sorted), then the API platforms. */
export function knownPlatformNames(browser: BrowserPlatformNames): string[] {
  return [...[...browser.keys()].sort(), ...API_PLATFORM_NAMES];
}
