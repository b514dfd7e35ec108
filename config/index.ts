/**
 * The one config module: every setting comes from the environment, is validated here, and
 * has a local default. Nothing else in clipfleet reads `process.env`.
 */
import path from 'node:path';
import { z } from 'zod';
import type { ScheduleClockSettings } from '../scheduling/clock';

const ROOT = path.resolve(__dirname, '..');

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const dir = (fallback: string) =>
  z
    .string()
    .min(1)
    .default(fallback)
    .transform((p) => path.resolve(ROOT, p));

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),

  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('bulk-upload'),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),

  /** A workflow bundle built ahead (`npm run build:workflows`): the worker starts without bundling. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),

  /** The schedule clock (scheduling/clock.ts): plan seconds per real second; above 1 only for a rehearsal. */
  SCHEDULE_CLOCK_SPEED: z.coerce.number().min(1).max(1_000_000).default(1),
  /** A rehearsal's plan time at SCHEDULE_CLOCK_ORIGIN, e.g. 2026-11-25T06:00:00+01:00. */
  SCHEDULE_CLOCK_START: z.iso.datetime({ offset: true }).optional(),
  /** The real time at which the rehearsal's plan time was SCHEDULE_CLOCK_START (default: the start itself). */
  SCHEDULE_CLOCK_ORIGIN: z.iso.datetime({ offset: true }).optional(),

  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  LOG_MAX_LINES: positiveInt.default(10_000),
  LOG_TTL_SECONDS: positiveInt.default(7 * 24 * 3600),

  DB_DRIVER: z.enum(['sqlite', 'postgresql']).default('sqlite'),
  /** SQLite file (for sqlite) or database name (for postgresql). */
  DB_NAME: z.string().min(1).default('var/clipfleet.sqlite'),
  /** Full connection URL for server databases, e.g. postgresql://user:pass@host:5432/clipfleet. */
  DATABASE_URL: z.string().optional(),
  /** base64 of 32 random bytes: the key that encrypts account secrets at rest. */
  SECRETS_KEY: z.string().optional(),
  /** Where the generated local key lives when SECRETS_KEY is unset (one machine only). */
  SECRETS_KEY_FILE: dir('var/secrets.key'),

  MEDIA_ROOT: dir('var/media'),
  /** Largest video a bulk may name, in bytes (default 4 GiB). */
  MAX_VIDEO_BYTES: positiveInt.default(4 * 1024 ** 3),
  VARIANTS_DIR: dir('var/variants'),
  ARTIFACTS_DIR: dir('var/artifacts'),
  FFMPEG_PATH: z.string().optional(),
  FFPROBE_PATH: z.string().optional(),

  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  BROWSER_HEADLESS: bool.default(true),
  /** How many browser contexts (accounts) one worker drives at once. */
  BROWSER_CONCURRENCY: positiveInt.default(4),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),
  API_TOKEN: z.string().min(8, 'must be at least 8 characters').default('dev-token-change-me'),
  PUBLIC_API_URL: z.url().optional(),
  /** Signs the dashboard's session cookie; unset = derived from API_TOKEN (rotating the token logs browsers out). */
  SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How long a browser session (the dashboard's cookie) lasts. */
  SESSION_TTL_SECONDS: positiveInt.default(12 * 3600),
  /**
   * How often a live log stream (SSE) looks for new lines when Redis cannot wake it (Redis
   * down, or lines only in the database). Otherwise lines are pushed (XREAD BLOCK, logs/log-tail.ts).
   */
  LOG_STREAM_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(100),

  DEMO_PLATFORM_HOST: z.string().default('127.0.0.1'),
  DEMO_PLATFORM_PORT: port.default(3100),
  DEMO_PLATFORM_URL: z.url().optional(),
  DEMO_PLATFORM_DATA_DIR: dir('var/demo-platform'),
  /** Serve the demo platform from the API process (the embedded default upload target). */
  DEMO_PLATFORM_EMBEDDED: bool.default(true),
  /** Browser platforms: one site file per platform, `<name>.json|.yaml|.yml` (README, "Site files"). `<NAME>_PLATFORM_URL` overrides a site's baseUrl. */
  PLATFORMS_DIR: dir('platforms/sites'),
  /** Where the platform doctor (`npm run platform -- check`) keeps the screenshot and HTML of a page that broke. */
  DOCTOR_DIR: dir('var/doctor'),

  /** Prefix of every API-cache key in Redis (`<prefix>:<service>:<user>:<hash>`). */
  CACHE_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or - only')
    .default('cache'),
  CACHE_TTL_GOOGLE_CALENDAR_EVENTS: positiveInt.default(300),
  CACHE_TTL_GOOGLE_DRIVE_FILES: positiveInt.default(600),
  CACHE_TTL_GOOGLE_SHEETS: positiveInt.default(600),
  CACHE_TTL_HUNTFLOW_CANDIDATES: positiveInt.default(1800),
  CACHE_TTL_HUNTFLOW_VACANCIES: positiveInt.default(3600),
  CACHE_TTL_HUNTFLOW_ACCOUNTS: positiveInt.default(7200),
  /** How long an expired value is kept to serve when the upstream fails; 0 turns grace off. */
  CACHE_GRACE_SECONDS: z.coerce.number().int().min(0).default(86_400),

  /** Where the Google APIs live; a local server in tests. */
  GOOGLE_API_ROOT_URL: z.url().default('https://www.googleapis.com/'),
  GOOGLE_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
  /** OAuth2 user credentials (all three), or a service account key file below. */
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_REFRESH_TOKEN: z.string().optional(),
  GOOGLE_SERVICE_ACCOUNT_KEY_FILE: z.string().optional(),
  /** With a service account and domain-wide delegation: act as the requested user id (an email). */
  GOOGLE_IMPERSONATE_USERS: bool.default(false),

  /** The Google project's OAuth client for YouTube (web application type); YouTube accounts cannot connect without it. */
  YOUTUBE_CLIENT_ID: z.string().optional(),
  YOUTUBE_CLIENT_SECRET: z.string().optional(),
  /** Where consent, tokens and the YouTube Data API live; a local stand-in in tests and the demo. */
  YOUTUBE_AUTH_URL: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
  YOUTUBE_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
  YOUTUBE_API_ROOT_URL: z.url().default('https://www.googleapis.com/'),
  /** The project's daily quota in units, and what one videos.insert costs (Google's documented 10,000 and 1,600). */
  YOUTUBE_QUOTA_BUDGET: positiveInt.default(10_000),
  YOUTUBE_UPLOAD_COST: positiveInt.default(1_600),
  /** Length of a quota period in seconds; unset = Google's day, which ends at midnight Pacific time. */
  YOUTUBE_QUOTA_PERIOD_SECONDS: positiveInt.optional(),
  /** Bytes per resumable-upload request: a multiple of 256 KiB, as the protocol requires. */
  YOUTUBE_CHUNK_BYTES: positiveInt.default(8 * 1024 * 1024).refine((n) => n % (256 * 1024) === 0, 'must be a multiple of 262144 (256 KiB)'),
  /** The TikTok app (Login Kit + Content Posting API); TikTok accounts cannot connect without it. */
  TIKTOK_CLIENT_KEY: z.string().optional(),
  TIKTOK_CLIENT_SECRET: z.string().optional(),
  /** Where consent, tokens and the Content Posting API live; a local stand-in in tests and the demo. */
  TIKTOK_AUTH_URL: z.url().default('https://www.tiktok.com/v2/auth/authorize/'),
  TIKTOK_TOKEN_URL: z.url().default('https://open.tiktokapis.com/v2/oauth/token/'),
  TIKTOK_API_ROOT_URL: z.url().default('https://open.tiktokapis.com/'),
  /** Bytes per chunk: 5-64 MiB, as TikTok's media transfer guide requires (a file under 5 MiB goes whole). */
  TIKTOK_CHUNK_BYTES: positiveInt.default(8 * 1024 * 1024).refine((n) => n >= 5 * 1024 * 1024 && n <= 64 * 1024 * 1024, 'must be between 5242880 (5 MiB) and 67108864 (64 MiB)'),
  /** Video inits per account per window, and the window in seconds (TikTok documents 6 per minute per user token). */
  TIKTOK_INITS_PER_WINDOW: positiveInt.default(6),
  TIKTOK_INIT_WINDOW_SECONDS: positiveInt.default(60),

  /** The Meta app (Facebook Login for Business) for Instagram; Instagram accounts cannot connect without it. */
  INSTAGRAM_APP_ID: z.string().optional(),
  INSTAGRAM_APP_SECRET: z.string().optional(),
  /** Where the login dialog, the Graph API (with its oauth/access_token) and the resumable upload host live. */
  INSTAGRAM_AUTH_URL: z.url().default('https://www.facebook.com/v21.0/dialog/oauth'),
  INSTAGRAM_GRAPH_ROOT_URL: z.url().default('https://graph.facebook.com/'),
  INSTAGRAM_UPLOAD_ROOT_URL: z.url().default('https://rupload.facebook.com/'),
  INSTAGRAM_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must be a Graph API version like v21.0')
    .default('v21.0'),
  /** When an account is at its posts-per-24-hours limit, how long to wait before asking again. */
  INSTAGRAM_LIMIT_RECHECK_SECONDS: positiveInt.default(3600),

  /** How long a consent page may stay open before its `state` is refused. */
  OAUTH_STATE_TTL_SECONDS: positiveInt.default(600),

  HUNTFLOW_BASE_URL: z.url().default('https://api.huntflow.ru/v2'),
  HUNTFLOW_ACCESS_TOKEN: z.string().optional(),
  HUNTFLOW_REFRESH_TOKEN: z.string().optional(),
  /** How many times a 429 is retried, and the longest Retry-After we are willing to wait. */
  HUNTFLOW_MAX_RETRIES: z.coerce.number().int().min(0).default(3),
  HUNTFLOW_MAX_RETRY_AFTER_SECONDS: positiveInt.default(60),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string; workflowBundlePath?: string };
  /** The schedule clock's settings (see scheduling/clock.ts). */
  scheduleClock: ScheduleClockSettings;
  redis: { url: string; logMaxLines: number; logTtlSeconds: number };
  database: { driver: Env['DB_DRIVER']; dbName: string; url?: string; secretsKey?: string; secretsKeyFile: string };
  media: { root: string; variantsDir: string; artifactsDir: string; maxVideoBytes: number; ffmpegPath?: string; ffprobePath?: string };
  browser: { executablePath: string; headless: boolean; concurrency: number };
  api: { host: string; port: number; token: string; publicUrl: string; sessionSecret?: string; sessionTtlSeconds: number; logPollMs: number };
  demoPlatform: { host: string; port: number; url: string; dataDir: string; embedded: boolean };
  /** Browser platforms as site files; `siteUrls` are the `<NAME>_PLATFORM_URL` overrides by platform name. */
  platforms: { dir: string; doctorDir: string; siteUrls: Record<string, string> };
  cache: {
    keyPrefix: string;
    /** TTL in seconds per cached service (see `cache/services.ts`). */
    ttlSeconds: {
      google_calendar_events: number;
      google_drive_files: number;
      google_sheets: number;
      huntflow_candidates: number;
      huntflow_vacancies: number;
      huntflow_accounts: number;
    };
    graceSeconds: number;
  };
  google: {
    rootUrl: string;
    tokenUrl: string;
    oauth?: { clientId: string; clientSecret: string; refreshToken: string };
    serviceAccountKeyFile?: string;
    impersonateUsers: boolean;
  };
  huntflow: { baseUrl: string; accessToken?: string; refreshToken?: string; maxRetries: number; maxRetryAfterSeconds: number };
  youtube: YouTubeConfig;
  tiktok: TikTokConfig;
  instagram: InstagramConfig;
  oauth: { stateTtlSeconds: number };
}

