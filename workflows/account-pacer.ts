/**
 * AccountPacer: the one owner of an account's posting times, shared by every bulk that
 * targets the account (workflow ID `account-pacer-<platform>-<accountId>`). A bulk asks for
 * times through the `reserveSlots` Update (sent with update-with-start by the
 * `reserveSlots` activity, so the first request starts the pacer); requests are handled
 * one at a time, so two bulks can never both take the same gap. Posts report back with
 * `posted`, cancelled ones give their time back with `release`. It continues as new before
 * its history grows, and ends once nothing is planned and nothing has been asked for a
 * while: the next request starts it again, seeded with the account's recent posts from the
 * database.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { FAILURE } from '../contracts/failure-types';
import { NoSlotError, blockReservation, planSlots, type PacingPolicy, type Reservation, type SlotRequest } from '../scheduling/plan';

// ---- types ----

export interface AccountPacerState {
  platform: string;
  accountId: string;
  /** Planned and recent posts (plan-time ms). */
  reservations: Reservation[];
}

export interface ReserveSlotsRequest {
  requests: SlotRequest[];
  /** A platform limit the account hit: no post of any bulk until it resets (plan time). */
  block?: { limit: string; until: number };
  policy: PacingPolicy;
  /** The plan time now, from the asking activity (the pacer keeps no clock of its own). */
  now: number;
}

export interface ReservedSlot {
  key: string;
  at: number;
}

// ---- messages ----

/** Plans times for posts (idempotent per key: a key already planned keeps its time unless moved or replanned). */
export const reserveSlotsUpdate = defineUpdate<ReservedSlot[], [ReserveSlotsRequest]>('reserveSlots');
/** A post went out at this (plan) time. */
export const postedSignal = defineSignal<[{ key: string; at: number }]>('posted');
/** These posts will not happen (cancelled): their times are free again. */
export const releaseSignal = defineSignal<[{ keys: string[] }]>('release');
/** Every planned and recent post, by time. */
export const reservationsQuery = defineQuery<Reservation[]>('reservations');

// ---- helpers ----

/** Posts older than this no longer limit a new one (the daily maximum looks back one day, spacing at most a week). */
const KEEP_MS = 8 * 24 * 3600 * 1000;
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;
/** An idle pacer (nothing planned) ends after this long without a request. */
const IDLE_MS = 60 * 60 * 1000;

// ---- workflow ----

/** Decides when each post of one account happens, across bulks. */
export async function AccountPacer(state: AccountPacerState): Promise<void> {
  const reservations = new Map(state.reservations.map((r) => [r.key, r]));
  let changes = 0;
  const prune = (now: number) => {
    for (const [key, r] of reservations) if ((r.until ?? r.at) < now - KEEP_MS) reservations.delete(key);
  };
  const plannedCount = () => [...reservations.values()].filter((r) => r.state === 'planned').length;
  const blocked = () => [...reservations.values()].filter((r) => r.state === 'blocked');
  const show = () =>
    setCurrentDetails(
      `${plannedCount()} post(s) planned for ${state.platform} account ${state.accountId}` +
        blocked()
          .map((b) => `; ${b.key.slice('limit:'.length)} spent until ${new Date(b.until!).toISOString()}`)
          .join(''),
    );

  setHandler(
    reserveSlotsUpdate,
    ({ requests, policy, now, block }) => {
      prune(now);
      if (block) {
        const limit = blockReservation(block.limit, now, block.until);
        reservations.set(limit.key, limit);
      }
      // A post that went out keeps its time (a retried bulk asks again for every video).
      const fresh = requests.filter((r) => reservations.get(r.key)?.state !== 'posted' && (r.fixedAt !== undefined || r.replan || !reservations.has(r.key)));
      let planned: Reservation[];
      try {
        planned = planSlots([...reservations.values()], fresh, policy);
      } catch (err) {
        // Refuses this request only: a plain error would fail the pacer's workflow task, and with it every other bulk's requests.
        if (err instanceof NoSlotError) throw ApplicationFailure.nonRetryable(err.message, FAILURE.NoSlot);
        throw err;
      }
      for (const r of planned) reservations.set(r.key, r);
      changes++;
      show();
      return requests.map((r) => ({ key: r.key, at: reservations.get(r.key)!.at }));
    },
    {
      validator: ({ requests, policy }) => {
        if (!Array.isArray(requests) || requests.length === 0) throw new Error('requests: must list at least one post');
        if (!policy || typeof policy.timeZone !== 'string') throw new Error('policy: missing');
      },
    },
  );
  setHandler(postedSignal, ({ key, at }) => {
    const r = reservations.get(key);
    reservations.set(key, { key, at, spacingMs: r?.spacingMs ?? 0, state: 'posted' });
    changes++;
    show();
  });
  setHandler(releaseSignal, ({ keys }) => {
    for (const key of keys) if (reservations.get(key)?.state === 'planned') reservations.delete(key);
    changes++;
    show();
  });
  setHandler(reservationsQuery, () => [...reservations.values()].sort((a, b) => a.at - b.at));
  show();

  const historyIsLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_BEFORE_CONTINUE;
  for (;;) {
    const seen = changes;
    const idle = plannedCount() === 0;
    const wake = () => changes !== seen || historyIsLong();
    if (idle && !(await condition(wake, IDLE_MS))) break;
    if (!idle) await condition(wake);
    if (historyIsLong()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof AccountPacer>({ ...state, reservations: [...reservations.values()] });
    }
  }
  // Requests that came in meanwhile are answered before the run ends.
  await condition(allHandlersFinished);
}
