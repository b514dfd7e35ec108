import type { Client } from '@temporalio/client';
import type { BulkService } from '../bulks';
import type { Config } from '../config';
import type { Orm } from '../database/orm';
import type { SecretBox } from '../database/secrets';
import type { LogStore } from '../logs/log-store';
import type { BrowserPool } from '../platforms/browser-pool';
import type { ConnectionStore } from '../platforms/official-api/connections';
import type { CacheClients } from '../runtime';

/** What the HTTP API needs; handed in so tests can build the app on their own services. */
export interface ApiDeps {
  config: Pick<Config, 'temporal' | 'media' | 'api' | 'youtube' | 'tiktok' | 'instagram' | 'demoPlatform' | 'platforms' | 'browser' | 'scheduleClock'>;
  temporal: Client;
  orm: Orm;
  logStore: LogStore;
  secrets: SecretBox;
  /** The bulk use cases: admit, start, status, list, cancel, retry. */
  bulks: BulkService;
  /** The API cache and the Google and Huntflow clients behind it. */
  cache: CacheClients;
  /** OAuth connections of API accounts (YouTube): connect and callback. */
  connections: ConnectionStore;
  /** The Chromium of "check sign-in" (`createSignInBrowsers`): one per process, closed with it. */
  signInBrowsers: BrowserPool;
}
