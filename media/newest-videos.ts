/**
 * The newest videos of a folder under the media root, for recurring bulks: a file counts
 * when its extension is a video's and ffprobe finds a moving picture in it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MediaError } from './errors';
import { probe } from './ffmpeg';
import { resolveMediaPath, resolveVideoPath } from './paths';

/** File extensions taken for videos; anything else in the folder is ignored without a probe. */
export const VIDEO_EXTENSIONS: readonly string[] = ['.mp4', '.mov', '.m4v', '.webm', '.mkv', '.avi'];

/** A folder that is not there, or is a file: a retry will not make it one. */
export class FolderNotFoundError extends Error {
  constructor(folder: string, detail: string) {
    super(`folder not found: ${folder} (${detail})`);
    this.name = 'FolderNotFoundError';
  }
}

/** A video found in the folder. */
export interface FolderVideo {
  /** Relative to the media root. */
  path: string;
  /** The file's name. */
  name: string;
  modifiedAt: Date;
}

/** What {@link newestVideos} found: the picked videos, newest first, and the files it passed over. */
export interface NewestVideos {
  videos: FolderVideo[];
  /** Files with a video's extension that are not usable videos (not probed OK, too large), with why. */
  skipped: { path: string; reason: string }[];
}

/**
 * Resolves a folder under the media root to its real path. Throws a `MediaError`
 * (`outside_media_root`) for a folder elsewhere, {@link FolderNotFoundError} when there is
 * no folder there.
 */
export async function resolveMediaFolder(mediaRoot: string, folder: string): Promise<string> {
  let real: string;
  try {
    real = await resolveMediaPath(mediaRoot, folder);
  } catch (err) {
    if (err instanceof MediaError && err.kind === 'not_found') throw new FolderNotFoundError(folder, `nothing there under MEDIA_ROOT ${path.resolve(mediaRoot)}`);
    throw err;
  }
  if (!(await fs.stat(real)).isDirectory()) throw new FolderNotFoundError(folder, 'it is a file');
  return real;
}

/**
 * The `newest` most recently modified videos directly in `folder` (not in its subfolders),
 * newest first, paths relative to the media root. Files are probed newest first and only
 * until enough are found, so a folder of thousands costs a listing and a few probes.
 */
export async function newestVideos(media: { root: string; maxVideoBytes: number }, folder: string, newest: number): Promise<NewestVideos> {
  const dir = await resolveMediaFolder(media.root, folder);
  const realRoot = await fs.realpath(media.root);
  const relDir = path.relative(realRoot, dir);
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const candidates = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.') && VIDEO_EXTENSIONS.includes(path.extname(e.name).toLowerCase()));
  const dated = await Promise.all(
    candidates.map(async (e) => {
      // A file removed since the listing, or a dangling symlink, is simply not a candidate.
      const stat = await fs.stat(path.join(dir, e.name)).catch(() => undefined);
      return stat?.isFile() ? { name: e.name, modifiedAt: stat.mtime } : undefined;
    }),
  );
  const byNewest = dated
    .filter((d): d is { name: string; modifiedAt: Date } => d !== undefined)
    .sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime() || a.name.localeCompare(b.name));

  const result: NewestVideos = { videos: [], skipped: [] };
  for (const file of byNewest) {
    if (result.videos.length >= newest) break;
    const rel = path.join(relDir, file.name);
    try {
      await probe(await resolveVideoPath(media.root, rel, media.maxVideoBytes), { displayPath: rel });
      result.videos.push({ path: rel, name: file.name, modifiedAt: file.modifiedAt });
    } catch (err) {
      // One bad file (half copied, not a video, a symlink out of the root) does not stop the others.
      if (!(err instanceof MediaError)) throw err;
      result.skipped.push({ path: rel, reason: err.message });
    }
  }
  return result;
}
