import fs from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Page } from 'playwright-core';
import { UploadViaBrowserInputSchema, type UploadViaBrowserInput, type UploadViaBrowserResult } from '../contracts/activities';
import { recordedSignIn } from '../accounts/account-state';
import { browserProxy } from '../accounts/proxy';
import { FAILURE } from '../contracts/failure-types';
import { Account, VideoData } from '../database/entities';
import { isInside, sha256File } from '../media';
import type { StorageState } from '../platforms/browser-pool';
import type { ActivityDeps } from './deps';
import { nonRetryable, parseActivityInput, toActivityFailure } from './errors';

/**
 * How long an upload may show no progress before its attempt is abandoned: just under the
 * activity's heartbeat timeout (1 minute, workflows/activity-proxies.ts), so a hung
 * platform ends the attempt — and Temporal retries it — instead of leaving it running.
 */
export const UPLOAD_STALL_MS = 50_000;

/**
 * Liveness and progress of one upload attempt. A steady heartbeat says the worker is alive
 * (and is how a cancel reaches us); whether the upload itself is stuck is the stall
 * watchdog's call, from real progress only. Created as the activity's first act and stopped
 * in its `finally`.
 */
class ProgressWatch {
  private lastStep = 'waiting for a browser';
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly ticker: NodeJS.Timeout;
  private readonly stall = new AbortController();
  /** Aborted when no progress was reported for UPLOAD_STALL_MS. */
  readonly stalled = this.stall.signal;

  constructor(private readonly ctx: Context) {
    this.ticker = setInterval(() => ctx.heartbeat({ step: this.lastStep }), 5_000);
  }

  /** Reports progress: heartbeats the step and re-arms the stall watchdog. */
  step(step: string): void {
    this.lastStep = step;
    this.ctx.heartbeat({ step });
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.stall.abort(new Error(`no progress for ${UPLOAD_STALL_MS / 1000} s while ${this.lastStep}`)), UPLOAD_STALL_MS);
  }

  /** Stops both timers; the watch is done. */
  stop(): void {
    clearInterval(this.ticker);
    clearTimeout(this.stallTimer);
  }
}

/**
 * uploadViaBrowser: publishes exactly `filePath` (a variant made by uniquifyVideo; the
 * original never reaches the browser) through a browser session of the account. The
 * stored session is used when still valid; otherwise it signs in with the account's
 * credentials and saves the new session, encrypted. Before uploading it asks the database
 * and then the platform whether this file was already published, so a retry never posts
 * twice. On failure it saves a screenshot and the page's HTML and names them in the log.
 */
