/**
 * What the activities need, handed in rather than imported as singletons, so tests pass
 * their own (a temporary database, a test Redis, a demo platform on a random port).
 */
import type { Config } from '../config';
import type { Orm } from '../database/orm';
import type { SecretBox } from '../database/secrets';
import type { GoogleAPICache } from '../integrations/google/google-api-cache';
import type { LogStore } from '../logs/log-store';
import type { BrowserPool } from '../platforms/browser-pool';
import type { PlatformAdapter } from '../platforms/adapter';
import type { ApiPlatform } from '../platforms/official-api/api-platform';
import type { ConnectionStore } from '../platforms/official-api/connections';
import type { QuotaLedger } from '../platforms/official-api/quota';
import type { ScheduleClock } from '../scheduling/clock';
import type { PacerClient } from '../scheduling/pacer-client';

export interface ActivityDeps {
  orm: Orm;
  logStore: LogStore;
  secrets: SecretBox;
  browserPool: BrowserPool;
  /** The browser adapter for a platform name; throws for an unknown one. */
  platform: (name: string) => PlatformAdapter;
  /** The API platform for a name; throws for an unknown one. */
  apiPlatform: (name: string) => ApiPlatform;
  /** OAuth connections of API accounts: requests as an account. */
  connections: ConnectionStore;
  /** What each platform project spent of its quota, per period. */
  quota: QuotaLedger;
  media: Pick<Config['media'], 'root' | 'variantsDir' | 'artifactsDir' | 'maxVideoBytes'>;
  /** Posting times: the schedule clock, and the account pacers that hand out slots. */
  scheduling: { clock: ScheduleClock; pacer: PacerClient };
  /** Google APIs through the cache: Drive folders as a video source. */
  google: GoogleAPICache;
}
