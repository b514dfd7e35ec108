/**
 * Inputs and results of every activity: the types that cross the workflow/activity line.
 * Workflows import these with `import type`; activities validate their input with the
 * schemas here, because a workflow started from the CLI or replayed from an old history can
 * hand them anything. Payloads are paths and ids, never file contents or secrets.
 */
import { z } from 'zod';
import {
  BulkOptionsSchema,
  DriveFolderSourceSchema,
  IdSchema,
  UniquifyPresetSchema,
  YouTubeOptionsSchema,
  TikTokOptionsSchema,
  InstagramOptionsSchema,
  type BulkUploadInput,
  type BulkVideo,
} from './bulk-input';
import { ACCOUNT_STATUSES, TASK_STATUSES, type AccountCounts, type AccountOutcome } from './statuses';
import { MAX_LOG_MESSAGE_CHARS } from './limits';
import { ScheduleOptionsSchema } from './schedule';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const LogLevelSchema = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevelSchema>;

export { ACCOUNT_STATUSES, TASK_STATUSES, type AccountStatus, type TaskStatus } from './statuses';

export const RegisterTaskInputSchema = z.object({
  taskId: IdSchema,
  platform: z.string(),
  videos: z.array(z.object({ id: IdSchema, path: z.string(), caption: z.string(), publishAt: z.string().optional(), accountIds: z.array(IdSchema).optional() })).min(1),
  accountIds: z.array(IdSchema).min(1),
  options: BulkOptionsSchema,
  workflowId: z.string(),
  /** The bulk input's fingerprint (see bulks/fingerprint.ts): a task id re-used with other input is refused. */
  fingerprint: z.string().min(1).max(128),
});
export type RegisterTaskInput = z.input<typeof RegisterTaskInputSchema>;
export interface RegisterTaskResult {
  /** Accounts named in the input that have no `Account` row on this platform: they fail without any work. */
  unknownAccountIds: string[];
  /**
   * Accounts of the task that this run does not include (a retry of the failed ones runs
   * over a subset), by how they ended: the bulk's outcome counts them too.
   */
  earlier: AccountCounts;
}

/** What `validateBulkInput` returns: the checked, normalised input and its fingerprint. */
export interface ValidatedBulkInput {
  input: BulkUploadInput;
  fingerprint: string;
}

export const ImportDriveFolderInputSchema = DriveFolderSourceSchema.extend({ taskId: IdSchema });
export type ImportDriveFolderInput = z.input<typeof ImportDriveFolderInputSchema>;
/** The downloaded videos, as bulk videos (paths relative to MEDIA_ROOT). */
export type ImportDriveFolderResult = BulkVideo[];

export const UniquifyVideoInputSchema = z.object({
  taskId: IdSchema,
  accountId: IdSchema,
  videoId: IdSchema,
  /** The original, as given in the bulk input (relative to MEDIA_ROOT). */
  sourcePath: z.string().min(1),
  preset: UniquifyPresetSchema,
  /** Plan and record the variant, encode nothing (see the bulk option `dryRun`). */
  dryRun: z.boolean().optional(),
});
export type UniquifyVideoInput = z.input<typeof UniquifyVideoInputSchema>;
export interface UniquifyVideoResult {
  /** Absolute path of the new variant: the file that must be uploaded. */
  filePath: string;
  sha256: string;
  /** Human-readable list of the transforms applied, e.g. `crop 6px`, `hue +3°`. */
  applied: string[];
  durationSec: number;
  /** True when a complete variant from an earlier attempt was reused. */
  reused: boolean;
}

export const UploadViaBrowserInputSchema = z.object({
  taskId: IdSchema,
  accountId: IdSchema,
  videoId: IdSchema,
  platform: z.string(),
  /** The uniquified file returned by uniquifyVideo; the original never reaches the browser. */
  filePath: z.string().min(1),
  caption: z.string(),
  /** Record a post without opening a browser (see the bulk option `dryRun`). */
  dryRun: z.boolean().optional(),
});
export type UploadViaBrowserInput = z.input<typeof UploadViaBrowserInputSchema>;
export interface UploadViaBrowserResult {
  postId: string;
  url: string;
  /** True when an earlier attempt had already published it: nothing was posted this time. */
  alreadyPublished: boolean;
}

export const UploadViaApiInputSchema = UploadViaBrowserInputSchema.extend({
  /** Publishing settings from the bulk's options, for the platforms that read them. */
  youtube: YouTubeOptionsSchema.optional(),
  tiktok: TikTokOptionsSchema.optional(),
  instagram: InstagramOptionsSchema.optional(),
});
export type UploadViaApiInput = z.input<typeof UploadViaApiInputSchema>;
/** What uploadViaApi returns: the post, once the platform says it is live. */
export type UploadViaApiResult = UploadViaBrowserResult;

/**
 * A resumable upload session as it is stored and heartbeated. Its URI is sealed with the
 * secret box: a provider may accept a session URI alone as the right to write to it.
 */
