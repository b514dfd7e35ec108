/**
 * Debug commands for bulks, talking straight to Temporal, the database and Redis:
 *   npm run bulk -- run <input.json>        validate, start, show progress until done
 *   npm run bulk -- status <taskId>         status and per-account progress
 *   npm run bulk -- logs <taskId> [--account <id>]
 */
import fs from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { BulkAlreadyExistsError, readBulkStatus, startBulk } from '../api/bulk-service';
import { bulkLinks } from '../api/links';
import { loadConfig, type Config } from '../config';
import { BulkInputError, parseBulkUploadInput } from '../contracts/bulk-input';
import { openDatabase, type Orm } from '../database/orm';
import { formatConsoleLine } from '../logs/console-format';
import { createLogStore } from '../logs/log-store';
import { MediaError, resolveVideoPath } from '../media';
import { createRedis, waitForRedis } from '../redis/connection';
import type { BulkProgress } from '../workflows/bulk-upload';

const USAGE = 'usage: npm run bulk -- run <input.json> | status <taskId> | logs <taskId> [--account <id>]';

/** A one-line progress bar, redrawn in place on a terminal. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

async function run(config: Config, client: Client, orm: Orm, file: string): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    console.error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  let input;
  try {
    input = parseBulkUploadInput(raw);
    for (const [i, v] of input.videos.entries()) {
      await resolveVideoPath(config.media.root, v.path, config.media.maxVideoBytes).catch((err: unknown) => {
        throw err instanceof MediaError ? new BulkInputError([{ field: `videos.${i}.path`, message: err.message }]) : err;
      });
    }
  } catch (err) {
    if (err instanceof BulkInputError) {
      console.error(`${file}: ${err.message}`);
      return 2;
    }
    throw err;
  }
  try {
    await startBulk(client, config.temporal, input);
  } catch (err) {
    if (err instanceof BulkAlreadyExistsError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const links = bulkLinks(config, input.taskId);
  console.log(`started bulk ${input.taskId}\n  Web UI: ${links.webUi}\n  status: npm run bulk -- status ${input.taskId}`);
  const handle = client.workflow.getHandle(`bulk-upload-${input.taskId}`);
  const tty = process.stdout.isTTY;
  for (;;) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') break;
    const p = await handle.query<BulkProgress>('progress').catch(() => undefined);
    if (p) {
      const line = `${progressBar(p.completed + p.failed + p.cancelled, p.total)} accounts  ${p.completed} completed, ${p.failed} failed, ${p.running.length} running`;
      if (tty) process.stdout.write(`\r${line}\x1b[K`);
      else console.log(line);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  if (tty) process.stdout.write('\n');
  const status = await readBulkStatus(client, orm, input.taskId);
  console.log(`bulk ${input.taskId}: ${status?.status} (${status?.completed} completed, ${status?.failed} failed of ${status?.total})`);
  return status?.status === 'completed' ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, arg, ...rest] = argv;
  if (!command || !arg || !['run', 'status', 'logs'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const orm = await openDatabase(config.database);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  try {
    if (command === 'run') return await run(config, client, orm, arg);
    if (command === 'status') {
      const status = await readBulkStatus(client, orm, arg);
      if (!status) {
        console.error(`no bulk upload with task id "${arg}"`);
        return 1;
      }
      console.log(JSON.stringify({ ...status, links: bulkLinks(config, arg) }, null, 2));
      return 0;
    }
    const accountFlag = rest.indexOf('--account');
    const accountId = accountFlag >= 0 ? rest[accountFlag + 1] : undefined;
    const redis = createRedis(config.redis.url, 'clipfleet-cli');
    await waitForRedis(redis, 1_000);
    try {
      const store = createLogStore({ orm, redis, maxLines: config.redis.logMaxLines, ttlSeconds: config.redis.logTtlSeconds, consoleWrite: null });
      let after: string | undefined;
      for (;;) {
        const { entries, source } = await store.read(arg, { accountId, after, limit: 1_000 });
        if (!after) console.error(`(from ${source})`);
        for (const e of entries) console.log(formatConsoleLine({ ...e, time: new Date(e.time) }));
        if (entries.length < 1_000) break;
        after = entries.at(-1)?.id;
      }
      return 0;
    } finally {
      redis.disconnect();
    }
  } finally {
    await connection.close();
    await orm.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
