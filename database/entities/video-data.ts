import type { SealedUploadSession } from '../../contracts/activities';
import type { VideoStatus } from '../../contracts/statuses';
import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { BulkUploadTask } from './bulk-upload-task';

/**
 * One video for one account within a task: the original path, and `filePath` (column
 * `file_path`), the uniquified variant that is actually uploaded, with its hash and post.
 */
export class VideoData {
  [OptionalProps]?: 'caption' | 'status' | 'createdAt' | 'updatedAt';
  id!: number;
  task!: BulkUploadTask;
  accountId!: string;
  videoId!: string;
  originalPath!: string;
  caption = '';
  filePath?: string | null;
  sha256?: string | null;
  applied?: string[] | null;
  status: VideoStatus = 'pending';
  /** The platform's id of the post or video, recorded the moment the platform created it (status `uploaded` until it is live). */
  postId?: string | null;
  postUrl?: string | null;
  /** An API upload in flight: the provider's session for exactly this file, so an attempt after a crash continues it. */
  uploadSession?: SealedUploadSession | null;
  error?: string | null;
  /** When the post is planned (plan time, see scheduling/clock.ts); null when published at once. */
  plannedAt?: Date | null;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const VideoDataSchema = new EntitySchema<VideoData>({
  class: VideoData,
  tableName: 'video_data',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    task: { kind: 'm:1', entity: 'BulkUploadTask', deleteRule: 'cascade' },
    accountId: { type: 'string', length: 64 },
    videoId: { type: 'string', length: 64 },
    originalPath: { type: 'text' },
    caption: { type: 'text' },
    filePath: { type: 'text', nullable: true, fieldName: 'file_path' },
    sha256: { type: 'string', length: 64, nullable: true },
    applied: { type: 'json', nullable: true },
    status: { type: 'string', length: 32 },
    postId: { type: 'string', length: 255, nullable: true },
    postUrl: { type: 'text', nullable: true },
    uploadSession: { type: 'json', nullable: true },
    error: { type: 'text', nullable: true },
    plannedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
  uniques: [{ properties: ['task', 'accountId', 'videoId'] }],
});
