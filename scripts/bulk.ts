/**
 * Debug and steering commands for bulks, talking straight to Temporal, the database and Redis
 * (see USAGE). `run` admits a bulk exactly as `POST /bulk-uploads` does and `import` a plan
 * exactly as `POST /bulk-uploads/import`: bad input exits with 2 and names each field or
 * line. The steering commands only ask (a signal or a cancel); a bulk that cannot take the
 * request (unknown, finished, not scheduled) exits with 1 and says why.
 */
import fs from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { BulkConflictError, BulkInputError, BulkStateError, type BulkPlan, type BulkService } from '../bulks';
import { PlanImportError, admitPlan, describePlanIssue, importPlanFile, parsePlanTime } from '../bulks/import-plan';
import { loadConfig, type Config } from '../config';
import { bulkLinks } from '../bulks/links';
import { BulkOptionsSchema, describeIssues } from '../contracts/bulk-input';
import { formatInZone } from '../contracts/schedule';
import { formatConsoleLine } from '../logs/console-format';
import { bulkService, connectTemporal, openServices, type Services } from '../runtime';
import { progressQuery } from '../workflows/bulk-upload';

const USAGE = `usage: npm run bulk -- <command>
  run <input.json> [--task-id <id>]          check, start, show progress until done
  import <plan.csv|plan.json> --platform <p> --task-id <id> [--options <options.json>]
                                             check every row of a plan, then start the bulk it describes
  status <taskId>                            status and per-account progress (JSON)
  logs <taskId> [--account <id>]             the bulk's log
  plan <taskId>                              every post with its planned time, in the schedule's zone
  pause <taskId> | resume <taskId>           start no new upload / go on (running uploads finish; planned times stay)
  reschedule <taskId> <time>                 plan the posts not yet published again, from <time> on
  move <taskId> <accountId> <videoId> <time> move one post not yet published to exactly <time>
  cancel-account <taskId> <accountId>        cancel one account's remaining posts
<time> is ISO with a zone (2026-11-25T09:00:00+01:00) or a wall-clock time (2026-11-25 09:00) in the bulk's schedule zone.`;

/** Each command and how many arguments (not counting --flags) it takes. */
const ARITY = { run: 1, import: 1, status: 1, logs: 1, plan: 1, pause: 1, resume: 1, reschedule: 2, move: 4, 'cancel-account': 2 } as const;
type Command = keyof typeof ARITY;
const FLAGS = ['--task-id', '--account', '--platform', '--options'] as const;
type Flag = (typeof FLAGS)[number];

/** Splits the arguments after the command into positional ones and `--flag value` pairs. */
function parseArgs(args: string[]): { positional: string[]; flags: Partial<Record<Flag, string>> } | { error: string } {
  const positional: string[] = [];
  const flags: Partial<Record<Flag, string>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    if (!(FLAGS as readonly string[]).includes(arg)) return { error: `unknown option ${arg}` };
    const value = args[++i];
    if (value === undefined) return { error: `${arg} needs a value` };
    flags[arg as Flag] = value;
  }
  return { positional, flags };
}

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

/** A table of text cells, each column as wide as its widest cell. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * A bulk's plan as a table, earliest first: the planned time in the schedule's zone (named
 * once, in the header), account, video, status and post URL (or the error), then a summary
 * line: how many posts, the first and last planned time, how many published.
 */
export function formatPlan(plan: BulkPlan): string {
  const zoneSuffix = ` ${plan.timeZone}`;
  const time = (label: string | null) => (label === null ? 'at once' : label.endsWith(zoneSuffix) ? label.slice(0, -zoneSuffix.length) : label);
  const rows = plan.posts.map((p) => [time(p.plannedLabel), p.accountId, p.videoId, p.status, p.postUrl ?? (p.error ? `error: ${p.error}` : '-')]);
  const planned = plan.posts.filter((p) => p.plannedLabel !== null);
  const published = plan.posts.filter((p) => p.status === 'published').length;
  const when = planned.length
    ? `first ${planned[0]!.plannedLabel}, last ${planned.at(-1)!.plannedLabel}${planned.length < plan.posts.length ? `, ${plan.posts.length - planned.length} at once` : ''}`
    : 'none planned (published at once)';
  const summary = `${plan.posts.length} post(s), ${when}, ${published} published`;
  if (!rows.length) return `bulk ${plan.taskId}: ${summary}`;
  return `${table([[`time (${plan.timeZone})`, 'account', 'video', 'status', 'post'], ...rows])}\n${summary}`;
}

/** Polls `check` for a few seconds: a signal is taken by the workflow a moment after it is sent. */
async function settled(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) if (await check()) return true;
  return false;
}

/** A time from the command line as an instant; a wall-clock time is read in the bulk's zone. */
async function instantFor(bulks: BulkService, taskId: string, text: string): Promise<{ instant: string; zone: string } | { error: string }> {
  const { timeZone } = await bulks.plan(taskId);
  const time = parsePlanTime(text, timeZone);
  return 'error' in time ? time : { instant: time.instant, zone: timeZone };
}

