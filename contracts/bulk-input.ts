/**
 * The bulk upload input: one schema for the HTTP API, the CLI (`temporal workflow start
 * --input-file`) and the workflow (through the `validateBulkInput` local activity), so a
 * bulk started either way is the same bulk. Workflows import only its types: zod would be
 * evaluated again for every workflow the worker starts.
 */
import { z } from 'zod';
import { InstantSchema, MAX_SCHEDULED_ACCOUNTS, ScheduleOptionsSchema } from './schedule';

/** Ids that end up in workflow IDs and Redis keys: short, no separators that could collide. */
export const IdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 characters of letters, digits, "_", "-" or "." and start with a letter or digit');

export const UNIQUIFY_PRESETS = ['fast', 'balanced', 'strong'] as const;
export const UniquifyPresetSchema = z.enum(UNIQUIFY_PRESETS);
export type UniquifyPreset = z.infer<typeof UniquifyPresetSchema>;

export const LIMITS = {
  videosPerBulk: 100,
  accountsPerBulk: 10_000,
  captionLength: 2_200,
  maxConcurrency: 100,
} as const;

export const VideoInputSchema = z.object({
  /** Stable id of the video within the task; defaults to `video-<n>` (1-based position). */
  id: IdSchema.optional(),
  /** Path of the original, relative to MEDIA_ROOT (absolute paths must lie under it). */
  path: z.string().min(1, 'must not be empty').max(1024),
  caption: z.string().max(LIMITS.captionLength).default(''),
  /** Publish this video at exactly this time, whatever the slots say (it still counts towards spacing and the daily maximum of later posts). */
  publishAt: InstantSchema.optional(),
  /** Publish this video only to these accounts of the bulk (default: every account); an imported plan's rows use it. */
  accountIds: z.array(IdSchema).min(1).max(LIMITS.accountsPerBulk).optional(),
});

export const PRIVACY_STATUSES = ['private', 'unlisted', 'public'] as const;

/** How videos are published on YouTube. An unaudited Google project can publish `private` only. */
export const YouTubeOptionsSchema = z.object({
  privacyStatus: z.enum(PRIVACY_STATUSES).default('private'),
  /** Whether the videos are made for kids (YouTube requires the answer; COPPA). */
  madeForKids: z.boolean().default(false),
  /** A YouTube video category id, e.g. "22" (People & Blogs). */
  categoryId: z
    .string()
    .regex(/^[0-9]{1,4}$/, 'must be a YouTube category id (digits)')
    .optional(),
});
export type YouTubeOptions = z.infer<typeof YouTubeOptionsSchema>;

/** TikTok's privacy levels, as its Content Posting API names them. */
export const TIKTOK_PRIVACY_LEVELS = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'] as const;

/**
 * How videos are posted on TikTok. An unaudited app can post `SELF_ONLY` only; each
 * account's creator info says which levels it allows (checked before any byte is sent).
 */
export const TikTokOptionsSchema = z.object({
  privacyLevel: z.enum(TIKTOK_PRIVACY_LEVELS).default('SELF_ONLY'),
  /** `direct`: posted at once; `inbox`: sent to the creator's TikTok inbox, who finishes the post in the app. */
  mode: z.enum(['direct', 'inbox']).default('direct'),
  disableComment: z.boolean().default(false),
  disableDuet: z.boolean().default(false),
  disableStitch: z.boolean().default(false),
});
export type TikTokOptions = z.infer<typeof TikTokOptionsSchema>;

/** How Reels are published on Instagram. */
export const InstagramOptionsSchema = z.object({
  /** Show the Reel in the profile's feed too, not only in the Reels tab. */
  shareToFeed: z.boolean().default(true),
});
export type InstagramOptions = z.infer<typeof InstagramOptionsSchema>;

export const BulkOptionsSchema = z.object({
  uniquifyPreset: UniquifyPresetSchema.default('fast'),
  /** How many accounts upload at the same time. */
  concurrency: z.number().int().min(1).max(LIMITS.maxConcurrency).default(3),
  /**
   * Rehearsal: every activity runs and records for real, but uniquify encodes nothing and
   * the upload opens no browser. For benchmarks of the orchestration and for dry runs.
   */
  dryRun: z.boolean().default(false),
  /**
   * The parent continues as new once its history passes this many events (default 4,000,
   * well under Temporal's 10,000 suggestion). Lower only to see continue-as-new happen.
   */
  historyEventsBeforeContinue: z.number().int().min(50).max(9_000).optional(),
  /** Publishing settings for YouTube (used when the platform is `youtube`). */
  youtube: YouTubeOptionsSchema.optional(),
  /** Publishing settings for TikTok (used when the platform is `tiktok`). */
  tiktok: TikTokOptionsSchema.optional(),
  /** Publishing settings for Instagram (used when the platform is `instagram`). */
  instagram: InstagramOptionsSchema.optional(),
  /** When to publish: a start time, posting slots, spacing, a daily maximum (see contracts/schedule.ts). Without it: now. */
  schedule: ScheduleOptionsSchema.optional(),
});

/** A bulk's options after validation (defaults filled in). */
export type BulkOptions = z.infer<typeof BulkOptionsSchema>;

