/**
 * AccountUpload: one account's part of a bulk. For each video: uniquify it for this
 * account, upload exactly the file that returned, log each step. A video that fails is
 * recorded and the next one is tried; a failure that concerns the whole account (bad
 * credentials, unknown account) stops the account.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { AccountResult, LogLevel, LogLineInput, PlannedPost, UniquifyVideoResult, UploadViaBrowserInput, UploadViaBrowserResult, VideoOutcome } from '../contracts/activities';
import type { BulkVideo, InstagramOptions, TikTokOptions, UniquifyPreset, YouTubeOptions } from '../contracts/bulk-input';
import { accountPacerWorkflowId } from '../contracts/names';
import type { ScheduleOptions } from '../contracts/schedule';
import { postedSignal, releaseSignal } from './account-pacer';
import { movePostSignal, pauseSignal, rescheduleSignal, resumeSignal } from './signals';
import { ACCOUNT_FATAL_FAILURES, FAILURE, type QuotaExhaustedDetails } from '../contracts/failure-types';
import { clipText } from '../contracts/limits';
import { platformKind } from '../contracts/platforms';
import type { AccountStatus } from '../contracts/statuses';
import { appendLog, reserveSlots, uniquifyVideo, uploadViaApi, uploadViaBrowser } from './activity-proxies';

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
  /** Publish on a plan (slots, spacing, a start time) instead of at once; see contracts/schedule.ts. */
  schedule?: ScheduleOptions;
}

/** A change of plan asked for by a signal, applied between steps. */
type PlanChange = { kind: 'move'; videoId: string; publishAt: string } | { kind: 'reschedule'; publishAt: string };

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