/** TikTok through its Content Posting API (see platforms/tiktok/). */
export interface TikTokConfig {
  /** The app's client key and secret; absent until the operator registers an app. */
  client?: { key: string; secret: string };
  authUrl: string;
  tokenUrl: string;
  /** Ends with `/`: the API is under `v2/`. */
  apiRootUrl: string;
  /** `<PUBLIC_API_URL>/oauth/callback/tiktok` */
  redirectUri: string;
  chunkBytes: number;
  initLimit: { perWindow: number; windowSeconds: number };
}

/** Instagram Reels through Meta's Graph API (see platforms/instagram/). */
export interface InstagramConfig {
  app?: { id: string; secret: string };
  authUrl: string;
  /** Ends with `/`; the API is under `<version>/`. */
  graphRootUrl: string;
  /** Ends with `/`: resumable uploads go to `ig-api-upload/<version>/<container>` here. */
  uploadRootUrl: string;
  version: string;
  /** `<PUBLIC_API_URL>/oauth/callback/instagram` */
  redirectUri: string;
  limitRecheckSeconds: number;
}

/** YouTube through its Data API (see platforms/youtube/). */
export interface YouTubeConfig {
  /** The OAuth client; absent until the operator registers one (then YouTube accounts cannot connect). */
  client?: { id: string; secret: string };
  authUrl: string;
  tokenUrl: string;
  /** Ends with `/`: the Data API is under `youtube/v3/`, uploads under `upload/youtube/v3/`. */
  apiRootUrl: string;
  /** Where the provider sends the person back after consent: `<PUBLIC_API_URL>/oauth/callback/youtube`. */
  redirectUri: string;
  quota: { budget: number; uploadCost: number; periodSeconds?: number };
  chunkBytes: number;
}

