/**
 * How far each running account of a bulk is into its current long step, from the heartbeat
 * details of its child workflow's pending activity (what Temporal's `describe` reports):
 * - `uniquifyVideo` heartbeats `{ progress }`, ffmpeg's percent: the render.
 * - `uploadViaApi` heartbeats `{ bytesConfirmed, bytesTotal }`: the bytes the platform confirmed.
 * - `uploadViaBrowser` heartbeats `{ step }` only (a browser's form post reports no bytes),
 *   so its percent is how far the step is along the upload's known steps.
 * Heartbeats reach the server throttled (at most every few seconds, workers/create-worker.ts),
 * so the percent moves in steps of that interval. Only the fields named here leave this
 * module: an API upload's heartbeat also carries its (sealed) upload session.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { accountUploadWorkflowId } from '../contracts/names';

/** One account's current long step. */
export interface AccountProgress {
  /** `render` (making the variant) or `upload` (publishing it). */
  phase: 'render' | 'upload';
  /** 0-100, or null when the step tells no share. */
  percent: number | null;
  /** The step as the activity names it, e.g. `publishing`. */
  step: string | null;
}

/**
 * The steps of a browser upload in order, as uploadViaBrowser and the form adapter
 * (platforms/form-adapter.ts) report them, with the share of the upload done when each
 * starts; an unknown step shows no percent.
 */
const BROWSER_STEPS: Record<string, number> = {
  'waiting for a browser': 0,
  'checking session': 5,
  'signing in': 10,
  'checking for an earlier post': 20,
  uploading: 30,
  'opening upload page': 35,
  'attaching file': 50,
  'writing caption': 60,
  publishing: 70,
  published: 100,
};

const Heartbeat = z.object({
  progress: z.number().optional(),
  step: z.string().optional(),
  bytesConfirmed: z.number().optional(),
  bytesTotal: z.number().optional(),
});

const clampPercent = (n: number) => Math.max(0, Math.min(100, Math.floor(n)));

/** Reads one activity's heartbeat details as progress; null for an activity that is not a long step. */
export function progressOf(activityType: string, details: unknown): AccountProgress | null {
  const parsed = Heartbeat.safeParse(details ?? {});
  const beat = parsed.success ? parsed.data : {};
  const step = beat.step ?? null;
  if (activityType === 'uniquifyVideo') return { phase: 'render', percent: beat.progress === undefined ? 0 : clampPercent(beat.progress), step };
  if (activityType === 'uploadViaApi') {
    const percent = beat.bytesTotal ? clampPercent(((beat.bytesConfirmed ?? 0) / beat.bytesTotal) * 100) : null;
    return { phase: 'upload', percent, step };
  }
  if (activityType === 'uploadViaBrowser') return { phase: 'upload', percent: step !== null && step in BROWSER_STEPS ? BROWSER_STEPS[step]! : step === null ? 0 : null, step };
  return null;
}

/**
 * A running account's status mark while one of the long steps runs, as AccountUpload writes
 * it (`video 1/3 (clip): uniquifying`, `…: uploading`; workflows/account-upload.ts). Every
 * other mark of a running account (waiting for a slot or a quota, rendering before a slot,
 * paused) has no activity to describe: a scheduled bulk's accounts spend nearly all their
 * time so.
 */
const LONG_STEP_MARK = /: (?:uniquifying|uploading)$/;

/** Whether an account with this status mark may be in a long step (worth a `describe`). */
export function inLongStep(currentStep: string | null | undefined): boolean {
  return Boolean(currentStep && LONG_STEP_MARK.test(currentStep));
}

/** At most this many `describe` calls of one answer are in flight at once. */
const DESCRIBE_CONCURRENCY = 8;

/** Runs `fn` on each item, at most `limit` at once; results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * The progress of each of `accounts` that is in a long step, by its child workflow's pending
 * activity. Only the accounts whose status mark says a long step runs are described, at most
 * DESCRIBE_CONCURRENCY at once; an account whose workflow cannot be described is left out.
 */
export async function readAccountProgress(
  temporal: Client,
  taskId: string,
  accounts: readonly { accountId: string; currentStep?: string | null }[],
): Promise<Record<string, AccountProgress>> {
  const converter = temporal.options.loadedDataConverter.payloadConverter;
  const busy = accounts.filter((a) => inLongStep(a.currentStep)).map((a) => a.accountId);
  const found = await mapLimited(busy, DESCRIBE_CONCURRENCY, async (accountId): Promise<[string, AccountProgress] | null> => {
    const description = await temporal.workflow
      .getHandle(accountUploadWorkflowId(taskId, accountId))
      .describe()
      .catch(() => null);
    for (const activity of description?.raw.pendingActivities ?? []) {
      const payload = activity.heartbeatDetails?.payloads?.[0];
      let details: unknown;
      try {
        details = payload ? converter.fromPayload(payload) : undefined;
      } catch {
        details = undefined;
      }
      const progress = progressOf(activity.activityType?.name ?? '', details);
      if (progress) return [accountId, progress];
    }
    return null;
  });
  return Object.fromEntries(found.filter((f): f is [string, AccountProgress] => f !== null));
}

/** How long requests wait on an answer still being made before one makes it anew. */
const STUCK_ANSWER_MS = 30_000;

/** A bulk's running accounts in a long step, by id; null when there is no such bulk. */
export type BulkProgressAnswer = Record<string, AccountProgress> | null;

/**
 * One answer per bulk per `ttlMs`, however many pages poll it: every open tab of a bulk
 * asks each second, and an answer costs a status read and a `describe` per busy account.
 * Requests that come while an answer is being made share it. An answer that failed is not
 * kept, so the next request tries again.
 */
export function createProgressCache(compute: (taskId: string) => Promise<BulkProgressAnswer>, ttlMs = 1_000): (taskId: string) => Promise<BulkProgressAnswer> {
  const answers = new Map<string, { expires: number; answer: Promise<BulkProgressAnswer> }>();
  return (taskId) => {
    const now = Date.now();
    // Swept on use: the map holds only the bulks asked about within the last ttlMs.
    for (const [key, entry] of answers) if (entry.expires <= now) answers.delete(key);
    const kept = answers.get(taskId);
    if (kept) return kept.answer;
    const answer = compute(taskId);
    // Shared while it is being made, but not forever: one that hangs is asked again.
    const entry = { expires: now + STUCK_ANSWER_MS, answer };
    answers.set(taskId, entry);
    answer.then(
      () => {
        entry.expires = Date.now() + ttlMs;
      },
      () => {
        if (answers.get(taskId) === entry) answers.delete(taskId);
      },
    );
    return answer;
  };
}