export function makeUploadViaBrowser(deps: Pick<ActivityDeps, 'orm' | 'secrets' | 'browserPool' | 'platform' | 'logStore' | 'media'>) {
  const { orm, secrets, browserPool, media, logStore } = deps;

  async function saveEvidence(page: Page, name: string): Promise<string[]> {
    const dir = path.join(media.artifactsDir, name);
    await fs.mkdir(path.dirname(dir), { recursive: true });
    const files: string[] = [];
    try {
      await page.screenshot({
        path: `${dir}.png`,
        fullPage: true,
        timeout: 5_000,
      });
      files.push(`${dir}.png`);
    } catch {
      // A crashed page cannot be photographed; the HTML may still be there.
    }
    try {
      await fs.writeFile(`${dir}.html`, await page.content());
      files.push(`${dir}.html`);
    } catch {
      // Nothing more to keep.
    }
    return files;
  }

  async function upload(request: UploadViaBrowserInput, ctx: Context, watch: ProgressWatch): Promise<UploadViaBrowserResult> {
    const input = parseActivityInput('uploadViaBrowser', UploadViaBrowserInputSchema, request);
    const beat = (step: string) => watch.step(step);
    const filePath = path.resolve(input.filePath);
    if (!isInside(path.resolve(media.variantsDir), filePath)) {
      throw nonRetryable(
        FAILURE.InvalidInput,
        `uploadViaBrowser: ${input.filePath} is not a variant made by uniquifyVideo (must lie under ${media.variantsDir}); originals are never uploaded`,
      );
    }
    if (!input.dryRun) {
      try {
        await fs.access(filePath);
      } catch {
        throw nonRetryable(FAILURE.VideoNotFound, `variant not found: ${filePath}`);
      }
    }

    const em = orm.em.fork();
    const video = await em.findOne(VideoData, {
      task: input.taskId,
      accountId: input.accountId,
      videoId: input.videoId,
    });
    if (video?.status === 'published' && video.postId && video.postUrl && video.filePath === filePath) {
      return {
        postId: video.postId,
        url: video.postUrl,
        alreadyPublished: true,
      };
    }
    const account = await em.findOne(Account, input.accountId);
    if (!account) throw nonRetryable(FAILURE.UnknownAccount, `unknown account: ${input.accountId}`);
    if (account.platform !== input.platform) {
      throw nonRetryable(FAILURE.UnknownAccount, `account ${input.accountId} is on ${account.platform}, not ${input.platform}`);
    }
    if (input.dryRun) {
      // Everything but the browser: the account was checked, the post is recorded.
      const postId = `dry-${(video?.sha256 ?? input.videoId).slice(0, 12)}`;
      const url = `dry-run://${input.platform}/${encodeURIComponent(account.username)}/${postId}`;
      if (video) {
        Object.assign(video, {
          status: 'published',
          postId,
          postUrl: url,
          filePath,
          error: null,
        });
        await em.flush();
      }
      return { postId, url, alreadyPublished: false };
    }
    const credentials = {
      username: account.username,
      password: secrets.decrypt(account.passwordEnc, `the password of account ${account.id}`),
      ...(account.otpCodeEnc
        ? {
            otpCode: secrets.decrypt(account.otpCodeEnc, `the one-time code of account ${account.id}`),
          }
        : {}),
    };
    const storageState = account.sessionEnc ? (JSON.parse(secrets.decrypt(account.sessionEnc, `the session of account ${account.id}`)) as StorageState) : undefined;
    const sha256 = video?.filePath === filePath && video.sha256 ? video.sha256 : await sha256File(filePath);
    const adapter = deps.platform(input.platform);

    const result = await browserPool.withContext(
      {
        storageState,
        proxy: browserProxy(account, secrets),
        signal: AbortSignal.any([ctx.cancellationSignal, watch.stalled]),
      },
      async (context, page) => {
        try {
          beat('checking session');
          if (!(await adapter.isSignedIn(page))) {
            beat('signing in');
            // A refusal shows on the Accounts page as `session_expired`; a sign-in that works clears it.
            await recordedSignIn(em, account, () => adapter.signIn(page, credentials));
            account.sessionEnc = secrets.encrypt(JSON.stringify(await context.storageState()));
            await em.flush();
          }
          beat('checking for an earlier post');
          const existing = await adapter.findExistingPost(page, {
            sha256,
            caption: input.caption,
          });
          if (existing) return { ...existing, alreadyPublished: true };
          beat('uploading');
          const post = await adapter.publish(page, {
            filePath,
            caption: input.caption,
            onProgress: beat,
          });
          return { ...post, alreadyPublished: false };
        } catch (err) {
          const name = `${input.taskId}/${input.accountId}-${input.videoId}-attempt${ctx.info.attempt}`;
          const files = await saveEvidence(page, name);
          const reason = err instanceof Error ? err.message : String(err);
          await logStore
            .append({
              taskId: input.taskId,
              accountId: input.accountId,
              level: 'warn',
              message: `upload attempt ${ctx.info.attempt} of ${input.videoId} failed: ${reason}${files.length ? `; saved ${files.join(', ')}` : ''}`,
            })
            .catch(() => undefined);
          throw err;
        }
      },
    );
    if (video) {
      video.status = 'published';
      video.postId = result.postId;
      video.postUrl = result.url;
      video.filePath = filePath;
      video.sha256 = sha256;
      video.error = null;
      await em.flush();
    }
    return result;
  }

  return async function uploadViaBrowser(request: UploadViaBrowserInput): Promise<UploadViaBrowserResult> {
    const ctx = Context.current();
    // The watch's timers are created here and stopped in `finally`, so no exit path, early
    // or late, leaves a timer heartbeating a finished activity.
    const watch = new ProgressWatch(ctx);
    try {
      return await upload(request, ctx, watch);
    } catch (err) {
      if (watch.stalled.aborted && !ctx.cancellationSignal.aborted) {
        throw ApplicationFailure.retryable(`upload of ${request.videoId} stalled: ${String((watch.stalled.reason as Error).message)}`, FAILURE.UploadStalled);
      }
      throw toActivityFailure(err, ctx.cancellationSignal);
    } finally {
      watch.stop();
    }
  };
}
