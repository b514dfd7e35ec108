/**
 * Paths from outside (bulk input, API) are resolved under the media root and nowhere else.
 */
import { realpathSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { MediaError } from './errors';

/**
 * Resolves a user-supplied path (relative to `mediaRoot`, or absolute inside it) to its
 * absolute real path. Rejects with `outside_media_root` for `../` escapes, absolute paths
 * elsewhere and symlinks that lead out of the root; `not_found` when nothing is there.
 * The lexical check runs before touching the file system, so a rejected path reveals
 * nothing about whether it exists.
 */
export async function resolveMediaPath(mediaRoot: string, userPath: string): Promise<string> {
  const lexicalRoot = path.resolve(mediaRoot);
  const realRoot = await fs.realpath(lexicalRoot).catch((err: unknown) => {
    throw new MediaError('not_found', lexicalRoot, { detail: 'the media root (MEDIA_ROOT) does not exist', cause: err });
  });
  if (userPath.includes('\0')) throw outside(userPath, realRoot, 'it contains a NUL byte');

  const candidate = path.resolve(lexicalRoot, userPath);
  // An absolute path may name the root through its symlinked or its real spelling.
  if (!isInside(lexicalRoot, candidate) && !isInside(realRoot, candidate)) {
    throw outside(userPath, realRoot);
  }

  let real: string;
  try {
    real = await fs.realpath(candidate);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') {
      // Named as the operator typed it: that is the string they will look for in their input.
      throw new MediaError('not_found', userPath, { detail: `nothing there under MEDIA_ROOT ${realRoot}`, cause: err });
    }
    throw new MediaError('unreadable', displayMediaPath(mediaRoot, candidate), { detail: code ?? String(err), cause: err });
  }
  if (!isInside(realRoot, real)) throw outside(userPath, realRoot, `a symlink to ${real}`);
  return real;
}

/**
 * Shows a path for messages and logs as `<root folder name>/<relative path>`, e.g.
 * `media/clips/a.mp4`; paths outside the root are shown as they are.
 */
export function displayMediaPath(mediaRoot: string, absolutePath: string): string {
  const roots = [path.resolve(mediaRoot)];
  try {
    roots.push(realpathSync(roots[0] as string));
  } catch {
    // A missing root still displays lexically.
  }
  const target = path.resolve(absolutePath);
  for (const root of roots) {
    if (isInside(root, target)) return path.join(path.basename(root), path.relative(root, target));
  }
  return target;
}

/** True when `target` is `root` itself or lies below it (both absolute and normalised). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

function outside(userPath: string, realRoot: string, why?: string): MediaError {
  return new MediaError('outside_media_root', userPath, {
    detail: `${why ? `${why}; ` : ''}paths must lie under MEDIA_ROOT ${realRoot}`,
  });
}

/**
 * Resolves a bulk's video path (see {@link resolveMediaPath}) and checks that it is a file
 * within the size limit, so a folder or an oversized file is rejected before any work starts.
 */
export async function resolveVideoPath(mediaRoot: string, userPath: string, maxBytes: number): Promise<string> {
  const real = await resolveMediaPath(mediaRoot, userPath);
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new MediaError('not_a_video', userPath, { detail: 'it is a directory, not a file' });
  const { size } = stat;
  if (size > maxBytes) {
    throw new MediaError('too_large', displayMediaPath(mediaRoot, real), { detail: `${size} bytes; the limit (MAX_VIDEO_BYTES) is ${maxBytes}` });
  }
  return real;
}
