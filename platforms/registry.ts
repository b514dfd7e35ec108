/** Platform adapters by name: the one place that knows which platforms exist. */
import type { PlatformAdapter } from './adapter';
import { createDemoAdapter } from './demo/adapter';

export interface PlatformRegistryOptions {
  /** Where the demo platform answers (`config.demoPlatform.url`). */
  demoPlatformUrl: string;
}

const FACTORIES: Record<string, (options: PlatformRegistryOptions) => PlatformAdapter> = {
  demo: (o) => createDemoAdapter({ baseUrl: o.demoPlatformUrl }),
};

/** Every platform name `getPlatformAdapter` accepts. */
export const PLATFORM_NAMES: readonly string[] = Object.keys(FACTORIES);

/** Raised for a platform name no adapter exists for; a retry cannot fix it. */
export class UnknownPlatformError extends Error {
  constructor(readonly platform: string) {
    super(`unknown platform "${platform}"; known platforms: ${PLATFORM_NAMES.join(', ')}`);
    this.name = 'UnknownPlatformError';
  }
}

/** True when `getPlatformAdapter(name)` would succeed; lets inputs be validated up front. */
export function isKnownPlatform(name: string): boolean {
  return Object.hasOwn(FACTORIES, name);
}

/** The adapter for a platform name; throws UnknownPlatformError for any other name. */
export function getPlatformAdapter(name: string, options: PlatformRegistryOptions): PlatformAdapter {
  const factory = isKnownPlatform(name) ? FACTORIES[name] : undefined;
  if (!factory) throw new UnknownPlatformError(name);
  return factory(options);
}
