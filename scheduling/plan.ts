/**
 * The slot planner: given what an account already has planned or posted, when may its next
 * post happen? Posting slots in a zone, a minimum spacing (the larger of the two posts'
 * own), a daily maximum per calendar day in the zone, and a seeded jitter. Pure and
 * deterministic: the account pacer (a workflow) runs it, and a replay plans the same.
 * Times are plan-time milliseconds (see scheduling/clock.ts).
 */
import { DAY_MS, localDayKey, localTime, zonedInstant } from './time';

/** How one bulk paces an account (a bulk's `options.schedule`, resolved to numbers). */
export interface PacingPolicy {
  timeZone: string;
  /** Slot times as seconds since local midnight, ascending; empty: any time. */
  slots: number[];
  spacingMs: number;
  dailyMax?: number;
  jitterMs: number;
  seed: string;
}

/** A post of the account that is planned or done. */
export interface Reservation {
  /** `<taskId>/<videoId>`: one post of one bulk. */
  key: string;
  at: number;
  /** The spacing its own bulk asked for: a later bulk keeps it too. */
  spacingMs: number;
  /** The daily maximum its own bulk asked for: a day holding it takes no more posts from any bulk. */
  dailyMax?: number;
  /** `blocked`: a platform limit (quota, posts per 24 h) closes the account from `at` until `until`. */
  state: 'planned' | 'posted' | 'blocked';
  until?: number;
}

/** A platform limit as the planner keeps it: no post of the account from `from` until `until`. */
export function blockReservation(limit: string, from: number, until: number): Reservation {
  return { key: `limit:${limit}`, at: from, until, spacingMs: 0, state: 'blocked' };
}

/** One post asking for a time. */
export interface SlotRequest {
  key: string;
  /** No earlier than this. */
  notBefore: number;
  /** Exactly this time (a per-post time or a move): slots, spacing and the daily maximum do not apply to it. */
  fixedAt?: number;
  /** Plan it again even when the key has a time already (a bulk moved to another time). */
  replan?: boolean;
}

/** Searching further than this means the policy cannot be met (e.g. a daily maximum of 0 days). */
const MAX_DAYS_AHEAD = 400;
const MAX_STEPS = 100_000;

/** A number in [0, 1) from a string, the same on every run (FNV-1a). */
export function seededFraction(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

function jitterOf(policy: PacingPolicy, key: string): number {
  return policy.jitterMs > 0 ? Math.floor(seededFraction(`${policy.seed}/${key}`) * policy.jitterMs) : 0;
}

/** The instant local midnight starts the day after `ms`'s day in `zone`. */
function nextLocalMidnight(ms: number, zone: string): number {
  const t = localTime(ms, zone);
  const next = new Date(Date.UTC(t.year, t.month - 1, t.day + 1));
  return zonedInstant(zone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0);
}

/** Slot instants (before jitter) from the day of `from` on, in order. */
function* slotInstants(policy: PacingPolicy, from: number): Generator<number> {
  const t = localTime(from, policy.timeZone);
  for (let d = 0; d < MAX_DAYS_AHEAD; d++) {
    const day = new Date(Date.UTC(t.year, t.month - 1, t.day + d));
    for (const second of policy.slots) {
      yield zonedInstant(policy.timeZone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), second);
    }
  }
}

/** Why no time was found for a post. */
export class NoSlotError extends Error {
  constructor(key: string) {
    super(`no time within ${MAX_DAYS_AHEAD} days meets the schedule for ${key}`);
    this.name = 'NoSlotError';
  }
}

/**
 * Plans each request in order against `taken` (and the ones planned before it), returning
 * the new reservations. A request whose key is already taken is planned anew (a move).
 */
export function planSlots(taken: Reservation[], requests: SlotRequest[], policy: PacingPolicy): Reservation[] {
  const replaced = new Set(requests.map((r) => r.key));
  const others = taken.filter((r) => !replaced.has(r.key));
  const planned: Reservation[] = [];
  for (const request of requests) {
    const at = request.fixedAt ?? firstFreeTime([...others, ...planned], request, policy);
    planned.push({ key: request.key, at, spacingMs: policy.spacingMs, ...(policy.dailyMax !== undefined ? { dailyMax: policy.dailyMax } : {}), state: 'planned' });
  }
  return planned;
}

function firstFreeTime(taken: Reservation[], request: SlotRequest, policy: PacingPolicy): number {
  const jitter = jitterOf(policy, request.key);
  const blocks = taken.filter((r) => r.state === 'blocked');
  const posts = taken.filter((r) => r.state !== 'blocked');
  const blockedAt = (at: number) => blocks.find((b) => at >= b.at && at < b.until!);
  const clash = (at: number) => posts.find((r) => Math.abs(r.at - at) < Math.max(r.spacingMs, policy.spacingMs));
  // Each post's day once (Intl is slow), and per day its posts and the smallest maximum any of their bulks asked for.
  const days = new Map<number, { count: number; max: number }>();
  for (const r of posts) {
    const day = localDayKey(r.at, policy.timeZone);
    const entry = days.get(day) ?? { count: 0, max: Infinity };
    entry.count++;
    if (r.dailyMax !== undefined) entry.max = Math.min(entry.max, r.dailyMax);
    days.set(day, entry);
  }
  const dayFull = (at: number) => {
    const entry = days.get(localDayKey(at, policy.timeZone));
    return entry !== undefined && entry.count >= Math.min(entry.max, policy.dailyMax ?? Infinity);
  };
  if (policy.slots.length) {
    // One post per slot: a slot is taken by any post within it (its start to its jitter's end).
    const slotTaken = (slot: number) => posts.some((r) => r.at >= slot && r.at <= slot + policy.jitterMs);
    for (const slot of slotInstants(policy, request.notBefore - policy.jitterMs)) {
      const at = slot + jitter;
      if (at >= request.notBefore && !slotTaken(slot) && !blockedAt(at) && !clash(at) && !dayFull(at)) return at;
    }
    throw new NoSlotError(request.key);
  }
  let at = request.notBefore + jitter;
  const limit = request.notBefore + MAX_DAYS_AHEAD * DAY_MS;
  for (let step = 0; step < MAX_STEPS && at < limit; step++) {
    const block = blockedAt(at);
    const other = clash(at);
    if (block) at = block.until!;
    else if (other) at = other.at + Math.max(other.spacingMs, policy.spacingMs);
    else if (dayFull(at)) at = nextLocalMidnight(at, policy.timeZone) + jitter;
    else return at;
  }
  throw new NoSlotError(request.key);
}
