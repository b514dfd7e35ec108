/**
 * Import a plan: a CSV or JSON file whose rows say "publish this video, with this caption,
 * to this account (at this time)" becomes one bulk, a video entry per row. Every bad row is
 * reported with its line and column before anything starts, so an operator fixes the whole
 * file at once instead of one error per attempt.
 *
 * Two stages: {@link parsePlanCsv} / {@link parsePlanJson} read the file's shape (columns,
 * quoting, field counts) and refuse a malformed file; {@link admitPlan} then checks what the
 * rows say (files, accounts, times, empty cells), all rows together, and finally runs the
 * normal admission so a plan obeys exactly the rules of `POST /bulk-uploads`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';
import { BulkInputError, LIMITS, type BulkUploadRequest } from '../contracts/bulk-input';
import { InstantSchema, TimeZoneSchema } from '../contracts/schedule';
import { localTime, zonedInstant, type LocalTime } from '../scheduling/time';
import { Account } from '../database/entities';
import type { Orm } from '../database/orm';
import { MediaError, probe, resolveVideoPath } from '../media';
import type { AdmittedBulk } from './admit';

// ---- types ----

/** One row of a plan, as written (its time not read yet: that needs the bulk's zone). */
export interface PlanRow {
  /** CSV: the line the row starts on, the header being line 1; JSON: the 1-based row index. */
  line: number;
  /** Path of the original under MEDIA_ROOT. */
  video: string;
  caption: string;
  account: string;
  /** ISO with its zone, or `2026-11-25 09:00` in the bulk's `options.schedule.timeZone`. */
  publishAt?: string;
}

/** What is wrong with a plan: the line (absent for the bulk as a whole), the column, why. */
export interface PlanIssue {
  line?: number;
  field: string;
  message: string;
}

/** Which bulk the plan becomes: what a CSV cannot say. */
export interface PlanTarget {
  taskId: string;
  platform: string;
  options?: BulkUploadRequest['options'];
}

/** A plan refused: every problem found, each naming its line and column. */
export class PlanImportError extends Error {
  override name = 'PlanImportError';
  readonly issues: PlanIssue[];
  constructor(issues: PlanIssue[]) {
    const shown =
      issues.length > MAX_ISSUES ? [...issues.slice(0, MAX_ISSUES), { field: '(plan)', message: `and ${issues.length - MAX_ISSUES} more problem(s) like these` }] : issues;
    super(`invalid plan: ${shown.map(describePlanIssue).join('; ')}`);
    this.issues = shown;
  }
}

/** One issue as a person reads it: `line 4: account: unknown account "zed" …`. */
export function describePlanIssue(issue: PlanIssue): string {
  return `${issue.line === undefined ? '' : `line ${issue.line}: `}${issue.field}: ${issue.message}`;
}

/** A 10,000-row file of garbage is summed up, not listed. */
const MAX_ISSUES = 200;
/** Videos probed at once, as admission does. */
const PROBES_AT_ONCE = 4;

// ---- CSV (RFC 4180) ----

/** One CSV record and the line it starts on (a quoted field may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Reads CSV text: fields separated by commas, records by CRLF, LF or CR; a field in double
 * quotes may hold commas, line breaks and `""` for a quote. Blank lines are skipped. Lenient
 * where the meaning is plain (a quote inside an unquoted field is kept; spaces around a
 * quoted field are dropped), strict where it is not (text after a closing quote, a quote
 * never closed): those are issues, with their line.
 */
