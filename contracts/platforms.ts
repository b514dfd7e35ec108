/**
 * Which platforms exist and of which kind: `browser` (a site driven through Chromium) or
 * `api` (the provider's official upload API, accounts connected with OAuth). Free of Node
 * modules: the AccountUpload workflow picks its upload activity by kind from this list.
 */
export const PLATFORM_KINDS = {
  demo: 'browser',
  youtube: 'api',
} as const satisfies Record<string, PlatformKind>;

export type PlatformKind = 'browser' | 'api';
export type PlatformName = keyof typeof PLATFORM_KINDS;

/** Every platform name a bulk may target. */
export const PLATFORM_NAMES = Object.keys(PLATFORM_KINDS) as PlatformName[];

/** True for a platform clipfleet can publish to. */
export function isKnownPlatform(name: string): name is PlatformName {
  return Object.hasOwn(PLATFORM_KINDS, name);
}

/** The kind of a platform, or undefined for an unknown name. */
export function platformKind(name: string): PlatformKind | undefined {
  return isKnownPlatform(name) ? PLATFORM_KINDS[name] : undefined;
}
