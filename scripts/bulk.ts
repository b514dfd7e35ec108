/**
 * Debug commands for bulks, talking straight to Temporal, the database and Redis:
 *   npm run bulk -- run <input.json> [--task-id <id>]   check, start, show progress until done
 *   npm run bulk -- status <taskId>         status and per-account progress
 *   npm run bulk -- logs <taskId> [--account <id>]
 * `run` admits a bulk exactly as `POST /bulk-uploads` does: bad input exits with 2 and
 * names each field.
 */
import fs from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { BulkConflictError, BulkInputError, type BulkService } from '../bulks';
import { loadConfig, type Config } from '../config';
import { bulkLinks } from '../bulks/links';
import { formatConsoleLine } from '../logs/console-format';
import { bulkService, connectTemporal, openServices, type Services } from '../runtime';
import { progressQuery } from '../workflows/bulk-upload';

const USAGE = 'usage: npm run bulk -- run <input.json> [--task-id <id>] | status <taskId> | logs <taskId> [--account <id>]';

/** A one-line progress bar, redrawn in place on a terminal. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

async function run(config: Config, client: Client, bulks: BulkService, file: string, taskId?: string): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    console.error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  // The same input file under another task id: a second bulk, not a re-use of the first id.
  if (taskId !== undefined && raw && typeof raw === 'object') raw = { ...raw, taskId };
  let started;
  try {
    started = await bulks.submit(raw);
  } catch (err) {
    if (err instanceof BulkInputError) {
      console.error(`${file}: ${err.message}`);
      return 2;
    }
    if (err instanceof BulkConflictError) {
      console.error(`${file}: ${err.field}: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const links = bulkLinks(config, started.taskId);
  console.log(
    `${started.alreadyStarted ? 'already started' : 'started'}: bulk ${started.taskId}\n  dashboard: ${links.dashboard}\n  Web UI:    ${links.webUi}\n  status:    npm run bulk -- status ${started.taskId}`,
  );
  const handle = client.workflow.getHandle(started.workflowId);
  const tty = process.stdout.isTTY;
  for (;;) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') break;
    // Not answered while the bulk still checks its input: the next second asks again.
    const p = await handle.query(progressQuery).catch(() => undefined);
    if (p) {
      const line = `${progressBar(p.completed + p.failed + p.cancelled, p.total)} accounts  ${p.completed} completed, ${p.failed} failed, ${p.running.length} running`;
      if (tty) process.stdout.write(`\r${line}\x1b[K`);
      else console.log(line);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  if (tty) process.stdout.write('\n');
  const status = await bulks.status(started.taskId);
  console.log(`bulk ${started.taskId}: ${status?.status} (${status?.completed} completed, ${status?.failed} failed of ${status?.total})`);
  return status?.status === 'completed' ? 0 : 1;
}

async function logs(services: Services, taskId: string, accountId: string | undefined): Promise<number> {
  let after: string | undefined;
  for (;;) {
    const { entries, source } = await services.logStore.read(taskId, { accountId, after, limit: 1_000 });
    if (!after) console.error(`(from ${source})`);
    for (const e of entries) console.log(formatConsoleLine({ ...e, time: new Date(e.time) }));
    if (entries.length < 1_000) return 0;
    after = entries.at(-1)?.id;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, arg, ...rest] = argv;
  if (!command || !arg || !['run', 'status', 'logs'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const services = await openServices(config, { name: 'clipfleet-cli', redisWaitMs: 1_000 });
  try {
    if (command === 'logs') {
      const accountFlag = rest.indexOf('--account');
      return await logs(services, arg, accountFlag >= 0 ? rest[accountFlag + 1] : undefined);
    }
    const temporal = await connectTemporal(config);
    try {
      const bulks = bulkService(services, temporal.client);
      if (command === 'run') {
        const taskIdFlag = rest.indexOf('--task-id');
        return await run(config, temporal.client, bulks, arg, taskIdFlag >= 0 ? rest[taskIdFlag + 1] : undefined);
      }
      const status = await bulks.status(arg);
      if (!status) {
        console.error(`no bulk upload with task id "${arg}"`);
        return 1;
      }
      console.log(JSON.stringify({ ...status, links: bulkLinks(config, arg) }, null, 2));
      return 0;
    } finally {
      await temporal.close();
    }
  } finally {
    await services.close();
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
