/**
 * What a person writes to create a recurring bulk (`POST /schedules`, `npm run schedule --
 * create`, the dashboard's form): its name, when it fires, where its videos come from, and
 * the bulk each fire starts. Checked here field by field; the checks that need the disk
 * and the database (the folder, the accounts) are in schedules/index.ts.
 */
import { DAYS_OF_WEEK } from '@temporalio/client';
import { z } from 'zod';
import { BulkOptionsSchema, BulkUploadInputSchema, DriveFolderSourceSchema, IdSchema, LIMITS, describeIssues } from '../contracts/bulk-input';
import { RECURRING_NAME_MAX } from '../contracts/recurring-bulk';
import { TimeZoneSchema } from '../contracts/schedule';

/** A recurring bulk's name: the schedule is `recurring-<name>`, each fire's bulk `<name>-<time>`. */
export const RecurringNameSchema = IdSchema.refine((s) => s.length <= RECURRING_NAME_MAX, `must be at most ${RECURRING_NAME_MAX} characters (a fire's task id adds 16)`);

/** Shortest interval between fires: each starts a bulk, which needs a few seconds to register. */
export const MIN_EVERY_SECONDS = 10;
const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** `<n>s`, `<n>m`, `<n>h` or `<n>d`: an interval, e.g. `15m` or `1d`. */
export const EverySchema = z
  .string()
  // `abort`: an interval that does not parse has no length to judge.
  .regex(/^[1-9]\d{0,5}[smhd]$/, { message: 'must be a whole number and a unit s, m, h or d, e.g. 15m, 6h or 1d', abort: true })
  .refine((s) => everySeconds(s) >= MIN_EVERY_SECONDS, `must be at least ${MIN_EVERY_SECONDS}s`);

/** Seconds in an interval written as {@link EverySchema} takes it. */
export function everySeconds(every: string): number {
  return Number(every.slice(0, -1)) * UNIT_SECONDS[every.slice(-1) as keyof typeof UNIT_SECONDS];
}

/** Days of the week, as Temporal names them; lower case is accepted. */
const DayOfWeekSchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(DAYS_OF_WEEK, { message: `must be a day of the week: ${DAYS_OF_WEEK.join(', ')}` }));

export const CalendarSchema = z
  .object({
    hour: z.number().int().min(0).max(23),
    minute: z.number().int().min(0).max(59).default(0),
    /** Only on these days (default: every day). */
    dayOfWeek: z.array(DayOfWeekSchema).min(1).max(7).optional(),
  })
  .strict();

/** When a recurring bulk fires: exactly one of `cron`, `calendar` or `every`, in `timeZone`. */
export const ScheduleSpecInputSchema = z
  .object({
    /** A cron line as Temporal reads it (5 to 7 fields, or `@daily` and the like), e.g. `0 9 * * MON-FRI`. */
    cron: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200)
      .refine((s) => !/^(CRON_)?TZ=/.test(s), 'give the zone in timeZone, not in the cron line')
      .optional(),
    /** At a time of day, e.g. `{ hour: 9, minute: 0 }`, optionally on some days only. */
    calendar: CalendarSchema.optional(),
    /** Every so long, e.g. `1d` or `15m` (counted from the Unix epoch, so `1d` fires at midnight UTC). */
    every: EverySchema.optional(),
    /** The zone `cron` and `calendar` times are in. */
    timeZone: TimeZoneSchema.default('UTC'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const given = (['cron', 'calendar', 'every'] as const).filter((k) => spec[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: given.length ? `give only one of cron, calendar or every, not ${given.join(' and ')}` : 'must give one of cron, calendar or every' });
    }
  });
export type ScheduleSpecInput = z.infer<typeof ScheduleSpecInputSchema>;

/** Where each fire takes its videos: exactly one of a folder under MEDIA_ROOT or a Drive folder. */
export const SourceInputSchema = z
  .object({
    /** A folder under MEDIA_ROOT (relative to it); its subfolders are not looked into. */
    folder: z.string().min(1, 'must not be empty').max(1024).optional(),
    /** A Google Drive folder; its newest `newest` files are downloaded at each fire. */
    driveFolder: DriveFolderSourceSchema.pick({ folderId: true, userId: true }).strict().optional(),
  })
  .strict()
  .superRefine((source, ctx) => {
    if ((source.folder === undefined) === (source.driveFolder === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'must give exactly one of folder (under MEDIA_ROOT) or driveFolder' });
    }
  });

export const CreateScheduleInputSchema = z
  .object({
    name: RecurringNameSchema,
    spec: ScheduleSpecInputSchema,
    platform: BulkUploadInputSchema.shape.platform,
    accountIds: BulkUploadInputSchema.shape.accountIds,
    source: SourceInputSchema,
    /** How many of the folder's newest videos each fire publishes. */
    newest: z.number().int().min(1).max(LIMITS.videosPerBulk),
    /** Caption of every video (default: the file's name). */
    caption: z.string().max(LIMITS.captionLength).optional(),
    /** The bulk options of each fire, as `POST /bulk-uploads` takes them; `schedule` paces the posts into the accounts' slots. */
    options: BulkOptionsSchema.optional(),
    /** Create it paused: it fires only once resumed (or triggered). */
    paused: z.boolean().default(false),
  })
  .strict();

/** What a caller writes (defaults optional). */
export type CreateScheduleRequest = z.input<typeof CreateScheduleInputSchema>;
export type CreateScheduleInput = z.infer<typeof CreateScheduleInputSchema>;

/** Why a schedule was refused: one line per field, e.g. `spec.every: must be at least 10s`. */
export class ScheduleInputError extends Error {
  constructor(readonly issues: { field: string; message: string }[]) {
    super(`invalid schedule: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'ScheduleInputError';
  }
}

/** Validates a create request; throws {@link ScheduleInputError} naming each bad field. */
export function parseCreateSchedule(raw: unknown): CreateScheduleInput {
  const result = CreateScheduleInputSchema.safeParse(raw);
  if (!result.success) throw new ScheduleInputError(describeIssues(result.error));
  return result.data;
}
