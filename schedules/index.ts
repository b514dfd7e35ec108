/**
 * Recurring bulks, for every front end (HTTP API, dashboard, CLI): a Temporal Schedule per
 * recurring bulk, `recurring-<name>`, whose action runs the RecurringBulk workflow (pick
 * the newest videos, start one BulkUpload). Create (after every check that can be made up
 * front), list, describe, pause, resume, trigger now and delete. Built from its
 * dependencies by {@link createScheduleService}.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleExecutionResult,
  type ScheduleSpec,
  type ScheduleSummary,
} from '@temporalio/client';
import { BulkInputError, createBulkService, type BulkServiceDeps } from '../bulks';
import type { BulkUploadRequest } from '../contracts/bulk-input';
import { PlatformAttribute } from '../contracts/names';
import { recurringNameOf, recurringScheduleId, recurringTaskId, type RecurringBulkInput, type RecurringSource } from '../contracts/recurring-bulk';
import type { TaskStatus } from '../contracts/statuses';
import { BulkUploadTask } from '../database/entities';
import type { Orm } from '../database/orm';
import { MediaError } from '../media';
import { FolderNotFoundError, newestVideos } from '../media/newest-videos';
import { RecurringBulk } from '../workflows/recurring-bulk';
import { CreateScheduleInputSchema, ScheduleInputError, everySeconds, parseCreateSchedule, type CreateScheduleInput, type ScheduleSpecInput } from './schema';

export { ScheduleInputError, type CreateScheduleRequest } from './schema';

/**
 * How a schedule treats a fire due while the previous one still runs: SKIP. A fire only
 * starts a bulk and ends, so fires cannot pile up; two bulks that overlap are paced per
 * account by the account's own pacing, not by the schedule.
 */
export const OVERLAP_POLICY = ScheduleOverlapPolicy.SKIP;
/**
 * Fires missed while Temporal was down are taken when it is back only if at most this late:
 * a daily bulk posted hours late is not what the operator asked for, and after a long
 * outage the next fire takes the newest videos anyway.
 */
export const CATCHUP_WINDOW = '1 minute';

export interface ScheduleServiceDeps {
  temporal: Client;
  orm: Orm;
  config: BulkServiceDeps['config'];
}

/** A recurring bulk as created: everything but whether it starts paused. */
export type RecurringDefinition = Omit<CreateScheduleInput, 'paused'>;

/** One fire, newest last: when it was scheduled for, its bulk's task id, and that bulk's status (null: no bulk, or not registered yet). */
export interface RecurringRun {
  scheduledAt: string;
  taskId: string;
  bulkStatus: TaskStatus | null;
}

/** A recurring bulk as the API, the dashboard and the CLI show it. */
export interface RecurringScheduleView {
  name: string;
  scheduleId: string;
  paused: boolean;
  note: string | null;
  /** The definition as created; null for a `recurring-` schedule made by other means. */
  definition: RecurringDefinition | null;
  /** When it fires, in words, e.g. `every day at 09:00 (Europe/Berlin)`. */
  when: string;
  nextRuns: string[];
  recentRuns: RecurringRun[];
  /** The schedule's page in the Temporal Web UI. */
  webUi: string;
}

/** A schedule name that is taken. */
export class ScheduleConflictError extends Error {
  override name = 'ScheduleConflictError';
  readonly field = 'name';
}

/** No recurring bulk by that name (404). */
export class ScheduleNotFound extends Error {
  override name = 'ScheduleNotFound';
}

/** What the schedule's memo holds: the definition, to show it as it was written. */
interface RecurringMemo {
  definition: RecurringDefinition;
}

/** A spec in words: `cron 0 9 * * 1-5 (UTC)`, `every day at 09:00 (Europe/Berlin)`, `every 15m`. */
export function describeSpec(spec: ScheduleSpecInput): string {
  if (spec.cron !== undefined) return `cron ${spec.cron} (${spec.timeZone})`;
  if (spec.calendar) {
    const { hour, minute, dayOfWeek } = spec.calendar;
    const days = dayOfWeek ? dayOfWeek.map((d) => d.slice(0, 1) + d.slice(1, 3).toLowerCase()).join(', ') : 'day';
    return `every ${days} at ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} (${spec.timeZone})`;
  }
  return `every ${spec.every}`;
}

/** The Temporal spec of a recurring bulk's spec. */
function temporalSpec(spec: ScheduleSpecInput): ScheduleSpec {
  const timezone = spec.timeZone;
  if (spec.cron !== undefined) return { cronExpressions: [spec.cron], timezone };
  if (spec.calendar) {
    const { hour, minute, dayOfWeek } = spec.calendar;
    return { calendars: [{ hour, minute, second: 0, ...(dayOfWeek ? { dayOfWeek } : {}) }], timezone };
  }
  return { intervals: [{ every: everySeconds(spec.every!) * 1_000 }], timezone };
}