/** pause, resume, reschedule, move and cancel-account: asks, says what was asked, and waits to see a pause or move taken. */
async function steer(bulks: BulkService, command: Exclude<Command, 'run' | 'import' | 'status' | 'logs' | 'plan'>, args: string[]): Promise<number> {
  const [taskId, a, b, c] = args as [string, string, string, string];
  switch (command) {
    case 'pause':
    case 'resume': {
      const pausing = command === 'pause';
      await bulks[command](taskId);
      console.log(pausing ? `pause requested: bulk ${taskId} starts no new upload; running uploads finish; planned times stay` : `resume requested: bulk ${taskId}`);
      const taken = await settled(async () => (await bulks.status(taskId))?.paused === pausing);
      console.log(taken ? `bulk ${taskId}: ${pausing ? 'paused' : 'running (resumed)'}` : `bulk ${taskId} has not taken the ${command} yet; see npm run bulk -- status ${taskId}`);
      return 0;
    }
    case 'reschedule': {
      const time = await instantFor(bulks, taskId, a);
      if ('error' in time) return badTime(time.error);
      await bulks.reschedule(taskId, time.instant);
      console.log(
        `reschedule requested: the posts of bulk ${taskId} not yet published, from ${formatInZone(Date.parse(time.instant), time.zone)} on; see npm run bulk -- plan ${taskId}`,
      );
      return 0;
    }
    case 'move': {
      const [accountId, videoId] = [a, b];
      const time = await instantFor(bulks, taskId, c);
      if ('error' in time) return badTime(time.error);
      await bulks.movePost(taskId, accountId, videoId, time.instant);
      const label = formatInZone(Date.parse(time.instant), time.zone);
      console.log(`move requested: video ${videoId} of account ${accountId} to ${label}`);
      const isAt = async () => {
        const post = (await bulks.plan(taskId)).posts.find((p) => p.accountId === accountId && p.videoId === videoId);
        return post?.plannedAt ? Date.parse(post.plannedAt) === Date.parse(time.instant) : false;
      };
      console.log((await settled(isAt)) ? `video ${videoId} of account ${accountId}: planned for ${label}` : `the move is not in the plan yet; see npm run bulk -- plan ${taskId}`);
      return 0;
    }
    case 'cancel-account':
      await bulks.cancelAccount(taskId, a);
      console.log(`cancel requested: the remaining posts of account ${a} in bulk ${taskId}; the rest of the bulk goes on`);
      return 0;
  }
}

function badTime(message: string): number {
  console.error(`<time>: ${message}`);
  return 2;
}

/** `import`: every row of the plan checked (each bad one printed with its line), then the bulk it describes started. */
async function importPlan(config: Config, bulks: BulkService, services: Services, file: string, flags: Partial<Record<Flag, string>>): Promise<number> {
  const { '--platform': platform, '--task-id': taskId, '--options': optionsFile } = flags;
  if (!platform || !taskId) {
    console.error('import needs --platform <platform> and --task-id <id>');
    return 2;
  }
  let options;
  if (optionsFile !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(await fs.readFile(optionsFile, 'utf8'));
    } catch (err) {
      console.error(`cannot read ${optionsFile}: ${err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
    const parsed = BulkOptionsSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of describeIssues(parsed.error)) console.error(`${optionsFile}: options.${issue.field}: ${issue.message}`);
      return 2;
    }
    options = parsed.data;
  }
  let started;
  try {
    const { rows } = await importPlanFile(file);
    const admitted = await admitPlan({ orm: services.orm, media: config.media, admit: bulks.admit }, rows, { taskId, platform, options });
    started = await bulks.start(admitted);
  } catch (err) {
    if (err instanceof PlanImportError) {
      for (const issue of err.issues) console.error(`${file}: ${describePlanIssue(issue)}`);
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
    `${started.alreadyStarted ? 'already started' : 'started'}: bulk ${started.taskId} from ${file}\n  dashboard: ${links.dashboard}\n  plan:      npm run bulk -- plan ${started.taskId}`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const parsed = parseArgs(args);
  if (!command || !Object.hasOwn(ARITY, command) || 'error' in parsed || parsed.positional.length !== ARITY[command as Command]) {
    if ('error' in parsed) console.error(parsed.error);
    console.error(USAGE);
    return 2;
  }
  const cmd = command as Command;
  const { positional, flags } = parsed;
  const [arg] = positional as [string];
  const config = loadConfig();
  const services = await openServices(config, { name: 'clipfleet-cli', redisWaitMs: 1_000 });
  try {
    if (cmd === 'logs') return await logs(services, arg, flags['--account']);
    const temporal = await connectTemporal(config);
    try {
      const bulks = bulkService(services, temporal.client);
      try {
        return await dispatch(config, temporal.client, bulks, services, cmd, positional, flags);
      } catch (err) {
        // An unknown bulk, or one that cannot take this request now: say why, exit 1.
        if (err instanceof BulkStateError) {
          console.error(err.message);
          return 1;
        }
        throw err;
      }
    } finally {
      await temporal.close();
    }
  } finally {
    await services.close();
  }
}

/** Runs one command over an open Temporal client and services. */
async function dispatch(
  config: Config,
  client: Client,
  bulks: BulkService,
  services: Services,
  cmd: Exclude<Command, 'logs'>,
  positional: string[],
  flags: Partial<Record<Flag, string>>,
): Promise<number> {
  const [arg] = positional as [string];
  switch (cmd) {
    case 'run':
      return run(config, client, bulks, arg, flags['--task-id']);
    case 'import':
      return importPlan(config, bulks, services, arg, flags);
    case 'plan':
      console.log(formatPlan(await bulks.plan(arg)));
      return 0;
    case 'status': {
      const status = await bulks.status(arg);
      if (!status) {
        console.error(`no bulk upload with task id "${arg}"`);
        return 1;
      }
      console.log(JSON.stringify({ ...status, links: bulkLinks(config, arg) }, null, 2));
      return 0;
    }
    default:
      return steer(bulks, cmd, positional);
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
