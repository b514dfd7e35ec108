/**
 * The API cache from a terminal, talking straight to Redis:
 *   npm run cache:stats [-- --json]
 *   npm run cache:clear -- --confirm [--service <name> [--user <id>]]
 * `cache:clear` without `--confirm` changes nothing and exits with 2, like every usage error.
 */
import { parseArgs } from 'node:util';
import { CacheServiceSchema, CacheUnavailableError, CacheUserIdSchema, createCacheService, type CacheStats } from '../cache';
import { loadConfig } from '../config';
import { createRedis, waitForRedis } from '../redis/connection';

const USAGE = 'usage: npm run cache:stats [-- --json] | npm run cache:clear -- --confirm [--service <name> [--user <id>]]';

/** The stats as a person reads them. */
export function formatStats(s: CacheStats): string {
  const rows = Object.entries(s.services).map(([name, v]) => {
    const total = v.hits + v.misses;
    const rate = total ? `${Math.round((v.hits / total) * 100)}%` : '-';
    return `  ${name.padEnd(24)} ${String(v.keys).padStart(6)} ${String(v.hits).padStart(8)} ${String(v.misses).padStart(8)} ${rate.padStart(6)} ${String(v.ttlSeconds).padStart(7)}s`;
  });
  return [
    `total keys: ${s.totalKeys}`,
    `  ${'service'.padEnd(24)} ${'keys'.padStart(6)} ${'hits'.padStart(8)} ${'misses'.padStart(8)} ${'hit%'.padStart(6)} ${'ttl'.padStart(8)}`,
    ...rows,
    `oldest entry: ${s.oldest ? `${s.oldest.storedAt}  ${s.oldest.key}` : '-'}`,
    `newest entry: ${s.newest ? `${s.newest.storedAt}  ${s.newest.key}` : '-'}`,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let args;
  try {
    args = parseArgs({ args: rest, options: { confirm: { type: 'boolean' }, json: { type: 'boolean' }, service: { type: 'string' }, user: { type: 'string' } } }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (command !== 'stats' && command !== 'clear') {
    console.error(USAGE);
    return 2;
  }
  const service = args.service === undefined ? undefined : CacheServiceSchema.safeParse(args.service);
  if (service && !service.success) {
    console.error(`--service: unknown service "${args.service}"; one of ${CacheServiceSchema.options.join(', ')}`);
    return 2;
  }
  const user = args.user === undefined ? undefined : CacheUserIdSchema.safeParse(args.user);
  if (user && (!user.success || !service)) {
    console.error(`--user: ${user.success ? 'needs --service too' : (user.error.issues[0]?.message ?? 'invalid')}`);
    return 2;
  }
  if (command === 'clear' && !args.confirm) {
    console.error(`refusing to clear the cache without --confirm (nothing was changed)\n${USAGE}`);
    return 2;
  }

  const config = loadConfig();
  const redis = createRedis(config.redis.url, 'clipfleet-cache-cli');
  try {
    if (!(await waitForRedis(redis))) {
      console.error(`Redis does not answer on ${config.redis.url}`);
      return 1;
    }
    const cache = createCacheService(config, redis);
    if (command === 'stats') {
      const stats = await cache.stats();
      console.log(args.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
      return 0;
    }
    const deleted = service?.data ? await cache.invalidateService(service.data, user?.data) : await cache.clear();
    const scope = service?.data ? `${service.data}${user?.data ? ` of ${user.data}` : ''}` : 'all services (hit/miss counters reset)';
    console.log(`cleared ${deleted} key(s): ${scope}`);
    return 0;
  } catch (err) {
    if (err instanceof CacheUnavailableError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
}
