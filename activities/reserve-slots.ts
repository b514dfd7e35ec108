import { ReserveSlotsInputSchema, type PlannedPost, type ReserveSlotsInput } from '../contracts/activities';
import { BulkUploadAccount, BulkUploadTask, VideoData } from '../database/entities';
import type { Orm } from '../database/orm';
import { secondOfDay, formatInZone } from '../scheduling/time';
import type { PacingPolicy, Reservation } from '../scheduling/plan';
import type { ScheduleOptions } from '../contracts/schedule';
import type { ActivityDeps } from './deps';
import { nonRetryable, parseActivityInput } from './errors';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { FAILURE } from '../contracts/failure-types';

const MINUTE_MS = 60_000;
/** How far back an account's posts still limit a new one (a day for the daily maximum, a week for spacing). */
const RECENT_MS = 8 * 24 * 60 * MINUTE_MS;

/**
 * The account's planned and recent posts from the database: what a pacer that starts anew
 * begins with. Published posts count as posted; unpublished ones count only while their
 * account is still at work in that bulk (a cancelled or finished account's leftovers will
 * never go out). Each keeps its bulk's spacing and daily maximum.
 */
export async function recentPosts(orm: Orm, accountId: string, now: number): Promise<Reservation[]> {
  const em = orm.em.fork();
  const rows = await em.find(
    VideoData,
    { accountId, plannedAt: { $gte: new Date(now - RECENT_MS) }, status: { $ne: 'failed' } },
    { fields: ['task', 'videoId', 'plannedAt', 'status'], orderBy: { plannedAt: 'asc' } },
  );
  const taskIds = [...new Set(rows.map((v) => v.task.id))];
  const working = new Set(
    (await em.find(BulkUploadAccount, { task: { $in: taskIds }, accountId, status: { $in: ['pending', 'running'] } }, { fields: ['task'] })).map((a) => a.task.id),
  );
  const policies = new Map((await em.find(BulkUploadTask, { id: { $in: taskIds } }, { fields: ['id', 'options'] })).map((t) => [t.id, t.options.schedule]));
  return rows
    .filter((v) => v.status === 'published' || working.has(v.task.id))
    .map((v): Reservation => {
      const schedule = policies.get(v.task.id);
      return {
        key: `${v.task.id}/${v.videoId}`,
        at: v.plannedAt!.getTime(),
        spacingMs: (schedule?.minSpacingMinutes ?? 0) * MINUTE_MS,
        ...(schedule?.dailyMax !== undefined ? { dailyMax: schedule.dailyMax } : {}),
        state: v.status === 'published' ? 'posted' : 'planned',
      };
    });
}

/** How a bulk's schedule paces each of its accounts, in the planner's numbers. */
export function pacingPolicy(schedule: ScheduleOptions, taskId: string): PacingPolicy {
  return {
    timeZone: schedule.timeZone,
    slots: (schedule.slots ?? []).map(secondOfDay).sort((a, b) => a - b),
    spacingMs: schedule.minSpacingMinutes * MINUTE_MS,
    ...(schedule.dailyMax !== undefined ? { dailyMax: schedule.dailyMax } : {}),
    jitterMs: schedule.jitterMinutes * MINUTE_MS,
    seed: schedule.seed ?? taskId,
  };
}

/** The pacer's answer; a request it refuses (no time meets the schedule) fails this activity for good, naming why. */
async function reserveOrRefuse<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (err) {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === FAILURE.NoSlot) throw nonRetryable(FAILURE.NoSlot, cause.message);
    throw err;
  }
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
    const policy = pacingPolicy(schedule, input.taskId);
    const keyOf = (videoId: string) => `${input.taskId}/${videoId}`;
    const reserved = await reserveOrRefuse(() =>
      pacer.reserve(
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
      ),
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
