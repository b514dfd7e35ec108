/**
 * Platforms by name: the one place that builds them. Which platforms exist, and of which
 * kind, is `contracts/platforms.ts`; browser platforms are adapters driven through Chromium,
 * API platforms talk to the provider's upload API.
 */
import type { Config, YouTubeConfig } from '../config';
import { PLATFORM_NAMES, isKnownPlatform, platformKind } from '../contracts/platforms';
import type { PlatformAdapter } from './adapter';
import type { ApiPlatform } from './official-api/api-platform';
import { createDemoAdapter } from './demo/adapter';
import { createYouTubePlatform } from './youtube/youtube';

export { PLATFORM_NAMES, isKnownPlatform, platformKind } from '../contracts/platforms';

export interface PlatformRegistryOptions {
  /** Where the demo platform answers (`config.demoPlatform.url`). */
  demoPlatformUrl: string;
  youtube?: YouTubeConfig;
}

/** Where each platform lives, from the configuration. */
export function platformOptions(config: Pick<Config, 'demoPlatform' | 'youtube'>): PlatformRegistryOptions {
  return { demoPlatformUrl: config.demoPlatform.url, youtube: config.youtube };
}

const BROWSER: Record<string, (options: PlatformRegistryOptions) => PlatformAdapter> = {
  demo: (o) => createDemoAdapter({ baseUrl: o.demoPlatformUrl }),
};

const API: Record<string, (options: PlatformRegistryOptions) => ApiPlatform> = {
  youtube: (o) => createYouTubePlatform(required(o.youtube, 'youtube')),
};

function required<T>(settings: T | undefined, name: string): T {
  if (!settings) throw new Error(`the platform registry was built without the ${name} settings`);
  return settings;
}

/** Raised for a platform name no adapter exists for; a retry cannot fix it. */
export class UnknownPlatformError extends Error {
  constructor(
    readonly platform: string,
    detail = `known platforms: ${PLATFORM_NAMES.join(', ')}`,
  ) {
    super(`unknown platform "${platform}"; ${detail}`);
    this.name = 'UnknownPlatformError';
  }
}

/** The browser adapter for a platform name; throws UnknownPlatformError for any other name. */
export function getPlatformAdapter(name: string, options: PlatformRegistryOptions): PlatformAdapter {
  const factory = platformKind(name) === 'browser' ? BROWSER[name] : undefined;
  if (!factory) throw new UnknownPlatformError(name, isKnownPlatform(name) ? 'it is an API platform, not a browser one' : undefined);
  return factory(options);
}

/** The API platform for a name; throws UnknownPlatformError for any other name. */
export function getApiPlatform(name: string, options: PlatformRegistryOptions): ApiPlatform {
  const factory = platformKind(name) === 'api' ? API[name] : undefined;
  if (!factory) throw new UnknownPlatformError(name, isKnownPlatform(name) ? 'it is a browser platform, not an API one' : undefined);
  return factory(options);
}
