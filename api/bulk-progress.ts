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
 * The progress of each of `accountIds` (the running ones: one `describe` each) that is in a
 * long step; an account whose workflow cannot be described is left out.
 */
export async function readAccountProgress(temporal: Client, taskId: string, accountIds: string[]): Promise<Record<string, AccountProgress>> {
  const converter = temporal.options.loadedDataConverter.payloadConverter;
  const found = await Promise.all(
    accountIds.map(async (accountId): Promise<[string, AccountProgress] | null> => {
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
    }),
  );
  return Object.fromEntries(found.filter((f): f is [string, AccountProgress] => f !== null));
}
