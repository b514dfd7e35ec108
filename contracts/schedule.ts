/**
 * When a bulk publishes: a start time, posting slots in a time zone, a minimum spacing and
 * a daily maximum per account, a seeded jitter, and how early variants are rendered. The
 * schema is shared by the API, the CLI and the workflow (through `validateBulkInput`);
 * the time arithmetic is in scheduling/time.ts (plain JavaScript, safe in workflow code).
 */
import { z } from 'zod';
import { isTimeZone } from '../scheduling/time';

/** An instant with its zone: `2026-11-25T09:00:00+01:00` or `2026-11-25T08:00:00Z`. */
export const InstantSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, 'must be an ISO 8601 time with a zone, e.g. 2026-11-25T09:00:00+01:00 or 2026-11-25T08:00:00Z')
  .refine((s) => Number.isFinite(Date.parse(s)) && isCalendarDate(s.slice(0, 10)), 'is not a real date and time');

/** `YYYY-MM-DD` names a day that exists (not 2026-02-30, which Date.parse would read as 2 March). */
function isCalendarDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number);
  const date = new Date(Date.UTC(y!, m! - 1, d!));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m! - 1 && date.getUTCDate() === d;
}

/** An IANA time zone name the runtime knows, e.g. `Europe/Berlin`. */
export const TimeZoneSchema = z.string().refine(isTimeZone, 'must be an IANA time zone name, e.g. Europe/Berlin or UTC');

/** A time of day, `HH:MM` or `HH:MM:SS`, 24-hour. */
export const TimeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'must be a time of day HH:MM (24-hour), e.g. 09:00 or 19:30');

export const ScheduleOptionsSchema = z
  .object({
    /** Nothing is published before this time (default: now). */
    publishAt: InstantSchema.optional(),
    /** The zone of the slots and of the daily maximum's day. */
    timeZone: TimeZoneSchema.default('UTC'),
    /** Each account posts only at these times of day (default: whenever spacing and the daily maximum allow). */
    slots: z.array(TimeOfDaySchema).min(1).max(48).optional(),
    /** At least this long between two posts of one account, across every bulk. */
    minSpacingMinutes: z
      .number()
      .min(0)
      .max(7 * 24 * 60)
      .default(0),
    /** At most this many posts per account per day (in `timeZone`), across every bulk. */
    dailyMax: z.number().int().min(1).max(1_000).optional(),
    /** Each post moves a random 0…jitter minutes past its slot; the same seed gives the same moves. */
    jitterMinutes: z
      .number()
      .min(0)
      .max(12 * 60)
      .default(0),
    /** Seed of the jitter (default: the task id), so a replay or a retry keeps the plan. */
    seed: z.string().max(128).optional(),
    /** Render each variant this long before its slot; without it every variant is rendered when the bulk starts. */
    prepareLeadMinutes: z
      .number()
      .min(0)
      .max(7 * 24 * 60)
      .optional(),
  })
  .strict();

export type ScheduleOptions = z.infer<typeof ScheduleOptionsSchema>;

/** Scheduled bulks start every account at once (each mostly waits on a timer); at most this many. */
export const MAX_SCHEDULED_ACCOUNTS = 2_000;

export { formatInZone, localDayKey, localTime, secondOfDay, zonedInstant, type LocalTime } from '../scheduling/time';
