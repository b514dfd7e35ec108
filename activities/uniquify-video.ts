import path from 'node:path';
import { Context } from '@temporalio/activity';
import { UniquifyVideoInputSchema, type UniquifyVideoInput, type UniquifyVideoResult } from '../contracts/activities';
import { VideoData } from '../database/entities';
import { createHash } from 'node:crypto';
import { displayMediaPath, resolveMediaPath, uniquifyVideo as renderVariant, variantFileName } from '../media';
import type { ActivityDeps } from './deps';
import { parseActivityInput, toActivityFailure } from './errors';

/** The variant's seed: the same task, account and video always give the same variant. */
export function variantSeed(taskId: string, accountId: string, videoId: string): string {
  return `${taskId}/${accountId}/${videoId}`;
}

/**
 * uniquifyVideo: renders this account's own variant of a video and returns its path — the
 * file that must be uploaded. Heartbeats its progress; a retry reuses a complete variant
 * from an earlier attempt; a cancel kills ffmpeg and removes the partial file.
 */
export function makeUniquifyVideo({ orm, media }: Pick<ActivityDeps, 'orm' | 'media'>) {
  return async function uniquifyVideo(request: UniquifyVideoInput): Promise<UniquifyVideoResult> {
    const input = parseActivityInput('uniquifyVideo', UniquifyVideoInputSchema, request);
    const ctx = Context.current();
    let lastBeat = 0;
    try {
      const sourcePath = await resolveMediaPath(media.root, input.sourcePath);
      ctx.heartbeat({ progress: 0 });
      const seed = variantSeed(input.taskId, input.accountId, input.videoId);
      const outputDir = path.join(media.variantsDir, input.taskId, input.accountId);
      const result = input.dryRun
        ? {
            filePath: path.join(outputDir, variantFileName(seed, input.preset)),
            sha256: createHash('sha256').update(seed).digest('hex'),
            applied: ['dry run: nothing encoded'],
            durationSec: 0,
            reused: false,
          }
        : await renderVariant({
            sourcePath,
            outputDir,
            seed,
            preset: input.preset,
            displayPath: displayMediaPath(media.root, sourcePath),
            signal: ctx.cancellationSignal,
            onProgress: (fraction) => {
              // Heartbeats are throttled by the SDK too; this keeps the details meaningful.
              if (fraction - lastBeat >= 0.05 || fraction >= 1) {
                lastBeat = fraction;
                ctx.heartbeat({ progress: Math.round(fraction * 100) });
              }
            },
          });
      const em = orm.em.fork();
      // A video already on the platform keeps its state: a retry of the account (the same
      // seed, so the same variant) must find it uploaded or published, not post it again.
      await em.nativeUpdate(
        VideoData,
        { task: input.taskId, accountId: input.accountId, videoId: input.videoId, status: { $nin: ['uploaded', 'published'] } },
        { filePath: result.filePath, sha256: result.sha256, applied: result.applied, status: 'uniquified', error: null },
      );
      return result;
    } catch (err) {
      throw toActivityFailure(err, ctx.cancellationSignal);
    }
  };
}
