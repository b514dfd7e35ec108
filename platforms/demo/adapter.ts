/** The adapter for clipfleet's demo platform: the generic form adapter over the demo's site file. */
import path from 'node:path';
import type { PlatformAdapter } from '../adapter';
import { createFormAdapter, type FormAdapterOptions } from '../form-adapter';
import { readSiteFile } from '../site-files';

/** The demo's site file as shipped: the default PLATFORMS_DIR holds it. */
export const DEMO_SITE_FILE = path.join(__dirname, '..', 'sites', 'demo.json');

/**
 * The demo platform's adapter at `options.baseUrl`, from the shipped site file, for tests and
 * benchmarks that start a demo server of their own. Processes reach the demo through the
 * registry, which reads PLATFORMS_DIR.
 */
export function createDemoAdapter(options: FormAdapterOptions): PlatformAdapter {
  return createFormAdapter(readSiteFile(DEMO_SITE_FILE, { demo: options.baseUrl }).site, options);
}
