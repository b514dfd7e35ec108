/**
 * What a bulk would do, before it starts: how many posts, to how many accounts, and for a
 * scheduled bulk the first and last planned time. Each account is planned with the same
 * planner and the same starting point its pacer would get (its recent and planned posts from
 * the database), so the times are what the bulk would be given if it started now; other bulks
 * may still take an account's slots before it does, so they are an estimate.
 */
import { pacingPolicy, recentPosts } from '../activities/reserve-slots';
import { isScheduled, videosForAccount, type BulkUploadInput } from '../contracts/bulk-input';
import { ScheduleOptionsSchema } from '../contracts/schedule';
import type { Orm } from '../database/orm';
import type { ScheduleClock } from '../scheduling/clock';
import { NoSlotError, planSlots } from '../scheduling/plan';

/** The preview of one bulk. */
export interface BulkPreview {
  /** Posts the bulk makes: each account's videos (a Drive folder's are not known until it starts). */
  posts: number;
  accounts: number;
  videos: number;
  /** Plan time (ISO) of the first and last post; null for a bulk that publishes now. */
  firstPlannedAt: string | null;
  lastPlannedAt: string | null;
  /** The zone of the schedule's slots and days; null for a bulk that publishes now. */
  timeZone: string | null;
  /** True when the times could still change: other bulks may take an account's slots before this one starts. */
  estimate: boolean;
  /** For a Drive folder source: at most this many more videos, each to every account, once it is read. */
  driveFolderMaxFiles: number | null;
  /** Accounts whose posts no time within the planner's horizon can meet (each would fail with NoSlot). */
  unplannable: string[];
}

/** Plans an admitted bulk without starting it (see the module comment). */
export async function previewBulk(deps: { orm: Orm; clock: Pick<ScheduleClock, 'now'> }, input: BulkUploadInput): Promise<BulkPreview> {
  const perAccount = input.accountIds.map((accountId) => ({ accountId, videos: videosForAccount(input.videos, accountId) }));
  const common = {
    posts: perAccount.reduce((n, a) => n + a.videos.length, 0),
    accounts: input.accountIds.length,
    videos: input.videos.length,
    driveFolderMaxFiles: input.driveFolder?.maxFiles ?? null,
    unplannable: [] as string[],
  };
  if (!isScheduled(input)) return { ...common, firstPlannedAt: null, lastPlannedAt: null, timeZone: null, estimate: false };

  // A bulk with only per-video times is paced by the schedule's defaults, as the workflow does.
  const schedule = input.options.schedule ?? ScheduleOptionsSchema.parse({});
  const policy = pacingPolicy(schedule, input.taskId);
  const now = deps.clock.now();
  const notBefore = Math.max(now, schedule.publishAt ? Date.parse(schedule.publishAt) : now);
  let first: number | undefined;
  let last: number | undefined;
  for (const { accountId, videos } of perAccount) {
    if (!videos.length) continue;
    const taken = await recentPosts(deps.orm, accountId, now);
    const requests = videos.map((v) => ({ key: `${input.taskId}/${v.id}`, notBefore, ...(v.publishAt ? { fixedAt: Date.parse(v.publishAt) } : {}) }));
    let planned;
    try {
      planned = planSlots(taken, requests, policy);
    } catch (err) {
      if (!(err instanceof NoSlotError)) throw err;
      common.unplannable.push(accountId);
      continue;
    }
    for (const { at } of planned) {
      first = first === undefined ? at : Math.min(first, at);
      last = last === undefined ? at : Math.max(last, at);
    }
  }
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return { ...common, firstPlannedAt: iso(first), lastPlannedAt: iso(last), timeZone: schedule.timeZone, estimate: true };
}
