/**
 * AccountUpload: one account's part of a bulk. For each video: uniquify it for this
 * account, upload exactly the file that returned, log each step. A video that fails is
 * recorded and the next one is tried; a failure that concerns the whole account (bad
 * credentials, unknown account) stops the account.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, isCancellation, log, setCurrentDetails, sleep } from '@temporalio/workflow';
import type { AccountResult, LogLevel, LogLineInput, UploadViaBrowserInput, UploadViaBrowserResult, VideoOutcome } from '../contracts/activities';
import type { BulkVideo, InstagramOptions, TikTokOptions, UniquifyPreset, YouTubeOptions } from '../contracts/bulk-input';
import { ACCOUNT_FATAL_FAILURES, FAILURE, type QuotaExhaustedDetails } from '../contracts/failure-types';
import { clipText } from '../contracts/limits';
import { platformKind } from '../contracts/platforms';
import type { AccountStatus } from '../contracts/statuses';
import { appendLog, uniquifyVideo, uploadViaApi, uploadViaBrowser } from './activity-proxies';

// ---- types ----

export interface AccountUploadInput {
  taskId: string;
  accountId: string;
  platform: string;
  videos: BulkVideo[];
  preset: UniquifyPreset;
  dryRun?: boolean;
  /** Publishing settings for YouTube, from the bulk's options. */
  youtube?: YouTubeOptions;
  tiktok?: TikTokOptions;
  instagram?: InstagramOptions;
}

/** Failures after which no other video of this account can succeed. */
const ACCOUNT_FATAL = new Set<string>(ACCOUNT_FATAL_FAILURES);

// ---- helpers ----

/**
 * True once this account has been asked to stop. An activity cancelled mid-way may still
 * end in an error of its own (a killed ffmpeg, a closed page) rather than a cancellation:
 * what counts is that the cancel was asked for.
 */
function cancelRequested(err: unknown): boolean {
  return isCancellation(err) || CancellationScope.current().consideredCancelled;
}

/** When a failed API upload says a platform limit is spent (quota, posts per day, inits per minute), when it comes back and which limit it is. */
function limitResets(err: unknown): { at: number; limit: string } | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FAILURE.QuotaExhausted) return undefined;
  const details = cause.details?.[0] as Partial<QuotaExhaustedDetails> | undefined;
  const at = details?.resetsAt ? Date.parse(details.resetsAt) : NaN;
  return Number.isFinite(at) ? { at, limit: details?.limit ?? 'quota' } : undefined;
}
/** Waited past the reset, so the provider's own clock has passed it too. */
const QUOTA_RESET_MARGIN_MS = 5_000;

function describeFailure(err: unknown): { message: string; type?: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { message: cause.message, type: cause.type ?? undefined };
  if (cause instanceof Error) return { message: cause.message };
  return { message: String(cause) };
}

// ---- workflow ----

