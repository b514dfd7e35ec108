/**
 * Recurring bulks from the command line, exactly as the API handles them:
 *   npm run schedule -- create <file.json>   check and create (bad input exits 2, naming each field)
 *   npm run schedule -- list
 *   npm run schedule -- pause <name> | resume <name> | trigger <name> | delete <name>
 */
import fs from 'node:fs/promises';
import { loadConfig } from '../config';
import { connectTemporal, openServices } from '../runtime';
import { createScheduleService, ScheduleConflictError, ScheduleInputError, ScheduleNotFound, type RecurringScheduleView, type ScheduleService } from '../schedules';

const USAGE = 'usage: npm run schedule -- create <file.json> | list | pause <name> | resume <name> | trigger <name> | delete <name>';
const COMMANDS = ['create', 'list', 'pause', 'resume', 'trigger', 'delete'] as const;
type Command = (typeof COMMANDS)[number];

/** One recurring bulk in a few lines: name, state, when, next run, last bulk, Web UI. */
export function formatSchedule(s: RecurringScheduleView): string {
  const def = s.definition;
  const source = def
    ? `newest ${def.newest} of ${def.source.folder ?? `Drive folder ${def.source.driveFolder?.folderId}`} → ${def.accountIds.length} account(s) on ${def.platform}`
    : '';
  const last = s.recentRuns.at(-1);
  return [
    `${s.name}  ${s.paused ? 'PAUSED' : 'active'}  ${s.when}${s.note ? `  (${s.note})` : ''}`,
    source && `  ${source}`,
    `  next: ${s.paused ? '(paused)' : (s.nextRuns[0] ?? '-')}`,
    `  last: ${last ? `${last.scheduledAt} → bulk ${last.taskId} (${last.bulkStatus ?? 'no bulk yet'})` : '-'}`,
    `  Web UI: ${s.webUi}`,
  ]
    .filter(Boolean)
    .join('\n');
}

async function create(schedules: ScheduleService, file: string): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    console.error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  try {
    console.log(`created:\n${formatSchedule(await schedules.create(raw))}`);
    return 0;
  } catch (err) {
    if (err instanceof ScheduleInputError) {
      console.error(`${file}: ${err.message}`);
      return 2;
    }
    if (err instanceof ScheduleConflictError) {
      console.error(`${file}: ${err.field}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

async function act(schedules: ScheduleService, command: Exclude<Command, 'create' | 'list'>, name: string): Promise<number> {
  try {
    if (command === 'delete') {
      await schedules.delete(name);
      console.log(`deleted recurring bulk ${name} (bulks it started go on)`);
      return 0;
    }
    const done = await schedules[command](name);
    console.log(`${command === 'trigger' ? 'triggered' : `${command}d`}:\n${formatSchedule(done)}`);
    return 0;
  } catch (err) {
    if (err instanceof ScheduleNotFound) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, arg] = argv;
  if (!COMMANDS.includes(command as Command) || (command !== 'list' && !arg)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const services = await openServices(config, { name: 'clipfleet-cli', redisWaitMs: 1_000 });
  try {
    const temporal = await connectTemporal(config);
    try {
      const schedules = createScheduleService({ temporal: temporal.client, orm: services.orm, config });
      if (command === 'create') return await create(schedules, arg!);
      if (command === 'list') {
        const all = await schedules.list();
        console.log(all.length ? all.map(formatSchedule).join('\n\n') : 'no recurring bulks');
        return 0;
      }
      return await act(schedules, command as Exclude<Command, 'create' | 'list'>, arg!);
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
