/**
 * The one config module: every setting comes from the environment, is validated here, and
 * has a local default. Nothing else in clipfleet reads `process.env`.
 */
import path from 'node:path';
import { z } from 'zod';

const ROOT = path.resolve(__dirname, '..');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
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

  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
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

  DEMO_PLATFORM_HOST: z.string().default('127.0.0.1'),
  DEMO_PLATFORM_PORT: port.default(3100),
  DEMO_PLATFORM_URL: z.url().optional(),
  DEMO_PLATFORM_DATA_DIR: dir('var/demo-platform'),
  /** Serve the demo platform from the API process (the embedded default upload target). */
  DEMO_PLATFORM_EMBEDDED: bool.default(true),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string };
  redis: { url: string; logMaxLines: number; logTtlSeconds: number };
  database: { driver: Env['DB_DRIVER']; dbName: string; url?: string; secretsKey?: string; secretsKeyFile: string };
  media: { root: string; variantsDir: string; artifactsDir: string; ffmpegPath?: string; ffprobePath?: string };
  browser: { executablePath: string; headless: boolean; concurrency: number };
  api: { host: string; port: number; token: string; publicUrl: string };
  demoPlatform: { host: string; port: number; url: string; dataDir: string; embedded: boolean };
}

/** Raised when the environment holds a bad value; names each variable and what is wrong. */
export class ConfigError extends Error {
  constructor(issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration (from `process.env` unless another source is given). */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const dbName = e.DB_DRIVER === 'sqlite' ? path.resolve(ROOT, e.DB_NAME) : e.DB_NAME;
  return {
    env: e.NODE_ENV,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE, uiUrl: e.TEMPORAL_UI_URL.replace(/\/$/, '') },
    redis: { url: e.REDIS_URL, logMaxLines: e.LOG_MAX_LINES, logTtlSeconds: e.LOG_TTL_SECONDS },
    database: { driver: e.DB_DRIVER, dbName, url: e.DATABASE_URL, secretsKey: e.SECRETS_KEY, secretsKeyFile: e.SECRETS_KEY_FILE },
    media: { root: e.MEDIA_ROOT, variantsDir: e.VARIANTS_DIR, artifactsDir: e.ARTIFACTS_DIR, ffmpegPath: e.FFMPEG_PATH, ffprobePath: e.FFPROBE_PATH },
    browser: { executablePath: e.CHROMIUM_PATH, headless: e.BROWSER_HEADLESS, concurrency: e.BROWSER_CONCURRENCY },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      token: e.API_TOKEN,
      publicUrl: (e.PUBLIC_API_URL ?? `http://${e.API_HOST}:${e.API_PORT}`).replace(/\/$/, ''),
    },
    demoPlatform: {
      host: e.DEMO_PLATFORM_HOST,
      port: e.DEMO_PLATFORM_PORT,
      url: (e.DEMO_PLATFORM_URL ?? `http://${e.DEMO_PLATFORM_HOST}:${e.DEMO_PLATFORM_PORT}`).replace(/\/$/, ''),
      dataDir: e.DEMO_PLATFORM_DATA_DIR,
      embedded: e.DEMO_PLATFORM_EMBEDDED,
    },
  };
}