/** What each fire runs with: the source resolved into what the bulk takes. */
function fireInput(def: RecurringDefinition): RecurringBulkInput {
  const source: RecurringSource =
    def.source.folder !== undefined ? { folder: def.source.folder } : { driveFolder: { ...def.source.driveFolder!, maxFiles: def.newest, caption: def.caption ?? '' } };
  return {
    name: def.name,
    platform: def.platform,
    accountIds: def.accountIds,
    source,
    newest: def.newest,
    ...(def.caption !== undefined ? { caption: def.caption } : {}),
    ...(def.options ? { options: def.options } : {}),
  };
}

/**
 * A bulk admission field named as the schedule's: the picked videos are the folder's, the
 * Drive folder's `maxFiles` is `newest`, the task id is made from the name.
 */
function scheduleField(bulkField: string): string {
  if (bulkField.startsWith('videos')) return 'source.folder';
  if (bulkField === 'driveFolder.maxFiles') return 'newest';
  if (bulkField === 'driveFolder.caption') return 'caption';
  if (bulkField.startsWith('driveFolder')) return `source.${bulkField}`;
  if (bulkField === 'taskId') return 'name';
  return bulkField;
}

function webUiScheduleUrl(temporal: ScheduleServiceDeps['config']['temporal'], scheduleId: string): string {
  return `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/schedules/${encodeURIComponent(scheduleId)}`;
}

function readDefinition(memo: Record<string, unknown> | undefined): RecurringDefinition | null {
  const parsed = CreateScheduleInputSchema.omit({ paused: true }).safeParse((memo as Partial<RecurringMemo> | undefined)?.definition);
  return parsed.success ? parsed.data : null;
}

