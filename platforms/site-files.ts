/**
 * Browser platforms as files: each `<name>.json`, `<name>.yaml` or `<name>.yml` in
 * PLATFORMS_DIR describes one site (a FormSite, plus where it lives). A process reads the
 * folder once, when it starts, and refuses to start on a file it cannot use, with one line
 * per problem naming the file, the field and what is wrong, e.g.
 * `platforms/sites/demo.json: selectors.fileInput: required`. An operator adds or repairs a
 * site by editing its file and restarting the worker (and the API).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Config } from '../config';
import { API_PLATFORM_NAMES, isApiPlatform } from '../contracts/platforms';
import { FormSiteSchema, type FormSite } from './form-site';

/** What a site file holds: the FormSite, and optionally a note and the site's address. */
export const SiteFileSchema = FormSiteSchema.extend({
  /** For the people who maintain the file: what the site is, where its selectors come from. */
  description: z.string().optional(),
  /** The site's origin, e.g. `https://video.example.com`; `<NAME>_PLATFORM_URL` overrides it. */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
});

/** A site ready to drive: its description, the base URL it is reached at, and the file it came from. */
export interface BrowserSite {
  site: FormSite;
  baseUrl: string;
  file: string;
}

/** The loaded browser platforms by name. */
export type BrowserSites = ReadonlyMap<string, BrowserSite>;

export const SITE_FILE_EXTENSIONS = ['.json', '.yaml', '.yml'] as const;

/** A site file (or the folder) that cannot be used; the message has one line per problem. */
export class SiteFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SiteFileError';
  }
}

/** The variable that overrides a site's base URL: `acme-shop` → `ACME_SHOP_PLATFORM_URL`. */
export function siteUrlVariable(name: string): string {
  return `${name.toUpperCase().replaceAll('-', '_')}_PLATFORM_URL`;
}

/** A path as an operator typed it: relative to the working directory when it lies inside it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

const describeValue = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
const EXPECTED: Record<string, string> = { string: 'a string', object: 'an object', array: 'a list' };

/** The keys the schema allows at a path, to suggest one for a misspelt key. */
function keysAt(at: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = SiteFileSchema;
  for (const key of at) {
    if (node instanceof z.ZodOptional) node = node.unwrap() as z.ZodType;
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, z.ZodType>)[String(key)];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

/** One line per problem zod found, in words for the person editing the file. */
function problems(issues: readonly z.core.$ZodIssue[]): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const issue of issues) {
    const field = issue.path.map(String).join('.');
    switch (issue.code) {
      case 'invalid_type':
        out.push({ field, message: issue.input === undefined ? 'required' : `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describeValue(issue.input)}` });
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const near = keysAt(issue.path).find((k) => k.toLowerCase() === key.toLowerCase().replace(/[-_\s]/g, ''));
          out.push({ field: [...issue.path.map(String), key].join('.'), message: `unknown field${near ? ` (did you mean ${near}?)` : ''}` });
        }
        break;
      case 'invalid_value':
        out.push({ field, message: `must be one of: ${issue.values.map(String).join(', ')}; not ${describeValue(issue.input)}` });
        break;
      case 'too_small':
        out.push({ field, message: 'must not be empty' });
        break;
      case 'invalid_format':
        out.push({ field, message: issue.format === 'url' ? 'must be an http(s) URL' : issue.message });
        break;
      default:
        out.push({ field, message: issue.message });
    }
  }
  return out;
}

function parseText(file: string, text: string): unknown {
  if (path.extname(file) === '.json') return JSON.parse(text);
  return parseYaml(text);
}

/**
 * Reads and checks one site file. `urls` are base URLs by platform name that win over the
 * file's own `baseUrl` (the `<NAME>_PLATFORM_URL` settings). Throws {@link SiteFileError}.
 */
export function readSiteFile(file: string, urls: Readonly<Record<string, string>> = {}): BrowserSite {
  const at = (field: string, message: string) => new SiteFileError([`${shown(file)}: ${field ? `${field}: ` : ''}${message}`]);
  const text = fs.readFileSync(file, 'utf8');
  if (!text.trim()) throw at('', 'the file is empty');
  let raw: unknown;
  try {
    raw = parseText(file, text);
  } catch (err) {
    const format = path.extname(file) === '.json' ? 'JSON' : 'YAML';
    // The parser's first line says what and where (`… at line 2, column 8:`); the rest quotes the file.
    throw at('', `not valid ${format}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]?.replace(/:$/, '')}`);
  }
  const parsed = SiteFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new SiteFileError(problems(parsed.error.issues).map((p) => `${shown(file)}: ${p.field ? `${p.field}: ` : ''}${p.message}`));

  const { description: _description, baseUrl: ownUrl, ...site } = parsed.data;
  if (isApiPlatform(site.name)) throw at('name', `"${site.name}" is an API platform (${API_PLATFORM_NAMES.join(', ')}); a site file cannot describe it`);
  const stem = path.basename(file, path.extname(file));
  if (stem !== site.name) throw at('name', `"${site.name}" does not match the file name; name the file ${site.name}${path.extname(file)} or change the name to "${stem}"`);
  const baseUrl = urls[site.name] ?? ownUrl;
  if (!baseUrl) throw at('baseUrl', `required (or set ${siteUrlVariable(site.name)})`);
  return { site, baseUrl: baseUrl.replace(/\/$/, ''), file };
}

/**
 * Reads every site file in `dir` (other files are ignored). Throws one
 * {@link SiteFileError} listing the problems of every bad file, so one restart shows them all.
 */
export function loadSiteFiles(dir: string, urls: Readonly<Record<string, string>> = {}): BrowserSites {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SiteFileError([`PLATFORMS_DIR: ${shown(dir)} is not a folder; point PLATFORMS_DIR at the folder of site files`]);
    throw err;
  }
  const files = entries
    .filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()) && (SITE_FILE_EXTENSIONS as readonly string[]).includes(path.extname(e.name)))
    .map((e) => path.join(dir, e.name))
    .sort();
  const sites = new Map<string, BrowserSite>();
  const found: string[] = [];
  for (const file of files) {
    try {
      const loaded = readSiteFile(file, urls);
      const earlier = sites.get(loaded.site.name);
      if (earlier) found.push(`${shown(file)}: name: "${loaded.site.name}" is also described by ${shown(earlier.file)}; keep one file per platform`);
      else sites.set(loaded.site.name, loaded);
    } catch (err) {
      if (!(err instanceof SiteFileError)) throw err;
      found.push(...err.problems);
    }
  }
  if (found.length) throw new SiteFileError(found);
  return sites;
}

/**
 * The browser platforms of a configuration: the site files in PLATFORMS_DIR. A site's base
 * URL is `<NAME>_PLATFORM_URL` when set, else its file's `baseUrl`. The demo's variable is
 * DEMO_PLATFORM_URL, which defaults to the embedded demo server's own address
 * (`config.demoPlatform.url`), so demo.json names no URL.
 */
export function loadBrowserSites(config: Pick<Config, 'platforms' | 'demoPlatform'>): BrowserSites {
  return loadSiteFiles(config.platforms.dir, { ...config.platforms.siteUrls, demo: config.demoPlatform.url });
}
