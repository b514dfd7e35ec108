import { ReserveSlotsInputSchema, type PlannedPost, type ReserveSlotsInput } from '../contracts/activities';
import { VideoData } from '../database/entities';
import type { Orm } from '../database/orm';
import { secondOfDay, formatInZone } from '../scheduling/time';
import type { PacingPolicy, Reservation } from '../scheduling/plan';
import type { ActivityDeps } from './deps';
import { parseActivityInput } from './errors';

const MINUTE_MS = 60_000;
/** How far back an account's posts still limit a new one (a day for the daily maximum, a week for spacing). */
const RECENT_MS = 8 * 24 * 60 * MINUTE_MS;

/** The account's planned and recent posts from the database: what a pacer that starts anew begins with. */
async function recentPosts(orm: Orm, accountId: string, now: number): Promise<Reservation[]> {
  const rows = await orm.em
    .fork()
    .find(
      VideoData,
      { accountId, plannedAt: { $gte: new Date(now - RECENT_MS) }, status: { $ne: 'failed' } },
      { fields: ['task', 'videoId', 'plannedAt', 'status'], orderBy: { plannedAt: 'asc' } },
    );
  return rows.map((v): Reservation => ({ key: `${v.task.id}/${v.videoId}`, at: v.plannedAt!.getTime(), spacingMs: 0, state: v.status === 'published' ? 'posted' : 'planned' }));
}

/**
 * reserveSlots: asks the account's pacer (workflows/account-pacer.ts) for the time of each
 * post and records them on the video rows. Idempotent: a retry gets the times already
 * reserved under the same keys.
 */
export function makeReserveSlots({ orm, scheduling }: Pick<ActivityDeps, 'orm' | 'scheduling'>) {
  return async function reserveSlots(request: ReserveSlotsInput): Promise<PlannedPost[]> {
    const input = parseActivityInput('reserveSlots', ReserveSlotsInputSchema, request);
    const { clock, pacer } = scheduling;
    const now = clock.now();
    const { schedule } = input;
    const from = input.replanFrom ?? schedule.publishAt;
    const block = input.blockedUntil ? { limit: input.blockedUntil.limit, until: clock.toPlan(Date.parse(input.blockedUntil.resetsAt)) } : undefined;
    const notBefore = Math.max(now, from ? Date.parse(from) : now, block?.until ?? now);
    const policy: PacingPolicy = {
      timeZone: schedule.timeZone,
      slots: (schedule.slots ?? []).map(secondOfDay).sort((a, b) => a - b),
      spacingMs: schedule.minSpacingMinutes * MINUTE_MS,
      ...(schedule.dailyMax !== undefined ? { dailyMax: schedule.dailyMax } : {}),
      jitterMs: schedule.jitterMinutes * MINUTE_MS,
      seed: schedule.seed ?? input.taskId,
    };
    const keyOf = (videoId: string) => `${input.taskId}/${videoId}`;
    const reserved = await pacer.reserve(
      { platform: input.platform, accountId: input.accountId },
      {
        now,
        policy,
        requests: input.videos.map((v) => ({
          key: keyOf(v.videoId),
          notBefore,
          ...(v.publishAt ? { fixedAt: Date.parse(v.publishAt) } : {}),
          ...(input.replanFrom || input.replan || block ? { replan: true } : {}),
        })),
        ...(block ? { block } : {}),
      },
      () => recentPosts(orm, input.accountId, now),
    );
    const at = new Map(reserved.map((r) => [r.key, r.at]));
    const em = orm.em.fork();
    const posts = input.videos.map(({ videoId }): PlannedPost => {
      const planned = at.get(keyOf(videoId))!;
      const leadMs = schedule.prepareLeadMinutes !== undefined ? schedule.prepareLeadMinutes * MINUTE_MS : undefined;
      return {
        videoId,
        at: new Date(planned).toISOString(),
        fireAtMs: Math.round(clock.toReal(planned)),
        ...(leadMs !== undefined ? { prepareAtMs: Math.round(clock.toReal(planned - leadMs)) } : {}),
        label: formatInZone(planned, schedule.timeZone),
      };
    });
    for (const post of posts) {
      await em.nativeUpdate(VideoData, { task: input.taskId, accountId: input.accountId, videoId: post.videoId }, { plannedAt: new Date(post.at) });
    }
    return posts;
  };
}