/** A Google Drive folder whose videos are downloaded under MEDIA_ROOT before the accounts start. */
export const DriveFolderSourceSchema = z.object({
  folderId: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a Drive folder id (letters, digits, "_" and "-")'),
  /** Whose Google credentials (and cache entries) to use. */
  userId: IdSchema.default('default'),
  maxFiles: z.number().int().min(1).max(LIMITS.videosPerBulk).default(20),
  caption: z.string().max(LIMITS.captionLength).default(''),
});
export type DriveFolderSource = z.infer<typeof DriveFolderSourceSchema>;

export const BulkUploadInputSchema = z
  .object({
    taskId: IdSchema,
    platform: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/)
      .default('demo'),
    videos: z.array(VideoInputSchema).max(LIMITS.videosPerBulk).default([]),
    driveFolder: DriveFolderSourceSchema.optional(),
    accountIds: z.array(IdSchema).min(1).max(LIMITS.accountsPerBulk),
    options: BulkOptionsSchema.default({ uniquifyPreset: 'fast', concurrency: 3, dryRun: false }),
  })
  .superRefine((input, ctx) => {
    if (input.videos.length === 0 && !input.driveFolder) {
      ctx.addIssue({ code: 'custom', path: ['videos'], message: 'must list at least one video, or name a driveFolder to take them from' });
    }
    const seenAccounts = new Set<string>();
    input.accountIds.forEach((id, i) => {
      if (seenAccounts.has(id)) ctx.addIssue({ code: 'custom', path: ['accountIds', i], message: `duplicate account id "${id}"` });
      seenAccounts.add(id);
    });
    const seenVideos = new Set<string>();
    input.videos.forEach((video, i) => {
      const id = video.id ?? defaultVideoId(i);
      if (seenVideos.has(id)) ctx.addIssue({ code: 'custom', path: ['videos', i, 'id'], message: `duplicate video id "${id}"` });
      seenVideos.add(id);
      video.accountIds?.forEach((accountId, j) => {
        if (!seenAccounts.has(accountId))
          ctx.addIssue({ code: 'custom', path: ['videos', i, 'accountIds', j], message: `account "${accountId}" is not in this bulk's accountIds` });
      });
    });
    if ((input.options.schedule || input.videos.some((v) => v.publishAt)) && input.accountIds.length > MAX_SCHEDULED_ACCOUNTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['accountIds'],
        message: `a scheduled bulk holds at most ${MAX_SCHEDULED_ACCOUNTS} accounts (it starts them all at once, each waiting for its slots); split it`,
      });
    }
  });

/** What a caller writes (defaults optional). */
export type BulkUploadRequest = z.input<typeof BulkUploadInputSchema>;

/** One video of a bulk after validation: its id within the task, its original, its caption. */
export interface BulkVideo {
  id: string;
  /** The original, relative to MEDIA_ROOT (as the operator typed it). */
  path: string;
  caption: string;
  /** A fixed publish time for this video (ISO, with zone). */
  publishAt?: string;
  /** Only these accounts get this video (default: all of the bulk's). */
  accountIds?: string[];
}

/** The videos one account of a bulk publishes, in the bulk's order. */
export function videosForAccount(videos: BulkVideo[], accountId: string): BulkVideo[] {
  return videos.filter((v) => !v.accountIds || v.accountIds.includes(accountId));
}

/** True when a bulk publishes on a plan rather than at once. */
export function isScheduled(input: Pick<BulkUploadInput, 'videos' | 'options'>): boolean {
  return input.options.schedule !== undefined || input.videos.some((v) => v.publishAt !== undefined);
}

/** A bulk after validation: every video has its id, every option its value. */
export interface BulkUploadInput {
  taskId: string;
  platform: string;
  videos: BulkVideo[];
  /** Resolved into `videos` by the workflow's first step. */
  driveFolder?: DriveFolderSource;
  accountIds: string[];
  options: BulkOptions;
}

function defaultVideoId(index: number): string {
  return `video-${index + 1}`;
}

/** Why an input was rejected: one line per field, e.g. `videos.0.path: must not be empty`. */
export class BulkInputError extends Error {
  constructor(readonly issues: { field: string; message: string }[]) {
    super(`invalid bulk upload input: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'BulkInputError';
  }
}

/** Turns zod issues into field/message pairs a person can act on. */
export function describeIssues(error: Pick<z.ZodError, 'issues'>): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(input)',
    message: issue.message,
  }));
}

/** Validates and normalises a bulk input; throws {@link BulkInputError} naming each bad field. */
export function parseBulkUploadInput(raw: unknown): BulkUploadInput {
  const result = BulkUploadInputSchema.safeParse(raw);
  if (!result.success) throw new BulkInputError(describeIssues(result.error));
  const input = result.data;
  return {
    ...input,
    videos: input.videos.map((v, i) => ({
      id: v.id ?? defaultVideoId(i),
      path: v.path,
      caption: v.caption,
      ...(v.publishAt ? { publishAt: v.publishAt } : {}),
      ...(v.accountIds ? { accountIds: v.accountIds } : {}),
    })),
  };
}
