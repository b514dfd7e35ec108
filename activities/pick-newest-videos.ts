import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { LIMITS } from '../contracts/bulk-input';
import { FAILURE } from '../contracts/failure-types';
import type { PickNewestVideosInput, PickedVideo } from '../contracts/recurring-bulk';
import { FolderNotFoundError, newestVideos } from '../media/newest-videos';
import type { ActivityDeps } from './deps';
import { nonRetryable, parseActivityInput, toActivityFailure } from './errors';

const PickNewestVideosInputSchema = z.object({
  folder: z.string().min(1).max(1024),
  newest: z.number().int().min(1).max(LIMITS.videosPerBulk),
}) satisfies z.ZodType<PickNewestVideosInput>;

/**
 * pickNewestVideos: a recurring bulk's fire takes the newest videos of its folder under
 * MEDIA_ROOT (by modification time; by extension, then ffprobe). A folder outside the media
 * root or not there fails without retries: the schedule's next fire looks again.
 */
export function makePickNewestVideos({ media }: Pick<ActivityDeps, 'media'>) {
  return async function pickNewestVideos(request: PickNewestVideosInput): Promise<PickedVideo[]> {
    const input = parseActivityInput('pickNewestVideos', PickNewestVideosInputSchema, request);
    try {
      const { videos, skipped } = await newestVideos(media, input.folder, input.newest);
      for (const s of skipped) Context.current().log.warn(`pickNewestVideos: skipped ${s.reason}`);
      return videos.map((v) => ({ path: v.path, name: v.name, modifiedAt: v.modifiedAt.toISOString() }));
    } catch (err) {
      if (err instanceof FolderNotFoundError) throw nonRetryable(FAILURE.VideoNotFound, err.message);
      throw toActivityFailure(err);
    }
  };
}
