/**
 * Platforms by name: the one place that builds them. The API platforms are the fixed list
 * in `contracts/platforms.ts` and talk to the provider's upload API; the browser platforms
 * are the site files loaded from PLATFORMS_DIR (`site-files.ts`), each driven through
 * Chromium by the form adapter.
 */
import type { Config, InstagramConfig, TikTokConfig, YouTubeConfig } from '../config';
import { knownPlatformNames, platformKind } from '../contracts/platforms';
import type { PlatformAdapter } from './adapter';
import type { ApiPlatform } from './official-api/api-platform';
import { createFormAdapter } from './form-adapter';
import { loadBrowserSites, type BrowserSites } from './site-files';
import { createYouTubePlatform } from './youtube/youtube';
import { createTikTokPlatform } from './tiktok/tiktok';
import { createInstagramPlatform } from './instagram/instagram';

export { isKnownPlatform, knownPlatformNames, platformKind } from '../contracts/platforms';

export interface PlatformRegistryOptions {
  /** The browser platforms: the site files read from PLATFORMS_DIR, each with its base URL. */
  sites: BrowserSites;
  youtube?: YouTubeConfig;
  tiktok?: TikTokConfig;
  instagram?: InstagramConfig;
}

/** Where each platform lives, from the configuration; reads the site files (a bad one throws SiteFileError). */
export function platformOptions(config: Pick<Config, 'platforms' | 'demoPlatform' | 'youtube' | 'tiktok' | 'instagram'>): PlatformRegistryOptions {
  return { sites: loadBrowserSites(config), youtube: config.youtube, tiktok: config.tiktok, instagram: config.instagram };
}

const API: Record<string, (options: PlatformRegistryOptions) => ApiPlatform> = {
  youtube: (o) => createYouTubePlatform(required(o.youtube, 'youtube')),
  tiktok: (o) => createTikTokPlatform(required(o.tiktok, 'tiktok')),
  instagram: (o) => createInstagramPlatform(required(o.instagram, 'instagram')),
};

function required<T>(settings: T | undefined, name: string): T {
  if (!settings) throw new Error(`the platform registry was built without the ${name} settings`);
  return settings;
}

/** Raised for a platform name no adapter exists for; a retry cannot fix it. */
export class UnknownPlatformError extends Error {
  constructor(
    readonly platform: string,
    detail = 'a browser platform needs a site file in PLATFORMS_DIR',
  ) {
    super(`unknown platform "${platform}"; ${detail}`);
    this.name = 'UnknownPlatformError';
  }
}

/** What an unknown name is told: the names there are, and where a new browser platform goes. */
function knownDetail(options: PlatformRegistryOptions): string {
  return `known platforms: ${knownPlatformNames(options.sites).join(', ')}; a browser platform needs a site file in PLATFORMS_DIR`;
}

/** The browser adapter for a platform name (its site file); throws UnknownPlatformError for any other name. */
export function getPlatformAdapter(name: string, options: PlatformRegistryOptions): PlatformAdapter {
  const loaded = platformKind(name) === 'browser' ? options.sites.get(name) : undefined;
  if (!loaded) throw new UnknownPlatformError(name, platformKind(name) === 'api' ? 'it is an API platform, not a browser one' : knownDetail(options));
  return createFormAdapter(loaded.site, { baseUrl: loaded.baseUrl });
}

/** The API platform for a name; throws UnknownPlatformError for any other name. */
export function getApiPlatform(name: string, options: PlatformRegistryOptions): ApiPlatform {
  const factory = platformKind(name) === 'api' ? API[name] : undefined;
  if (!factory) throw new UnknownPlatformError(name, options.sites.has(name) ? 'it is a browser platform, not an API one' : knownDetail(options));
  return factory(options);
}
