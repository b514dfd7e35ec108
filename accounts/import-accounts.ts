/**
 * Many accounts at once from CSV (`POST /accounts/import`). The first line names the columns
 * (any order, any case): `id`, `platform`, `username`, `password`, `otpCode`, `proxy` (one URL,
 * `http://user:pass@host:8080`), `tags` (separated by `;`, `,` or spaces). Each row is
 * checked by the same schema as `PUT /accounts` and saved on its own, whole or not at all:
 * good rows are saved, bad ones answered with their line, column and reason. A row for an
 * existing account updates only the fields it has a column and a non-blank cell for: a
 * roster of logins and passwords leaves the proxies and tags it does not mention alone.
 */
import type { BrowserPlatformNames } from '../contracts/platforms';
import { describeIssues } from '../contracts/bulk-input';
import { Account } from '../database/entities';
import type { Orm } from '../database/orm';
import type { SecretBox } from '../database/secrets';
import { parseCsv } from '../bulks/import-plan';
import { accountBody, proxyFromUrl } from './account-input';
import { AccountWriteError, saveAccount } from './save-account';

/** Most rows one import takes; a larger roster is sent in parts. */
export const MAX_IMPORT_ROWS = 5_000;
/** Most characters of CSV one import reads. */
export const MAX_IMPORT_CHARS = 1_000_000;

type Column = 'id' | 'platform' | 'username' | 'password' | 'otpCode' | 'proxy' | 'tags';

/** Column names as written (lower case, without spaces, `_` or `-`) to the field they fill. */
const COLUMN_NAMES: Record<string, Column> = {
  id: 'id',
  account: 'id',
  accountid: 'id',
  platform: 'platform',
  username: 'username',
  login: 'username',
  password: 'password',
  otpcode: 'otpCode',
  otp: 'otpCode',
  proxy: 'proxy',
  tags: 'tags',
};
const KNOWN_COLUMNS = 'id, platform, username, password, otpCode, proxy, tags';
const REQUIRED: Column[] = ['id', 'username'];

export interface ImportIssue {
  field: string;
  message: string;
}

/** What became of one row: its line in the file (the header is line 1). */
export interface ImportRowResult {
  line: number;
  id: string | null;
  result: 'created' | 'updated' | 'failed';
  /** Why it failed, field by field; empty when saved. */
  issues: ImportIssue[];
}

export interface ImportSummary {
  created: number;
  updated: number;
  failed: number;
  rows: ImportRowResult[];
}

/** A file that cannot be read as an account list at all: nothing was saved. */
export class AccountsCsvError extends Error {
  override name = 'AccountsCsvError';
  constructor(readonly issues: (ImportIssue & { line?: number })[]) {
    super(`invalid CSV: ${issues.map((i) => `${i.line === undefined ? '' : `line ${i.line}: `}${i.field}: ${i.message}`).join('; ')}`);
  }
}

function columnOf(name: string): Column | undefined {
  const key = name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');
  return Object.hasOwn(COLUMN_NAMES, key) ? COLUMN_NAMES[key] : undefined;
}

/** The columns the header names, in order; throws {@link AccountsCsvError} for a header that is not one. */
function readHeader(line: number, names: string[]): Column[] {
  const issues: ImportIssue[] = [];
  const columns = names.map((name) => {
    const column = columnOf(name);
    if (!column) issues.push({ field: '(header)', message: `unknown column "${name.trim()}"; the columns are ${KNOWN_COLUMNS}` });
    return column;
  });
  for (const required of REQUIRED) if (!columns.includes(required)) issues.push({ field: '(header)', message: `the column "${required}" is missing` });
  const seen = new Set<Column>();
  for (const column of columns) {
    if (column && seen.has(column)) issues.push({ field: '(header)', message: `the column "${column}" appears twice` });
    if (column) seen.add(column);
  }
  if (issues.length) throw new AccountsCsvError(issues.map((i) => ({ line, ...i })));
  return columns as Column[];
}

/**
 * A row's cells as the account body the schema checks: blank cells are left out (the
 * platform takes its default, an existing account keeps its secrets), the proxy URL read.
 */