/** A post that hit a platform limit on a plan: it was planned again past the reset and waits for its new time. */
class Replanned extends Error {}

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

  /** Set on a plan: hands a platform limit to the pacer instead of sleeping here. */
  let onLimit: ((step: string, limit: string, resetsAt: string) => Promise<void>) | undefined;

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
        // On a plan, the limit goes to the account's pacer, which moves this bulk's posts past
        // the reset and keeps later requests out of it; the plan's own timer does the waiting.
        if (onLimit) {
          await onLimit(step, resets.limit, new Date(resets.at + QUOTA_RESET_MARGIN_MS).toISOString());
          throw new Replanned();
        }
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

  let paused = false;
  const changes: PlanChange[] = [];
  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));
  setHandler(movePostSignal, ({ videoId, publishAt }) => void changes.push({ kind: 'move', videoId, publishAt }));
  setHandler(rescheduleSignal, ({ publishAt }) => void changes.push({ kind: 'reschedule', publishAt }));

  /** A paused bulk starts no new upload: wait here (timers keep running) until it resumes. */
  const waitWhilePaused = async (step: string) => {
    if (!paused) return;
    setCurrentDetails(`${step}: paused`);
    say('info', `${step}: paused; waiting for resume`);
    await mark('running', `${step}: paused`);
    await condition(() => !paused);
  };

  const render = async (step: string, video: BulkVideo): Promise<UniquifyVideoResult> => {
    setCurrentDetails(`${step}: uniquifying`);
    say('info', `${step}: uniquifying ${video.path} (preset ${input.preset})`);
    await mark('running', `${step}: uniquifying`);
    return uniquifyVideo({ taskId, accountId, videoId: video.id, sourcePath: video.path, preset: input.preset, ...(input.dryRun ? { dryRun: true } : {}) });
  };

  const publish = async (step: string, video: BulkVideo, variant: UniquifyVideoResult, ready: string): Promise<void> => {
    await waitWhilePaused(step);
    setCurrentDetails(`${step}: uploading`);
    say('info', `${step}: ${ready}: ${variant.filePath} sha256=${variant.sha256.slice(0, 12)}… [${variant.applied.join('; ')}]`);
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
  };

  /** Records a failed video; true when the failure ends the account (the rest are skipped). */
  const failed = (step: string, videoId: string, err: unknown, rest: BulkVideo[]): boolean => {
    const failure = describeFailure(err);
    outcomes.push({ videoId, status: 'failed', error: failure.message });
    say('error', `${step}: failed: ${failure.message}`);
    if (!failure.type || !ACCOUNT_FATAL.has(failure.type)) return false;
    for (const other of rest) outcomes.push({ videoId: other.id, status: 'failed', error: `skipped: ${failure.message}` });
    return true;
  };

  const stepOf = (index: number, video: BulkVideo) => `video ${index + 1}/${input.videos.length} (${video.id})`;

  /** Every video at once, one after another: a bulk without a schedule. */
  const publishNow = async () => {
    for (const [index, video] of input.videos.entries()) {
      const step = stepOf(index, video);
      try {
        const variant = await render(step, video);
        await publish(step, video, variant, `variant ready${variant.reused ? ' (reused)' : ''}`);
      } catch (err) {
        if (cancelRequested(err)) throw err;
        if (failed(step, video.id, err, input.videos.slice(index + 1))) break;
      }
    }
  };

  // ---- on a plan ----
  const pacer = getExternalWorkflowHandle(accountPacerWorkflowId(input.platform, accountId));
  const keyOf = (videoId: string) => `${taskId}/${videoId}`;
  /** Videos planned but not published or failed yet, by id. */
  const left = new Map<string, { video: BulkVideo; index: number }>();
  const planned = new Map<string, PlannedPost>();

  /** The latest time the bulk was rescheduled to: whatever is planned again later never comes before it. */
  let rescheduledTo: string | undefined;
  const reserve = async (
    videos: BulkVideo[],
    overrides: { publishAt?: string; replanFrom?: string; replan?: boolean; blockedUntil?: { limit: string; resetsAt: string } } = {},
  ) => {
    if (overrides.replanFrom === undefined && (overrides.replan || overrides.blockedUntil) && rescheduledTo) overrides = { ...overrides, replanFrom: rescheduledTo };
    const posts = await reserveSlots({
      taskId,
      accountId,
      platform: input.platform,
      schedule: input.schedule!,
      videos: videos.map((v) => ({ videoId: v.id, ...((overrides.publishAt ?? v.publishAt) ? { publishAt: overrides.publishAt ?? v.publishAt } : {}) })),
      ...(overrides.replanFrom ? { replanFrom: overrides.replanFrom } : {}),
      ...(overrides.replan ? { replan: true } : {}),
      ...(overrides.blockedUntil ? { blockedUntil: overrides.blockedUntil } : {}),
    });
    for (const post of posts) planned.set(post.videoId, post);
    return posts;
  };

  /** Gives a post's time back to the pacer (it will not happen). Never fails the account. */
  const release = async (videoIds: string[]) => {
    if (!videoIds.length) return;
    try {
      await pacer.signal(releaseSignal, { keys: videoIds.map(keyOf) });
    } catch (err) {
      log.warn('could not release planned posts', { taskId, accountId, error: String(err) });
    }
  };

  const applyChange = async (change: PlanChange) => {
    if (change.kind === 'move') {
      const entry = left.get(change.videoId);
      if (!entry) {
        say('warn', `move of ${change.videoId} ignored: it is not waiting to be published`);
        return;
      }
      // From now on its time is fixed, as if the input had given it: a later replan keeps it.
      const moved = { ...entry.video, publishAt: change.publishAt };
      const [post] = await reserve([moved]);
      entry.video = moved;
      say('info', `${stepOf(entry.index, entry.video)}: moved to ${post!.label}`);
      return;
    }
    const videos = [...left.values()].map((e) => e.video);
    if (!videos.length) return;
    const posts = await reserve(videos, { replanFrom: change.publishAt });
    rescheduledTo = change.publishAt;
    say('info', `rescheduled from ${change.publishAt}: ${posts.map((p) => `${p.videoId} at ${p.label}`).join(', ')}`);
  };

  /** Applies the moves and reschedules asked for; one the pacer refuses is logged and the plan kept. */
  const applyChanges = async () => {
    while (changes.length) {
      const change = changes.shift()!;
      try {
        await applyChange(change);
      } catch (err) {
        if (cancelRequested(err)) throw err;
        say('warn', `${change.kind === 'move' ? `move of ${change.videoId}` : 'reschedule'} to ${change.publishAt} failed; the plan is kept: ${describeFailure(err).message}`);
      }
    }
  };

  /** A video that failed on a plan: its time goes back to the pacer, and with it every other one's when the failure ends the account. */
  const dropFailed = async (step: string, videoId: string, err: unknown) => {
    left.delete(videoId);
    const rest = [...left.values()].map((e) => e.video);
    await release([videoId]);
    if (failed(step, videoId, err, rest)) {
      await release(rest.map((v) => v.id));
      left.clear();
    }
  };

  /**
   * When a post's time has passed unpublished, plans every post left again from now, in
   * their order (fixed times stay): they keep their spacing instead of going out back to back.
   */
  const replanOverdue = async (why: string) => {
    const rest = [...left.values()]
      .filter((e) => !e.video.publishAt)
      .sort((a, b) => planned.get(a.video.id)!.fireAtMs - planned.get(b.video.id)!.fireAtMs)
      .map((e) => e.video);
    if (!rest.some((v) => planned.get(v.id)!.fireAtMs < Date.now())) return;
    const again = await reserve(rest, { replan: true });
    say('info', `${why}: planned again: ${again.map((p) => `${p.videoId} at ${p.label}`).join(', ')}`);
  };

  /** Each video at its planned time, its variant rendered ahead. */
  const publishOnPlan = async () => {
    // An account of an imported plan may have no video of its own: nothing to plan.
    if (input.videos.length === 0) return;
    rescheduledTo = input.schedule!.publishAt;
    input.videos.forEach((video, index) => left.set(video.id, { video, index }));
    /** What the account was last shown waiting for (said once, not every wake-up). */
    let waitingFor = '';
    onLimit = async (step, limit, resetsAt) => {
      // Fixed times before the reset cannot be kept: those posts go after it too.
      for (const entry of left.values())
        if (entry.video.publishAt && Date.parse(entry.video.publishAt) < Date.parse(resetsAt)) entry.video = { ...entry.video, publishAt: undefined };
      const rest = [...left.values()].sort((a, b) => planned.get(a.video.id)!.fireAtMs - planned.get(b.video.id)!.fireAtMs).map((e) => e.video);
      const again = await reserve(rest, { blockedUntil: { limit, resetsAt } });
      say('info', `${step}: ${input.platform} ${limit} spent until ${resetsAt}; planned again: ${again.map((p) => `${p.videoId} at ${p.label}`).join(', ')}`);
      waitingFor = '';
    };
    setCurrentDetails('planning');
    const posts = await reserve(input.videos);
    for (const post of [...posts].sort((a, b) => a.fireAtMs - b.fireAtMs)) say('info', `${post.videoId}: planned for ${post.label}`);
    const variants = new Map<string, UniquifyVideoResult>();
    const renderOne = async (videoId: string): Promise<boolean> => {
      const { video, index } = left.get(videoId)!;
      const step = stepOf(index, video);
      try {
        variants.set(videoId, await render(step, video));
        return true;
      } catch (err) {
        if (cancelRequested(err)) throw err;
        await dropFailed(step, videoId, err);
        return false;
      }
    };
    // Rendered now, before any slot, unless each is to be rendered a lead before its own.
    if (input.schedule!.prepareLeadMinutes === undefined) {
      for (const post of [...posts].sort((a, b) => a.fireAtMs - b.fireAtMs)) if (left.has(post.videoId)) await renderOne(post.videoId);
      // Rendering outlasted the first times (a bulk that starts now, say).
      await replanOverdue('rendering took past them');
    }
    while (left.size) {
      await applyChanges();
      const [videoId, { video, index }] = [...left.entries()].sort(([a], [b]) => planned.get(a)!.fireAtMs - planned.get(b)!.fireAtMs)[0]!;
      const post = planned.get(videoId)!;
      const step = stepOf(index, video);
      const variant = variants.get(videoId);
      const target = variant ? post.fireAtMs : (post.prepareAtMs ?? post.fireAtMs);
      if (target > Date.now()) {
        const waiting = variant ? `${step}: waiting for slot ${post.label}` : `${step}: rendering before slot ${post.label}`;
        if (waiting !== waitingFor) {
          waitingFor = waiting;
          setCurrentDetails(waiting);
          say('info', waiting);
          await mark('running', waiting);
        }
        // A durable timer: it survives worker restarts; a change of plan wakes it early.
        if (await condition(() => changes.length > 0, target - Date.now())) continue;
      }
      if (!variant) {
        await renderOne(videoId);
        continue;
      }
      if (paused) {
        if (waitingFor !== 'paused') {
          waitingFor = 'paused';
          setCurrentDetails(`${step}: paused`);
          say('info', `${step}: paused; waiting for resume`);
          await mark('running', `${step}: paused`);
        }
        // A move while paused is applied at once (the loop comes back here after it).
        await condition(() => !paused || changes.length > 0);
        if (!paused) await replanOverdue('their time passed while paused');
        continue;
      }
      try {
        await publish(step, video, variant, `slot ${post.label}; variant ready${variant.reused ? ' (reused)' : ''}`);
        left.delete(videoId);
        try {
          await pacer.signal(postedSignal, { key: keyOf(videoId), at: Date.parse(post.at) });
        } catch (err) {
          log.warn('could not tell the pacer a post went out', { taskId, accountId, error: String(err) });
        }
      } catch (err) {
        if (cancelRequested(err)) throw err;
        if (err instanceof Replanned) continue;
        await dropFailed(step, videoId, err);
      }
    }
  };

  try {
    say('info', `account ${accountId}: ${input.videos.length} video(s) to publish on ${input.platform}`);
    if (input.schedule) await publishOnPlan();
    else await publishNow();
  } catch (err) {
    if (!cancelRequested(err)) throw err;
    // Record the cancellation even though this scope is cancelled.
    await CancellationScope.nonCancellable(async () => {
      await release([...left.keys()]);
      say('warn', `account ${accountId}: cancelled`);
      await mark('cancelled', 'cancelled');
    });
    // A cancellation, whatever the cancelled step threw: the child ends Cancelled, not Failed.
    throw isCancellation(err) ? err : new CancelledFailure(`account ${accountId} cancelled`);
  }

  const failures = outcomes.filter((o) => o.status === 'failed');
  const status = failures.length === 0 ? 'completed' : 'failed';
  const error = failures[0]?.error;
  say(failures.length ? 'error' : 'info', `account ${accountId}: ${outcomes.length - failures.length}/${outcomes.length} published`);
  await mark(status, 'done', error);
  setCurrentDetails(`done: ${outcomes.length - failures.length}/${outcomes.length} published`);
  log.info('account finished', { taskId, accountId, status });
  return { accountId, status, videos: outcomes, ...(error ? { error } : {}) };
}
