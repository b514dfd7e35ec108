/**
 * Google Calendar events, Drive files and Sheets (spreadsheets listed through Drive), read
 * through the cache. Upstream responses are checked with zod and trimmed to the fields we
 * show, so the cache stores small, known shapes.
 */
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { drive, type drive_v3 } from '@googleapis/drive';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { CacheResult, CacheService } from '../../cache';
import type { Config } from '../../config';
import { createGoogleAuth, GoogleNotConfiguredError, type GoogleAuthClient } from './google-auth';

// Fields we show, as Google sends them, unknown ones stripped. No transforms: the cache
// stores this output and checks it with the same schema on the way back.
const EventTime = z.object({ dateTime: z.string().nullish(), date: z.string().nullish(), timeZone: z.string().nullish() });
const CalendarEvent = z.object({
  id: z.string(),
  summary: z.string().nullish(),
  status: z.string().nullish(),
  htmlLink: z.string().nullish(),
  start: EventTime.nullish(),
  end: EventTime.nullish(),
});
const EventsPage = z.object({ items: z.array(CalendarEvent).nullish(), nextPageToken: z.string().nullish() });

const DriveFile = z.object({
  id: z.string(),
  name: z.string(),
  mimeType: z.string(),
  size: z.string().nullish(),
  modifiedTime: z.string().nullish(),
  parents: z.array(z.string()).nullish(),
  webViewLink: z.string().nullish(),
});
const FilesPage = z.object({ files: z.array(DriveFile).nullish(), nextPageToken: z.string().nullish() });

/** A calendar event as cached and served. */
export type CalendarEventData = z.infer<typeof CalendarEvent>;
/** A Drive file (or spreadsheet) as cached and served. */
export type DriveFileData = z.infer<typeof DriveFile>;

const CalendarEvents = z.array(CalendarEvent);
const DriveFiles = z.array(DriveFile);
const SPREADSHEET_MIME = 'application/vnd.google-apps.spreadsheet';
const FILE_FIELDS = 'nextPageToken, files(id, name, mimeType, size, modifiedTime, parents, webViewLink)';

/** Drive ids are URL-safe base64-ish; anything else could break out of a `q` string. */
export const DriveFolderIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'a Drive folder id (letters, digits, _ and -)');