function bodyOf(cells: Partial<Record<Column, string>>): { body: Record<string, unknown>; issues: ImportIssue[] } {
  const body: Record<string, unknown> = {};
  const issues: ImportIssue[] = [];
  for (const [column, raw] of Object.entries(cells) as [Column, string][]) {
    // Secrets are taken as written: a space may belong to a password.
    const value = column === 'password' || column === 'otpCode' ? raw : raw.trim();
    if (value === '') continue;
    if (column === 'proxy') {
      try {
        body.proxy = proxyFromUrl(value);
      } catch (err) {
        issues.push({ field: 'proxy', message: (err as Error).message });
      }
    } else {
      body[column] = value;
    }
  }
  return { body, issues };
}

/** Reads the CSV and saves every good row; throws {@link AccountsCsvError} when the file as a whole is unreadable. */
export async function importAccountsCsv(deps: { orm: Orm; secrets: SecretBox; browser: BrowserPlatformNames }, text: string): Promise<ImportSummary> {
  if (text.length > MAX_IMPORT_CHARS) throw new AccountsCsvError([{ field: 'csv', message: `at most ${MAX_IMPORT_CHARS} characters; send a long list in parts` }]);
  const { records, issues } = parseCsv(text.startsWith('\uFEFF') ? text.slice(1) : text);
  if (issues.length) throw new AccountsCsvError(issues);
  const [header, ...rows] = records;
  if (!header) throw new AccountsCsvError([{ field: 'csv', message: `is empty; the first line names the columns (${KNOWN_COLUMNS})` }]);
  const columns = readHeader(header.line, header.fields);
  if (rows.length === 0) throw new AccountsCsvError([{ field: 'csv', message: 'has a header but no account' }]);
  if (rows.length > MAX_IMPORT_ROWS) throw new AccountsCsvError([{ field: 'csv', message: `at most ${MAX_IMPORT_ROWS} accounts at once, got ${rows.length}` }]);

  const idColumn = columns.indexOf('id');
  const ids = [...new Set(rows.map((r) => (r.fields[idColumn] ?? '').trim()).filter(Boolean))];
  const existing = new Map<string, Pick<Account, 'platform' | 'username'>>();
  for (let i = 0; i < ids.length; i += 500) {
    const found = await deps.orm.em.fork().find(Account, { id: { $in: ids.slice(i, i + 500) } }, { fields: ['id', 'platform', 'username'] });
    for (const a of found) existing.set(a.id, { platform: a.platform, username: a.username });
  }
  const firstLineOf = new Map<string, number>();
  const strict = accountBody(deps.browser);
  const keeping = accountBody(deps.browser, { passwordOptional: true });

  const results: ImportRowResult[] = [];
  for (const row of rows) {
    const cells: Partial<Record<Column, string>> = {};
    columns.forEach((column, i) => (cells[column] = row.fields[i] ?? ''));
    const id = cells.id?.trim() || null;
    const fail = (rowIssues: ImportIssue[]) => results.push({ line: row.line, id, result: 'failed', issues: rowIssues });
    if (row.fields.length !== columns.length) {
      fail([{ field: '(row)', message: `has ${row.fields.length} cells, the header names ${columns.length} columns` }]);
      continue;
    }
    const earlier = id === null ? undefined : firstLineOf.get(id);
    if (earlier !== undefined) {
      fail([{ field: 'id', message: `account "${id}" is already on line ${earlier}` }]);
      continue;
    }
    if (id !== null) firstLineOf.set(id, row.line);
    const { body, issues: cellIssues } = bodyOf(cells);
    const stored = id === null ? undefined : existing.get(id);
    // A blank platform or username of an existing account is its own, not the default or a missing value.
    if (stored) for (const field of ['platform', 'username'] as const) body[field] ??= stored[field];
    const parsed = (stored ? keeping : strict).safeParse(body);
    const rowIssues = [...cellIssues, ...(parsed.success ? [] : describeIssues(parsed.error))];
    if (!parsed.success || rowIssues.length) {
      fail(rowIssues);
      continue;
    }
    try {
      const { created } = await saveAccount(deps.orm, deps.secrets, parsed.data, { keepOmitted: true });
      results.push({ line: row.line, id, result: created ? 'created' : 'updated', issues: [] });
    } catch (err) {
      if (!(err instanceof AccountWriteError)) throw err;
      fail([{ field: err.field, message: err.message }]);
    }
  }
  const count = (result: ImportRowResult['result']) => results.filter((r) => r.result === result).length;
  return { created: count('created'), updated: count('updated'), failed: count('failed'), rows: results };
}
