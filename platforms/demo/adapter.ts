/** The adapter for clipfleet's demo platform: the generic form adapter over the demo's data. */
import type { PlatformAdapter } from '../adapter';
import { createFormAdapter, type FormAdapterOptions } from '../form-adapter';
import { demoSite } from './selectors';

/** The demo platform's adapter; `baseUrl` comes from `config.demoPlatform.url`. */
export function createDemoAdapter(options: FormAdapterOptions): PlatformAdapter {
  return createFormAdapter(demoSite, options);
}