/** Uniquifies and publishes every video of the bulk for one account. */
export async function AccountUpload(input: AccountUploadInput): Promise<AccountResult> {
  const { taskId, accountId } = input;
  const outcomes: VideoOutcome[] = [];

  // Log lines wait here for the next status mark and go out with it, in one local activity:
  // a step's status and its lines land together, at half the cost of writing them apart.
  // Nothing waits long: every step ends with a mark.
  // A mark runs to its end even when the account is cancelled meanwhile, so that a late
  // "running" can never land after "cancelled"; lines of a mark that failed are kept for
  // the next one.
  let pending: LogLineInput[] = [];
  let marks = 0;
  const say = (level: LogLevel, message: string) => void pending.push({ level, message: clipText(message) });
  const mark = async (status: AccountStatus, currentStep: string, error?: string) => {
    const lines = pending;
    pending = [];
    const accountStatus = { status, currentStep, ...(error ? { error: clipText(error) } : {}) };
    try {
      await CancellationScope.nonCancellable(() => appendLog({ taskId, accountId, ...(lines.length ? { lines } : {}), accountStatus, key: `mark-${++marks}` }));
    } catch (err) {
      pending = [...lines, ...pending];
      throw err;
    }
  };

  /**
   * Uploads through the platform's API. A spent quota is a wait, not a failure: the account
   * sleeps on a durable timer (it survives restarts, and shows in the Web UI and the
   * dashboard) until the quota resets, then asks again.
   */
  const publishViaApi = async (step: string, upload: UploadViaBrowserInput): Promise<UploadViaBrowserResult> => {
    for (;;) {
      try {
        return await uploadViaApi({
          ...upload,
          ...(input.youtube ? { youtube: input.youtube } : {}),
          ...(input.tiktok ? { tiktok: input.tiktok } : {}),
          ...(input.instagram ? { instagram: input.instagram } : {}),
        });
      } catch (err) {
        const resets = limitResets(err);
        if (resets === undefined || cancelRequested(err)) throw err;
        const until = new Date(resets.at).toISOString();
        const waiting = `${step}: waiting for ${resets.limit} until ${until}`;
        setCurrentDetails(waiting);
        say('info', `${step}: ${input.platform} ${resets.limit} spent; waiting for ${resets.limit} until ${until}`);
        await mark('running', waiting);
        await sleep(Math.max(resets.at - Date.now(), 0) + QUOTA_RESET_MARGIN_MS);
        setCurrentDetails(`${step}: uploading`);
        await mark('running', `${step}: uploading`);
      }
    }
  };

  try {
    say('info', `account ${accountId}: ${input.videos.length} video(s) to publish on ${input.platform}`);

    for (const [index, video] of input.videos.entries()) {
      const step = `video ${index + 1}/${input.videos.length} (${video.id})`;
      try {
        setCurrentDetails(`${step}: uniquifying`);
        say('info', `${step}: uniquifying ${video.path} (preset ${input.preset})`);
        await mark('running', `${step}: uniquifying`);
        const variant = await uniquifyVideo({ taskId, accountId, videoId: video.id, sourcePath: video.path, preset: input.preset, ...(input.dryRun ? { dryRun: true } : {}) });

        setCurrentDetails(`${step}: uploading`);
        say('info', `${step}: variant ready${variant.reused ? ' (reused)' : ''}: ${variant.filePath} sha256=${variant.sha256.slice(0, 12)}… [${variant.applied.join('; ')}]`);
        await mark('running', `${step}: uploading`);
        const upload: UploadViaBrowserInput = {
          taskId,
          accountId,
          videoId: video.id,
          platform: input.platform,
          filePath: variant.filePath,
          caption: video.caption,
          ...(input.dryRun ? { dryRun: true } : {}),
        };
        const post = platformKind(input.platform) === 'api' ? await publishViaApi(step, upload) : await uploadViaBrowser(upload);
        say('info', `${step}: ${post.alreadyPublished ? 'already published' : 'published'}: ${post.url}`);
        outcomes.push({ videoId: video.id, status: 'published', postId: post.postId, url: post.url, filePath: variant.filePath });
      } catch (err) {
        if (cancelRequested(err)) throw err;
        const failure = describeFailure(err);
        outcomes.push({ videoId: video.id, status: 'failed', error: failure.message });
        say('error', `${step}: failed: ${failure.message}`);
        if (failure.type && ACCOUNT_FATAL.has(failure.type)) {
          for (const rest of input.videos.slice(index + 1)) outcomes.push({ videoId: rest.id, status: 'failed', error: `skipped: ${failure.message}` });
          break;
        }
      }
    }
  } catch (err) {
    if (!cancelRequested(err)) throw err;
    // Record the cancellation even though this scope is cancelled.
    await CancellationScope.nonCancellable(async () => {
      say('warn', `account ${accountId}: cancelled`);
      await mark('cancelled', 'cancelled');
    });
    // A cancellation, whatever the cancelled step threw: the child ends Cancelled, not Failed.
    throw isCancellation(err) ? err : new CancelledFailure(`account ${accountId} cancelled`);
  }

  const failed = outcomes.filter((o) => o.status === 'failed');
  const status = failed.length === 0 ? 'completed' : 'failed';
  const error = failed[0]?.error;
  say(failed.length ? 'error' : 'info', `account ${accountId}: ${outcomes.length - failed.length}/${outcomes.length} published`);
  await mark(status, 'done', error);
  setCurrentDetails(`done: ${outcomes.length - failed.length}/${outcomes.length} published`);
  log.info('account finished', { taskId, accountId, status });
  return { accountId, status, videos: outcomes, ...(error ? { error } : {}) };
}