/** A Google API call failed; the message names the call and the HTTP status. */
export class GoogleAPIError extends Error {
  constructor(
    readonly call: string,
    readonly status: number | undefined,
    cause: unknown,
  ) {
    super(`Google ${call} failed: ${status ?? 'no response'} ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'GoogleAPIError';
  }
}

// gaxios puts the status on the error (newer) or on its response (older).
const ErrorStatus = z.object({ status: z.number().optional(), response: z.object({ status: z.number() }).optional() });

/** Runs one Google call, turning its failure into a `GoogleAPIError`. */
async function call<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof GoogleNotConfiguredError) throw err;
    const shape = ErrorStatus.safeParse(err);
    throw new GoogleAPIError(name, shape.success ? (shape.data.status ?? shape.data.response?.status) : undefined, err);
  }
}

/** Options of a Google API cache. */
export interface GoogleAPICacheOptions {
  cache: CacheService;
  google: Config['google'];
  /** Let the Google client retry 429/5xx itself (on by default; tests turn it off to count calls). */
  retry?: boolean;
}

/** Google data read through the cache; each method is keyed by user id and its parameters. */
export class GoogleAPICache {
  private readonly cache: CacheService;
  private readonly rootUrl: string;
  private readonly retry: boolean;
  private readonly authFor: (userId: string) => GoogleAuthClient;

  constructor(opts: GoogleAPICacheOptions) {
    this.cache = opts.cache;
    this.rootUrl = opts.google.rootUrl;
    this.retry = opts.retry ?? true;
    this.authFor = createGoogleAuth(opts.google);
  }

  /** Events of a calendar from now to `daysAhead` days ahead (single events, by start time). */
  async calendarEvents(q: { userId: string; calendarId?: string; daysAhead?: number; maxResults?: number; refresh?: boolean }): Promise<CacheResult<CalendarEventData[]>> {
    const params = { calendarId: q.calendarId ?? 'primary', daysAhead: q.daysAhead ?? 7, maxResults: q.maxResults ?? 250 };
    return this.cache.getOrFetch(
      { service: 'google_calendar_events', userId: q.userId, params },
      async () => {
        const api = calendar({ version: 'v3', auth: this.authFor(q.userId), rootUrl: this.rootUrl, retry: this.retry });
        const now = Date.now();
        const events: CalendarEventData[] = [];
        let pageToken: string | undefined;
        do {
          const res = await call('calendar events.list', () =>
            api.events.list({
              calendarId: params.calendarId,
              timeMin: new Date(now).toISOString(),
              timeMax: new Date(now + params.daysAhead * 86_400_000).toISOString(),
              singleEvents: true,
              orderBy: 'startTime',
              maxResults: Math.min(params.maxResults - events.length, 2_500),
              pageToken,
            } satisfies calendar_v3.Params$Resource$Events$List),
          );
          const page = EventsPage.parse(res.data);
          events.push(...(page.items ?? []));
          pageToken = page.nextPageToken ?? undefined;
        } while (pageToken && events.length < params.maxResults);
        return events.slice(0, params.maxResults);
      },
      { schema: CalendarEvents, refresh: q.refresh },
    );
  }

  /** Drive files, newest first; in one folder when `folderId` is given. */
  async driveFiles(q: { userId: string; maxResults?: number; folderId?: string; refresh?: boolean }): Promise<CacheResult<DriveFileData[]>> {
    const folderId = q.folderId === undefined ? undefined : DriveFolderIdSchema.parse(q.folderId);
    const params = { maxResults: q.maxResults ?? 100, folderId };
    const query = folderId ? `'${folderId}' in parents and trashed = false` : 'trashed = false';
    return this.cache.getOrFetch({ service: 'google_drive_files', userId: q.userId, params }, () => this.listFiles(q.userId, query, params.maxResults), {
      schema: DriveFiles,
      refresh: q.refresh,
    });
  }

  /** Spreadsheets the user can see, listed through Drive. */
  async sheets(q: { userId: string; maxResults?: number; refresh?: boolean }): Promise<CacheResult<DriveFileData[]>> {
    const params = { maxResults: q.maxResults ?? 100 };
    return this.cache.getOrFetch(
      { service: 'google_sheets', userId: q.userId, params },
      () => this.listFiles(q.userId, `mimeType = '${SPREADSHEET_MIME}' and trashed = false`, params.maxResults),
      { schema: DriveFiles, refresh: q.refresh },
    );
  }

  /**
   * Downloads one Drive file's bytes to `destPath` (not cached: the cache holds listings,
   * never file contents). Writes to a temporary name and renames when complete.
   */
  async downloadDriveFile(q: { userId: string; fileId: string; destPath: string }): Promise<number> {
    const fileId = DriveFolderIdSchema.parse(q.fileId);
    const api = drive({ version: 'v3', auth: this.authFor(q.userId), rootUrl: this.rootUrl, retry: this.retry });
    const partial = `${q.destPath}.partial-${process.pid}`;
    const res = await call('drive files.get (media)', () => api.files.get({ fileId, alt: 'media' }, { responseType: 'stream' }));
    await fs.mkdir(path.dirname(q.destPath), { recursive: true });
    try {
      await pipeline(res.data as NodeJS.ReadableStream, createWriteStream(partial));
      await fs.rename(partial, q.destPath);
    } catch (err) {
      await fs.rm(partial, { force: true });
      throw new GoogleAPIError('drive files.get (media)', undefined, err);
    }
    return (await fs.stat(q.destPath)).size;
  }

  private async listFiles(userId: string, query: string, maxResults: number): Promise<DriveFileData[]> {
    const api = drive({ version: 'v3', auth: this.authFor(userId), rootUrl: this.rootUrl, retry: this.retry });
    const files: DriveFileData[] = [];
    let pageToken: string | undefined;
    do {
      const res = await call('drive files.list', () =>
        api.files.list({
          q: query,
          pageSize: Math.min(maxResults - files.length, 1_000),
          orderBy: 'modifiedTime desc',
          fields: FILE_FIELDS,
          pageToken,
        } satisfies drive_v3.Params$Resource$Files$List),
      );
      const page = FilesPage.parse(res.data);
      files.push(...(page.files ?? []));
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken && files.length < maxResults);
    return files.slice(0, maxResults);
  }
}
