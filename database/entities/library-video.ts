import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/**
 * An original in the video library: a file under MEDIA_ROOT that was uploaded through the
 * console (or found there), probed on arrival. Bulks refer to it by `path`, as they refer
 * to any original.
 */
export class LibraryVideo {
  [OptionalProps]?: 'createdAt';
  id!: string;
  /** Relative to MEDIA_ROOT, with `/` separators: what a bulk's `videos[].path` takes. */
  path!: string;
  /** The file name the operator uploaded. */
  originalName!: string;
  sizeBytes!: number;
  durationSec!: number;
  width!: number;
  height!: number;
  createdAt: Date = new Date();
}

export const LibraryVideoSchema = new EntitySchema<LibraryVideo>({
  class: LibraryVideo,
  tableName: 'library_video',
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    path: { type: 'string', length: 1024, unique: true },
    originalName: { type: 'string', length: 255 },
    // A double holds every size up to 2^53 bytes exactly, on SQLite and PostgreSQL alike.
    sizeBytes: { type: 'double' },
    durationSec: { type: 'double' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});