/** Recurring bulks over one Temporal client and database. */
export function createScheduleService(deps: ScheduleServiceDeps) {
  const { temporal: client, orm, config } = deps;
  const bulks = createBulkService(deps);

  /**
   * Every check of a new recurring bulk that needs the disk or the database: the folder
   * (under MEDIA_ROOT, there), and the bulk its next fire would start, admitted as
   * `POST /bulk-uploads` admits one (platform, accounts on it, options, the videos now in
   * the folder). Returns the problems, named by the schedule's fields.
   */
  async function admissionIssues(def: RecurringDefinition): Promise<{ field: string; message: string }[]> {
    const common = { taskId: recurringTaskId(def.name, new Date()), platform: def.platform, accountIds: def.accountIds, ...(def.options ? { options: def.options } : {}) };
    const fire = fireInput(def);
    let candidate: BulkUploadRequest;
    if ('folder' in fire.source) {
      let videos;
      try {
        videos = (await newestVideos(config.media, fire.source.folder, def.newest)).videos;
      } catch (err) {
        if (err instanceof FolderNotFoundError || err instanceof MediaError) return [{ field: 'source.folder', message: err.message }];
        throw err;
      }
      // An empty folder may fill up before the first fire: its accounts and options are
      // checked the way a Drive source's are, whose files are known only when it fires.
      candidate = videos.length
        ? { ...common, videos: videos.map((v) => ({ path: v.path, caption: def.caption ?? v.name })) }
        : { ...common, driveFolder: { folderId: 'checked-when-it-fires' } };
    } else {
      candidate = { ...common, driveFolder: fire.source.driveFolder };
    }
    try {
      await bulks.admit(candidate);
      return [];
    } catch (err) {
      if (!(err instanceof BulkInputError)) throw err;
      return err.issues.map((i) => ({ field: scheduleField(i.field), message: i.message }));
    }
  }

  /** Task ids to the status of their bulks, for the ones the database knows. */
  async function bulkStatuses(taskIds: string[]): Promise<Map<string, TaskStatus>> {
    if (taskIds.length === 0) return new Map();
    const rows = await orm.em.fork().find(BulkUploadTask, { id: { $in: taskIds } }, { fields: ['id', 'status'] });
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /**
   * The fires in a schedule's recent actions. A fire's bulk is named after its nominal time,
   * which the server writes into the fire's workflow id (`…-2026-11-25T09:00:00Z`); the
   * action's `scheduledAt` is when it was actually taken, a few milliseconds later.
   */
  function runsOf(name: string, actions: ScheduleExecutionResult[]): Omit<RecurringRun, 'bulkStatus'>[] {
    return actions.map((a) => {
      const nominal = /-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/.exec(a.action.workflow.workflowId)?.[1];
      const scheduledAt = nominal ? new Date(nominal) : a.scheduledAt;
      return { scheduledAt: scheduledAt.toISOString(), taskId: recurringTaskId(name, scheduledAt) };
    });
  }

  async function views(schedules: (ScheduleSummary | ScheduleDescription)[]): Promise<RecurringScheduleView[]> {
    const named = schedules.flatMap((s) => {
      const name = recurringNameOf(s.scheduleId);
      return name === undefined ? [] : [{ s, name, runs: runsOf(name, s.info.recentActions) }];
    });
    const statuses = await bulkStatuses(named.flatMap((n) => n.runs.map((r) => r.taskId)));
    return named.map(({ s, name, runs }) => {
      const definition = readDefinition(s.memo);
      return {
        name,
        scheduleId: s.scheduleId,
        paused: s.state.paused,
        note: s.state.note ?? null,
        definition,
        when: definition ? describeSpec(definition.spec) : 'see the Temporal Web UI',
        nextRuns: s.info.nextActionTimes.map((t) => t.toISOString()),
        recentRuns: runs.map((r) => ({ ...r, bulkStatus: statuses.get(r.taskId) ?? null })),
        webUi: webUiScheduleUrl(config.temporal, s.scheduleId),
      };
    });
  }

  /** Runs `act` on a recurring bulk's schedule; an unknown name is {@link ScheduleNotFound}. */
  async function onSchedule<T>(name: string, act: (handle: ReturnType<Client['schedule']['getHandle']>) => Promise<T>): Promise<T> {
    try {
      return await act(client.schedule.getHandle(recurringScheduleId(name)));
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw new ScheduleNotFound(`no recurring bulk named "${name}"`);
      throw err;
    }
  }

  async function describe(name: string): Promise<RecurringScheduleView> {
    const description = await onSchedule(name, (h) => h.describe());
    return (await views([description]))[0]!;
  }

  return {
    /**
     * Checks and creates a recurring bulk. Throws {@link ScheduleInputError} naming each bad
     * field, {@link ScheduleConflictError} when the name is taken.
     */
    async create(raw: unknown): Promise<RecurringScheduleView> {
      const { paused, ...def } = parseCreateSchedule(raw);
      const issues = await admissionIssues(def);
      if (issues.length) throw new ScheduleInputError(issues);
      const scheduleId = recurringScheduleId(def.name);
      const input = fireInput(def);
      const source = 'folder' in input.source ? `${input.source.folder} under MEDIA_ROOT` : `Drive folder ${input.source.driveFolder.folderId}`;
      try {
        await client.schedule.create({
          scheduleId,
          spec: temporalSpec(def.spec),
          action: {
            type: 'startWorkflow',
            workflowType: RecurringBulk,
            workflowId: scheduleId,
            taskQueue: config.temporal.taskQueue,
            args: [input],
            typedSearchAttributes: [{ key: PlatformAttribute, value: def.platform }],
            staticSummary: `Recurring bulk ${def.name}: the newest ${def.newest} video(s) of ${source} to ${def.accountIds.length} account(s) on ${def.platform}`,
          },
          policies: { overlap: OVERLAP_POLICY, catchupWindow: CATCHUP_WINDOW },
          memo: { definition: def } satisfies RecurringMemo,
          state: paused ? { paused: true, note: 'created paused' } : {},
        });
      } catch (err) {
        if (err instanceof ScheduleAlreadyRunning) throw new ScheduleConflictError(`a recurring bulk named "${def.name}" exists already; delete it first, or choose another name`);
        // The server is the judge of a cron line; the client reports a spec it refused
        // (`Invalid schedule spec: …`) as a TypeError with the server's reason.
        if (err instanceof TypeError) throw new ScheduleInputError([{ field: def.spec.cron !== undefined ? 'spec.cron' : 'spec', message: err.message }]);
        throw err;
      }
      return describe(def.name);
    },

    /** Every recurring bulk (the server's list; a schedule created a moment ago may be missing for a moment). */
    async list(): Promise<RecurringScheduleView[]> {
      const found: ScheduleSummary[] = [];
      for await (const s of client.schedule.list()) if (recurringNameOf(s.scheduleId) !== undefined) found.push(s);
      found.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
      return views(found);
    },

    /** One recurring bulk, read from its schedule. */
    describe,

    /** Pauses a recurring bulk: no fire until resumed (a trigger still fires). */
    async pause(name: string, note = 'paused by an operator'): Promise<RecurringScheduleView> {
      await onSchedule(name, (h) => h.pause(note));
      return describe(name);
    },

    async resume(name: string, note = 'resumed by an operator'): Promise<RecurringScheduleView> {
      await onSchedule(name, (h) => h.unpause(note));
      return describe(name);
    },

    /** Fires a recurring bulk now, paused or not. */
    async trigger(name: string): Promise<RecurringScheduleView> {
      await onSchedule(name, (h) => h.trigger());
      return describe(name);
    },

    /** Deletes a recurring bulk's schedule; bulks it started go on. */
    async delete(name: string): Promise<void> {
      await onSchedule(name, (h) => h.delete());
    },
  };
}

/** Recurring bulks; see {@link createScheduleService}. */
export type ScheduleService = ReturnType<typeof createScheduleService>;