/** Raised when the environment holds a bad value; names each variable and what is wrong. */
export class ConfigError extends Error {
  constructor(issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Reads and validates the configuration (from `process.env` unless another source is given). */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  // Half a set of OAuth2 credentials is a typo, not a choice: say which part is missing.
  const oauthParts = { GOOGLE_CLIENT_ID: e.GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET: e.GOOGLE_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN: e.GOOGLE_REFRESH_TOKEN };
  const oauthMissing = Object.entries(oauthParts)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (oauthMissing.length > 0 && oauthMissing.length < 3) {
    throw new ConfigError(oauthMissing.map((k) => `${k}: required with the other Google OAuth2 settings`));
  }
  if (Boolean(e.YOUTUBE_CLIENT_ID) !== Boolean(e.YOUTUBE_CLIENT_SECRET)) {
    throw new ConfigError([e.YOUTUBE_CLIENT_ID ? 'YOUTUBE_CLIENT_SECRET: required with YOUTUBE_CLIENT_ID' : 'YOUTUBE_CLIENT_ID: required with YOUTUBE_CLIENT_SECRET']);
  }
  for (const [a, b] of [
    ['TIKTOK_CLIENT_KEY', 'TIKTOK_CLIENT_SECRET'],
    ['INSTAGRAM_APP_ID', 'INSTAGRAM_APP_SECRET'],
  ] as const) {
    if (Boolean(e[a]) !== Boolean(e[b])) throw new ConfigError([e[a] ? `${b}: required with ${a}` : `${a}: required with ${b}`]);
  }
  if (e.YOUTUBE_UPLOAD_COST > e.YOUTUBE_QUOTA_BUDGET) {
    throw new ConfigError([`YOUTUBE_UPLOAD_COST: ${e.YOUTUBE_UPLOAD_COST} is more than YOUTUBE_QUOTA_BUDGET (${e.YOUTUBE_QUOTA_BUDGET}): no upload could ever fit`]);
  }
  // `ACME_SHOP_PLATFORM_URL` is the base URL of site `acme-shop`: names cannot be spelled
  // as variables, so every such variable is read, and the site loader picks its own.
  const siteUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(cleaned)) {
    const prefix = /^([A-Z][A-Z0-9_]*)_PLATFORM_URL$/.exec(key)?.[1];
    if (!prefix || value === undefined) continue;
    if (!z.url({ protocol: /^https?$/ }).safeParse(value).success) throw new ConfigError([`${key}: must be an http(s) URL`]);
    siteUrls[prefix.toLowerCase().replaceAll('_', '-')] = value.replace(/\/$/, '');
  }
  if (e.SCHEDULE_CLOCK_SPEED !== 1 && !e.SCHEDULE_CLOCK_START)
    throw new ConfigError(['SCHEDULE_CLOCK_START: must be set when SCHEDULE_CLOCK_SPEED is not 1 (the plan time the rehearsal starts at)']);
  const publicUrl = (e.PUBLIC_API_URL ?? `http://${e.API_HOST}:${e.API_PORT}`).replace(/\/$/, '');
  const dbName = e.DB_DRIVER === 'sqlite' ? path.resolve(ROOT, e.DB_NAME) : e.DB_NAME;
  return {
    env: e.NODE_ENV,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL.replace(/\/$/, ''),
      ...(e.WORKFLOW_BUNDLE_PATH ? { workflowBundlePath: path.resolve(ROOT, e.WORKFLOW_BUNDLE_PATH) } : {}),
    },
    scheduleClock: {
      speed: e.SCHEDULE_CLOCK_SPEED,
      ...(e.SCHEDULE_CLOCK_START ? { start: Date.parse(e.SCHEDULE_CLOCK_START), origin: Date.parse(e.SCHEDULE_CLOCK_ORIGIN ?? e.SCHEDULE_CLOCK_START) } : {}),
      ...(!e.SCHEDULE_CLOCK_START && e.SCHEDULE_CLOCK_ORIGIN ? { origin: Date.parse(e.SCHEDULE_CLOCK_ORIGIN) } : {}),
    },
    redis: { url: e.REDIS_URL, logMaxLines: e.LOG_MAX_LINES, logTtlSeconds: e.LOG_TTL_SECONDS },
    database: { driver: e.DB_DRIVER, dbName, url: e.DATABASE_URL, secretsKey: e.SECRETS_KEY, secretsKeyFile: e.SECRETS_KEY_FILE },
    media: {
      root: e.MEDIA_ROOT,
      variantsDir: e.VARIANTS_DIR,
      artifactsDir: e.ARTIFACTS_DIR,
      maxVideoBytes: e.MAX_VIDEO_BYTES,
      ffmpegPath: e.FFMPEG_PATH,
      ffprobePath: e.FFPROBE_PATH,
    },
    browser: { executablePath: e.CHROMIUM_PATH, headless: e.BROWSER_HEADLESS, concurrency: e.BROWSER_CONCURRENCY },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      token: e.API_TOKEN,
      publicUrl,
      sessionSecret: e.SESSION_SECRET,
      sessionTtlSeconds: e.SESSION_TTL_SECONDS,
      logPollMs: e.LOG_STREAM_POLL_MS,
    },
    demoPlatform: {
      host: e.DEMO_PLATFORM_HOST,
      port: e.DEMO_PLATFORM_PORT,
      url: (e.DEMO_PLATFORM_URL ?? `http://${e.DEMO_PLATFORM_HOST}:${e.DEMO_PLATFORM_PORT}`).replace(/\/$/, ''),
      dataDir: e.DEMO_PLATFORM_DATA_DIR,
      embedded: e.DEMO_PLATFORM_EMBEDDED,
    },
    platforms: { dir: e.PLATFORMS_DIR, doctorDir: e.DOCTOR_DIR, siteUrls },
    cache: {
      keyPrefix: e.CACHE_KEY_PREFIX,
      ttlSeconds: {
        google_calendar_events: e.CACHE_TTL_GOOGLE_CALENDAR_EVENTS,
        google_drive_files: e.CACHE_TTL_GOOGLE_DRIVE_FILES,
        google_sheets: e.CACHE_TTL_GOOGLE_SHEETS,
        huntflow_candidates: e.CACHE_TTL_HUNTFLOW_CANDIDATES,
        huntflow_vacancies: e.CACHE_TTL_HUNTFLOW_VACANCIES,
        huntflow_accounts: e.CACHE_TTL_HUNTFLOW_ACCOUNTS,
      },
      graceSeconds: e.CACHE_GRACE_SECONDS,
    },
    google: {
      rootUrl: e.GOOGLE_API_ROOT_URL.endsWith('/') ? e.GOOGLE_API_ROOT_URL : `${e.GOOGLE_API_ROOT_URL}/`,
      tokenUrl: e.GOOGLE_TOKEN_URL,
      oauth:
        e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET && e.GOOGLE_REFRESH_TOKEN
          ? { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET, refreshToken: e.GOOGLE_REFRESH_TOKEN }
          : undefined,
      serviceAccountKeyFile: e.GOOGLE_SERVICE_ACCOUNT_KEY_FILE ? path.resolve(ROOT, e.GOOGLE_SERVICE_ACCOUNT_KEY_FILE) : undefined,
      impersonateUsers: e.GOOGLE_IMPERSONATE_USERS,
    },
    huntflow: {
      baseUrl: e.HUNTFLOW_BASE_URL.replace(/\/$/, ''),
      accessToken: e.HUNTFLOW_ACCESS_TOKEN,
      refreshToken: e.HUNTFLOW_REFRESH_TOKEN,
      maxRetries: e.HUNTFLOW_MAX_RETRIES,
      maxRetryAfterSeconds: e.HUNTFLOW_MAX_RETRY_AFTER_SECONDS,
    },
    youtube: {
      client: e.YOUTUBE_CLIENT_ID && e.YOUTUBE_CLIENT_SECRET ? { id: e.YOUTUBE_CLIENT_ID, secret: e.YOUTUBE_CLIENT_SECRET } : undefined,
      authUrl: e.YOUTUBE_AUTH_URL,
      tokenUrl: e.YOUTUBE_TOKEN_URL,
      apiRootUrl: e.YOUTUBE_API_ROOT_URL.endsWith('/') ? e.YOUTUBE_API_ROOT_URL : `${e.YOUTUBE_API_ROOT_URL}/`,
      redirectUri: `${publicUrl}/oauth/callback/youtube`,
      quota: { budget: e.YOUTUBE_QUOTA_BUDGET, uploadCost: e.YOUTUBE_UPLOAD_COST, ...(e.YOUTUBE_QUOTA_PERIOD_SECONDS ? { periodSeconds: e.YOUTUBE_QUOTA_PERIOD_SECONDS } : {}) },
      chunkBytes: e.YOUTUBE_CHUNK_BYTES,
    },
    tiktok: {
      client: e.TIKTOK_CLIENT_KEY && e.TIKTOK_CLIENT_SECRET ? { key: e.TIKTOK_CLIENT_KEY, secret: e.TIKTOK_CLIENT_SECRET } : undefined,
      authUrl: e.TIKTOK_AUTH_URL,
      tokenUrl: e.TIKTOK_TOKEN_URL,
      apiRootUrl: withSlash(e.TIKTOK_API_ROOT_URL),
      redirectUri: `${publicUrl}/oauth/callback/tiktok`,
      chunkBytes: e.TIKTOK_CHUNK_BYTES,
      initLimit: { perWindow: e.TIKTOK_INITS_PER_WINDOW, windowSeconds: e.TIKTOK_INIT_WINDOW_SECONDS },
    },
    instagram: {
      app: e.INSTAGRAM_APP_ID && e.INSTAGRAM_APP_SECRET ? { id: e.INSTAGRAM_APP_ID, secret: e.INSTAGRAM_APP_SECRET } : undefined,
      authUrl: e.INSTAGRAM_AUTH_URL,
      graphRootUrl: withSlash(e.INSTAGRAM_GRAPH_ROOT_URL),
      uploadRootUrl: withSlash(e.INSTAGRAM_UPLOAD_ROOT_URL),
      version: e.INSTAGRAM_GRAPH_VERSION,
      redirectUri: `${publicUrl}/oauth/callback/instagram`,
      limitRecheckSeconds: e.INSTAGRAM_LIMIT_RECHECK_SECONDS,
    },
    oauth: { stateTtlSeconds: e.OAUTH_STATE_TTL_SECONDS },
  };
}