export interface SealedUploadSession {
  uriSealed: string;
  /** SHA-256 of the file the session was opened for: another file never continues it. */
  fileSha256: string;
  bytesTotal: number;
  startedAt: string;
  /** What the platform created with the session (TikTok's publish_id, Instagram's container id), when it names one before the bytes. */
  remoteId?: string;
  /** The chunk size the session was opened with, for platforms whose plan fixes it (TikTok). */
  chunkBytes?: number;
}

/** What uploadViaApi heartbeats: how far the upload is, and the session to continue after a crash. */
export interface UploadHeartbeat {
  step: string;
  bytesConfirmed?: number;
  bytesTotal?: number;
  session?: SealedUploadSession;
}

export const ReserveSlotsInputSchema = z.object({
  taskId: IdSchema,
  accountId: IdSchema,
  platform: z.string(),
  schedule: ScheduleOptionsSchema,
  videos: z.array(z.object({ videoId: IdSchema, publishAt: z.string().optional() })).min(1),
  /** Plan these again from this time (a bulk moved), instead of keeping the times they have. */
  replanFrom: z.string().optional(),
  /** Plan these again from now (their time passed while the bulk was paused). */
  replan: z.boolean().optional(),
  /** A platform limit the account hit (real time it resets, ISO): every bulk's posts to it wait past it, these are planned again after it. */
  blockedUntil: z.object({ limit: z.string().min(1).max(64), resetsAt: z.string() }).optional(),
});
export type ReserveSlotsInput = z.input<typeof ReserveSlotsInputSchema>;

/** A post's planned time. */
export interface PlannedPost {
  videoId: string;
  /** Plan time (ISO): what the operator reads. */
  at: string;
  /** The real time the upload starts (epoch ms): what the workflow's timer waits for. */
  fireAtMs: number;
  /** The real time its variant is rendered, when `prepareLeadMinutes` is set. */
  prepareAtMs?: number;
  /** `at` as the operator reads it, e.g. `2026-11-25 09:00 Europe/Berlin`. */
  label: string;
}

export const LogLineInputSchema = z.object({ level: LogLevelSchema, message: z.string().max(MAX_LOG_MESSAGE_CHARS) });
export type LogLineInput = z.infer<typeof LogLineInputSchema>;

/** How far an account has got, as the dashboard shows it. */
export const AccountStatusMarkSchema = z.object({
  status: z.enum(ACCOUNT_STATUSES),
  currentStep: z.string().max(1_000).optional(),
  error: z.string().max(MAX_LOG_MESSAGE_CHARS).optional(),
});

/**
 * One line (`level` + `message`) or several (`lines`, written in one statement, in order),
 * and optionally the account's new status in the same call: a step's status and its log
 * line land together, in one local activity instead of two.
 */
export const AppendLogInputSchema = z
  .object({
    taskId: IdSchema,
    accountId: IdSchema.optional(),
    level: LogLevelSchema.optional(),
    message: z.string().max(MAX_LOG_MESSAGE_CHARS).optional(),
    lines: z.array(LogLineInputSchema).min(1).max(100).optional(),
    accountStatus: AccountStatusMarkSchema.optional(),
    /**
     * Unique within the workflow run for this call (a workflow's own counter). A retry with
     * the same key writes no line twice. Without it the activity id is used, which a local
     * activity retried past its local retry threshold does not keep.
     */
    key: z.string().min(1).max(64).optional(),
  })
  .superRefine((v, ctx) => {
    const single = v.level !== undefined || v.message !== undefined;
    if (single && v.lines) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'give either level and message, or lines, not both' });
    if (!single && !v.lines && !v.accountStatus) ctx.addIssue({ code: 'custom', path: ['message'], message: 'give level and message, lines, or accountStatus' });
    if (single && (v.level === undefined || v.message === undefined))
      ctx.addIssue({ code: 'custom', path: [v.level === undefined ? 'level' : 'message'], message: 'level and message go together' });
    if (v.accountStatus && !v.accountId) ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'is required with accountStatus' });
  });
export type AppendLogInput = z.input<typeof AppendLogInputSchema>;

export interface VideoOutcome {
  videoId: string;
  status: 'published' | 'failed';
  postId?: string;
  url?: string;
  filePath?: string;
  error?: string;
}

export interface AccountResult {
  accountId: string;
  status: AccountOutcome;
  videos: VideoOutcome[];
  error?: string;
}

/** An account's status mark, as `appendLog` applies it. */
export type AccountStatusUpdate = z.infer<typeof AccountStatusMarkSchema> & { taskId: string; accountId: string };

/** The bulk's status and counts as the workflow decided them (every account, earlier runs included). */
export const RecordTaskStatusInputSchema = z.object({
  taskId: IdSchema,
  status: z.enum(TASK_STATUSES),
  completedAccounts: z.number().int().min(0),
  failedAccounts: z.number().int().min(0),
});
export type RecordTaskStatusInput = z.input<typeof RecordTaskStatusInputSchema>;