export function parseCsv(text: string): { records: CsvRecord[]; issues: PlanIssue[] } {
  const records: CsvRecord[] = [];
  const issues: PlanIssue[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quoteLine = 1;
  // The current field was quoted and its closing quote seen: only spaces may follow.
  let closed = false;
  let quotedSeen = false;

  const endField = () => {
    fields.push(field);
    field = '';
    closed = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is one empty, unquoted field: not a record.
    if (fields.length > 1 || fields[0]!.trim() !== '' || quotedSeen) records.push({ line: recordLine, fields });
    fields = [];
    quotedSeen = false;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
          closed = true;
        }
        continue;
      }
      if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
      field += c;
      continue;
    }
    if (c === ',') {
      endField();
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (closed) {
      if (c !== ' ' && c !== '\t') {
        issues.push({
          line,
          field: '(csv)',
          message: `text after a closing quote (${JSON.stringify(text.slice(i, i + 10))}): quote the whole field and write a quote inside it as ""`,
        });
        // Skip to the end of the field so one slip is reported once.
        while (i + 1 < text.length && !',\r\n'.includes(text[i + 1]!)) i++;
      }
    } else if (c === '"' && field.trim() === '') {
      inQuotes = true;
      quotedSeen = true;
      quoteLine = line;
      field = '';
    } else {
      field += c;
    }
  }
  if (inQuotes) issues.push({ line: quoteLine, field: '(csv)', message: 'a quoted field is never closed: add the closing "' });
  else if (field !== '' || closed || fields.length > 0) endRecord();
  return { records, issues };
}

// ---- the plan's columns ----

type Column = 'video' | 'caption' | 'account' | 'publishAt';

/** Column names as written (lower case) to the column they mean. */
const COLUMN_NAMES: Record<string, Column> = {
  video: 'video',
  path: 'video',
  caption: 'caption',
  account: 'account',
  accountid: 'account',
  publishat: 'publishAt',
  time: 'publishAt',
};
const REQUIRED: Column[] = ['video', 'account'];
const KNOWN_COLUMNS = 'video (or path), caption, account (or accountId), publishAt (or time)';

function columnOf(name: string): Column | undefined {
  return Object.hasOwn(COLUMN_NAMES, name.trim().toLowerCase()) ? COLUMN_NAMES[name.trim().toLowerCase()] : undefined;
}

function rowFrom(line: number, cells: Partial<Record<Column, string>>): PlanRow {
  const publishAt = cells.publishAt?.trim();
  return { line, video: (cells.video ?? '').trim(), caption: (cells.caption ?? '').trim(), account: (cells.account ?? '').trim(), ...(publishAt ? { publishAt } : {}) };
}

/**
 * Reads a CSV plan. The header names the columns (any order, any case): `video` (or
 * `path`), `caption`, `account` (or `accountId`), `publishAt` (or `time`). Throws
 * {@link PlanImportError} when the file itself is malformed: an unknown, repeated or missing
 * column, a row with another number of fields than the header, broken quoting.
 */
export function parsePlanCsv(text: string): PlanRow[] {
  const { records, issues } = parseCsv(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const header = records[0];
  if (!header)
    throw new PlanImportError([...issues, { line: 1, field: '(header)', message: `the plan is empty: its first line names the columns, e.g. video,caption,account,publishAt` }]);
  const columns: (Column | undefined)[] = [];
  header.fields.forEach((name) => {
    const column = columnOf(name);
    if (!column) issues.push({ line: header.line, field: name.trim() || '(header)', message: `unknown column ${JSON.stringify(name.trim())}; the columns are ${KNOWN_COLUMNS}` });
    else if (columns.includes(column)) issues.push({ line: header.line, field: name.trim(), message: `column ${JSON.stringify(name.trim())} repeats the ${column} column` });
    columns.push(column);
  });
  for (const column of REQUIRED) {
    if (!columns.includes(column)) issues.push({ line: header.line, field: '(header)', message: `no ${column} column; the columns are ${KNOWN_COLUMNS}` });
  }
  const rows: PlanRow[] = [];
  for (const record of records.slice(1)) {
    if (record.fields.length !== header.fields.length) {
      issues.push({ line: record.line, field: '(row)', message: `has ${record.fields.length} field(s), the header has ${header.fields.length}: quote a field that holds a comma` });
      continue;
    }
    const cells: Partial<Record<Column, string>> = {};
    record.fields.forEach((value, i) => {
      const column = columns[i];
      if (column) cells[column] = value;
    });
    rows.push(rowFrom(record.line, cells));
  }
  if (issues.length) throw new PlanImportError(issues);
  return rows;
}

/**
 * Reads a JSON plan: `{ rows: [{ video, caption?, account, publishAt? }] }` (the CSV's
 * column names, aliases too); a row's line is its 1-based index. Throws
 * {@link PlanImportError} for a row that is not an object, an unknown key, a value that is
 * not a string.
 */
export function parsePlanJson(raw: unknown): PlanRow[] {
  if (typeof raw !== 'object' || raw === null || !('rows' in raw) || !Array.isArray(raw.rows)) {
    throw new PlanImportError([{ field: 'rows', message: 'a JSON plan is { "rows": [{ "video": …, "caption": …, "account": …, "publishAt": … }] }' }]);
  }
  const rowsIn: unknown[] = raw.rows;
  const issues: PlanIssue[] = [];
  const rows: PlanRow[] = [];
  rowsIn.forEach((item, i) => {
    const line = i + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      issues.push({ line, field: '(row)', message: 'must be an object { video, caption?, account, publishAt? }' });
      return;
    }
    const cells: Partial<Record<Column, string>> = {};
    let ok = true;
    for (const [key, value] of Object.entries(item)) {
      const column = columnOf(key);
      if (!column) issues.push({ line, field: key, message: `unknown field; the fields are ${KNOWN_COLUMNS}` });
      else if (cells[column] !== undefined) issues.push({ line, field: key, message: `repeats the ${column} field` });
      else if (typeof value === 'string') {
        cells[column] = value;
        continue;
      } else if (value === null && !REQUIRED.includes(column)) continue;
      else issues.push({ line, field: key, message: `must be a string, not ${value === null ? 'null' : typeof value}` });
      ok = false;
    }
    if (ok) rows.push(rowFrom(line, cells));
  });
  if (issues.length) throw new PlanImportError(issues);
  return rows;
}

