import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ImportDriveFolderInputSchema, type ImportDriveFolderInput, type ImportDriveFolderResult } from '../contracts/activities';
import { FAILURE } from '../contracts/failure-types';
import { CacheFetchError } from '../cache';
import { GoogleNotConfiguredError } from '../integrations/google/google-auth';
import type { ActivityDeps } from './deps';
import { nonRetryable, parseActivityInput } from './errors';

/** Keeps a Drive file name usable as a file name and recognisable in logs. */
function safeName(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^\.+/, '')
      .slice(0, 80) || 'video'
  );
}

/**
 * importDriveFolder: lists a Drive folder (through the API cache) and downloads its videos
 * under `MEDIA_ROOT/drive/<taskId>/`, before any account starts. A retry skips files that
 * are already complete (same size), so it downloads only what is missing.
 */
export function makeImportDriveFolder({ google, media }: Pick<ActivityDeps, 'google' | 'media'>) {
  return async function importDriveFolder(request: ImportDriveFolderInput): Promise<ImportDriveFolderResult> {
    const input = parseActivityInput('importDriveFolder', ImportDriveFolderInputSchema, request);
    const ctx = Context.current();
    try {
      const listing = await google.driveFiles({ userId: input.userId, folderId: input.folderId, maxResults: input.maxFiles });
      const videos = listing.value.filter((f) => f.mimeType.startsWith('video/'));
      if (videos.length === 0) {
        throw nonRetryable(FAILURE.NoVideos, `Drive folder ${input.folderId} has no videos (${listing.value.length} other file(s))`);
      }
      const relDir = path.join('drive', input.taskId);
      const result: ImportDriveFolderResult = [];
      for (const [i, file] of videos.entries()) {
        const rel = path.join(relDir, `${file.id.slice(0, 40)}-${safeName(file.name)}`);
        const dest = path.join(media.root, rel);
        const have = await fs.stat(dest).catch(() => undefined);
        if (!have || (file.size && Number(file.size) !== have.size)) {
          await google.downloadDriveFile({ userId: input.userId, fileId: file.id, destPath: dest });
        }
        ctx.heartbeat({ downloaded: i + 1, of: videos.length });
        result.push({ id: `drive-${file.id}`.slice(0, 64).replace(/[^A-Za-z0-9_.-]/g, '_'), path: rel, caption: input.caption || file.name });
      }
      return result;
    } catch (err) {
      // The listing reads through the API cache, which wraps the upstream error as its cause.
      const cause = err instanceof CacheFetchError ? err.cause : err;
      if (cause instanceof GoogleNotConfiguredError) throw nonRetryable(FAILURE.GoogleNotConfigured, cause.message);
      throw err;
    }
  };
}