/**
 * Reads a plan file, `.csv` or `.json`, for the CLI (`npm run bulk -- import`). Throws
 * {@link PlanImportError} when it cannot be read or is malformed.
 */
export async function importPlanFile(file: string): Promise<{ rows: PlanRow[] }> {
  const kind = path.extname(file).toLowerCase();
  if (kind !== '.csv' && kind !== '.json') throw new PlanImportError([{ field: '(file)', message: `${file}: a plan is a .csv or a .json file` }]);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new PlanImportError([{ field: '(file)', message: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  if (kind === '.csv') return { rows: parsePlanCsv(text) };
  let raw: unknown;
  try {
    raw = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (err) {
    throw new PlanImportError([{ field: '(file)', message: `${file} is not JSON: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  return { rows: parsePlanJson(raw) };
}

// ---- times ----

/** A wall-clock time without a zone: `2026-11-25 09:00`, `2026-11-25T09:00:00`. */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/;

/** The calendar and clock fields a time begins with, if it begins like `2026-11-25 09:00`. */
function wallClock(text: string): LocalTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  return { year: n(1), month: n(2), day: n(3), hour: n(4), minute: n(5), second: n(6) };
}

/** True when the fields name a real day and clock time (no 30 February, no 25:00). */
function isReal(t: LocalTime): boolean {
  const daysInMonth = new Date(Date.UTC(t.year, t.month, 0)).getUTCDate();
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= daysInMonth && t.hour <= 23 && t.minute <= 59 && t.second <= 59;
}

/** An instant as the bulk input stores it: ISO, UTC, no zero milliseconds. */
function isoInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * Reads a plan's time: ISO with a zone (`2026-11-25T09:00:00+01:00`, `…Z`), or a wall-clock
 * time without one (`2026-11-25 09:00`, `2026-11-25T09:00:00`) in `zone`. Answers the
 * instant in UTC (`2026-11-25T08:00:00Z`) or why it cannot be read. A wall-clock time that
 * a daylight-saving change skips does not exist and is refused rather than moved.
 */
export function parsePlanTime(text: string, zone: string): { instant: string } | { error: string } {
  const written = text.trim();
  const t = wallClock(written);
  if (t && !isReal(t)) return { error: `${JSON.stringify(written)} is not a real date and time` };
  if (t && LOCAL_TIME.test(written)) {
    const ms = zonedInstant(zone, t.year, t.month, t.day, t.hour * 3600 + t.minute * 60 + t.second);
    const back = localTime(ms, zone);
    if (back.day !== t.day || back.hour !== t.hour || back.minute !== t.minute)
      return { error: `${written} does not exist in ${zone}: the clocks skip it that day (daylight saving time)` };
    return { instant: isoInstant(ms) };
  }
  // Checked above by hand: Date.parse would read 30 February as 2 March.
  const iso = written.replace(' ', 'T');
  if (t && InstantSchema.safeParse(iso).success) return { instant: isoInstant(Date.parse(iso)) };
  return {
    error: `cannot read ${JSON.stringify(written)} as a time: write 2026-11-25T09:00:00+01:00 (with its zone) or 2026-11-25 09:00 (in the bulk's options.schedule.timeZone, here ${zone})`,
  };
}

// ---- from rows to a bulk ----

/** The request a plan describes and what its rows say wrong without looking anywhere. */
function readPlan(rows: PlanRow[], target: PlanTarget): { request: BulkUploadRequest; issues: PlanIssue[] } {
  const issues: PlanIssue[] = [];
  if (rows.length === 0) issues.push({ field: 'rows', message: 'the plan has no rows: one row per video and account' });
  if (rows.length > LIMITS.videosPerBulk)
    issues.push({ field: 'rows', message: `a plan holds at most ${LIMITS.videosPerBulk} rows (one post each), this one ${rows.length}: split it` });

  const zoneWritten = target.options?.schedule?.timeZone;
  const zoneOk = zoneWritten === undefined || TimeZoneSchema.safeParse(zoneWritten).success;
  if (!zoneOk) issues.push({ field: 'options.schedule.timeZone', message: `${JSON.stringify(zoneWritten)} is not an IANA time zone name, e.g. Europe/Berlin or UTC` });
  const zone = zoneOk && zoneWritten !== undefined ? zoneWritten : 'UTC';

  const firstLine = new Map<string, number>();
  const videos = rows.map((row) => {
    if (!row.video) issues.push({ line: row.line, field: 'video', message: 'is empty: name a video under MEDIA_ROOT' });
    if (!row.account) issues.push({ line: row.line, field: 'account', message: 'is empty: name an account id' });
    if (row.video && row.account) {
      const key = JSON.stringify([row.video, row.account]);
      const earlier = firstLine.get(key);
      if (earlier !== undefined) issues.push({ line: row.line, field: 'video', message: `line ${earlier} already publishes ${row.video} to ${row.account}` });
      else firstLine.set(key, row.line);
    }
    let publishAt: string | undefined;
    if (row.publishAt !== undefined && zoneOk) {
      const time = parsePlanTime(row.publishAt, zone);
      if ('error' in time) issues.push({ line: row.line, field: 'publishAt', message: time.error });
      else publishAt = time.instant;
    }
    return { id: `row-${row.line}`, path: row.video, caption: row.caption, accountIds: [row.account], ...(publishAt ? { publishAt } : {}) };
  });
  const accountIds = [...new Set(rows.map((r) => r.account).filter(Boolean))];
  const request: BulkUploadRequest = { taskId: target.taskId, platform: target.platform, videos, accountIds, ...(target.options ? { options: target.options } : {}) };
  return { request, issues };
}

/**
 * The bulk a plan describes: one video per row (id `row-<line>`, its path, caption, the
 * row's account as its only account, its time as an instant in UTC), the bulk's accounts
 * the distinct ones in row order. Throws {@link PlanImportError} for empty required cells,
 * unreadable times and repeated rows; it looks at no file and no database (see
 * {@link admitPlan}).
 */
export function planToBulkRequest(rows: PlanRow[], target: PlanTarget): BulkUploadRequest {
  const { request, issues } = readPlan(rows, target);
  if (issues.length) throw new PlanImportError(issues);
  return request;
}

/** What checking a plan needs: the database, the media root, and the normal admission. */
export interface PlanDeps {
  orm: Orm;
  media: Pick<Config['media'], 'root' | 'maxVideoBytes'>;
  /** The admission of `POST /bulk-uploads` (`BulkService.admit`). */
  admit(raw: unknown): Promise<AdmittedBulk>;
}

/** Each distinct video checked once, however many rows name it: its problem, if any. */
async function videoProblems(media: PlanDeps['media'], paths: string[]): Promise<Map<string, string>> {
  const problems = new Map<string, string>();
  let next = 0;
  const checkNext = async (): Promise<void> => {
    while (next < paths.length) {
      const video = paths[next++]!;
      try {
        await probe(await resolveVideoPath(media.root, video, media.maxVideoBytes), { displayPath: video });
      } catch (err) {
        if (!(err instanceof MediaError)) throw err;
        problems.set(video, err.message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, paths.length) }, checkNext));
  return problems;
}

/** Each distinct account that cannot take this plan's posts: its problem. */
async function accountProblems(orm: Orm, platform: string, ids: string[]): Promise<Map<string, string>> {
  const platformOf = new Map<string, string>();
  if (ids.length === 0) return new Map();
  for (const a of await orm.em.fork().find(Account, { id: { $in: ids } }, { fields: ['id', 'platform'] })) platformOf.set(a.id, a.platform);
  const problems = new Map<string, string>();
  for (const id of ids) {
    const on = platformOf.get(id);
    if (on === undefined) problems.set(id, `unknown account ${JSON.stringify(id)}: create it first with PUT /accounts`);
    else if (on !== platform) problems.set(id, `account ${JSON.stringify(id)} is on ${on}, not ${platform}`);
  }
  return problems;
}

/** A video's fields in the bulk input, by the plan column they came from. */
const ADMISSION_COLUMNS = new Map<string, Column>([
  ['path', 'video'],
  ['id', 'video'],
  ['caption', 'caption'],
  ['publishAt', 'publishAt'],
  ['accountIds', 'account'],
]);

/** An admission issue (`videos.3.path`, `accountIds.1`) as the plan's line(s) and column. */
function toPlanIssues(issue: { field: string; message: string }, rows: PlanRow[], accountIds: string[]): PlanIssue[] {
  const video = /^videos\.(\d+)(?:\.([A-Za-z]+))?/.exec(issue.field);
  const row = video ? rows[Number(video[1])] : undefined;
  if (video && row) {
    return [{ line: row.line, field: ADMISSION_COLUMNS.get(video[2] ?? '') ?? '(row)', message: issue.message }];
  }
  const account = /^accountIds\.(\d+)$/.exec(issue.field);
  const id = account ? accountIds[Number(account[1])] : undefined;
  if (id !== undefined) return rows.filter((r) => r.account === id).map((r) => ({ line: r.line, field: 'account', message: issue.message }));
  return [{ field: issue.field, message: issue.message }];
}

/**
 * Checks a plan and admits the bulk it describes, ready for `BulkService.start`. Every row
 * is checked before anything is refused: empty cells, times, each video (under MEDIA_ROOT,
 * a file, a video by ffprobe), each account (exists, on the platform); then the normal
 * admission, whose findings are mapped back to lines. Throws {@link PlanImportError}
 * listing every problem, e.g. `line 4: account: unknown account "zed": …`.
 */
export async function admitPlan(deps: PlanDeps, rows: PlanRow[], target: PlanTarget): Promise<AdmittedBulk> {
  const { request, issues } = readPlan(rows, target);
  // A plan over the limit is not probed: it could name thousands of files.
  if (rows.length <= LIMITS.videosPerBulk) {
    const [videos, accounts] = await Promise.all([
      videoProblems(deps.media, [...new Set(rows.map((r) => r.video).filter(Boolean))]),
      accountProblems(deps.orm, target.platform, request.accountIds),
    ]);
    for (const row of rows) {
      const video = videos.get(row.video);
      if (video) issues.push({ line: row.line, field: 'video', message: video });
      const account = accounts.get(row.account);
      if (account) issues.push({ line: row.line, field: 'account', message: account });
    }
  }
  if (issues.length) throw new PlanImportError(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  try {
    return await deps.admit(request);
  } catch (err) {
    if (err instanceof BulkInputError) throw new PlanImportError(err.issues.flatMap((i) => toPlanIssues(i, rows, request.accountIds)));
    throw err;
  }
}
