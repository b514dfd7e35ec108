/**
 * What every benchmark shares: flags, the machine description, percentiles, the printed
 * table and the JSON result file that `bench:report` turns into BENCHMARKS.md.
 *
 * Goals are ratios against a baseline measured in the same run, because one machine's
 * seconds say little about another's; absolute targets from issue 7 are shown beside them.
 */
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';

/** Where result files live; the report reads every `*.json` in it. */
export const RESULTS_DIR = path.join(__dirname, 'results');

/** Redis database the benchmarks use, so they never touch the app's (0) or the tests' (15). */
export const BENCH_REDIS_DB = 14;

/** One printed and stored table. */
export interface ResultTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

/** One panel of the chart in BENCHMARKS.md: bars, smaller is better unless `higherIsBetter`. */
export interface ChartPanel {
  title: string;
  unit: string;
  bars: { label: string; value: number; highlight?: boolean }[];
  higherIsBetter?: boolean;
  target?: { value: number; label: string };
}

/** The machine a result was measured on. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  totalMemoryGiB: number;
  os: string;
  node: string;
  ffmpeg: string;
  chromium: string;
  /** 1-minute load average when the run started: above the core count, other work shared the CPU. */
  loadAverage1m: number;
  timestamp: string;
}

/** What a benchmark writes to `bench/results/<name>.json`. */
export interface BenchResult {
  name: string;
  title: string;
  machine: MachineInfo;
  params: Record<string, unknown>;
  tables: ResultTable[];
  /** Headline numbers by name, for the report and for comparing runs. */
  summary: Record<string, unknown>;
  /** A short reading of the numbers: what they mean, what was chosen. */
  findings: string[];
  chart?: ChartPanel;
  durationSec: number;
}

/** Parses `--name value` flags with defaults; `--help` prints them and exits. */
export function flags<T extends Record<string, string>>(usage: string, defaults: T): { [K in keyof T]: string } {
  const options = Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' as const }]));
  const parsed = parseArgs({ options: { ...options, help: { type: 'boolean' } }, strict: true, allowPositionals: false });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.log(`${usage}\n\nflags (default):`);
    for (const [k, v] of Object.entries(defaults)) console.log(`  --${k} ${v}`);
    process.exit(0);
  }
  const out: Record<string, string> = { ...defaults };
  for (const k of Object.keys(defaults)) {
    const v = values[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out as { [K in keyof T]: string };
}

/** A positive integer flag, or a message naming the flag. */
export function intFlag(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

/** A comma-separated list of positive integers, e.g. `--writers 1,4,16`. */
export function intListFlag(name: string, value: string): number[] {
  return value.split(',').map((v) => intFlag(name, v.trim()));
}

/** What `intFlags` parses a flag to: one integer, or a comma-separated list when its default is a list. */
type IntFlagValues<T> = { [K in keyof T]: T[K] extends readonly number[] ? number[] : number };

/**
 * Parses integer flags from their defaults, a number for one value and a list for a
 * comma-separated list (`--writers 1,4,16`), each at least 1 unless `min` says otherwise;
 * `--help` prints them and exits.
 */
export function intFlags<const T extends Record<string, number | readonly number[]>>(usage: string, defaults: T, min: { [K in keyof T]?: number } = {}): IntFlagValues<T> {
  const asText = Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, String(value)]));
  const given = flags(usage, asText);
  const parsed = Object.entries(defaults).map(([name, value]) => {
    const text = given[name] ?? String(value);
    return [name, Array.isArray(value) ? intListFlag(name, text) : intFlag(name, text, min[name] ?? 1)];
  });
  // Object.fromEntries forgets the keys; each is a key of `defaults`, parsed as its default's kind.
  return Object.fromEntries(parsed) as IntFlagValues<T>;
}

/** The app's Redis URL with the database switched to the benchmarks' one. */
export function benchRedisUrl(): string {
  const url = new URL(loadConfig().redis.url);
  url.pathname = `/${BENCH_REDIS_DB}`;
  return url.toString();
}

/** Runs a program, resolving with its stdout and stderr; rejects on a non-zero exit. */
export function run(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-600)}`))));
  });
}

async function firstLine(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout) => resolve(err ? 'unavailable' : (stdout.split('\n')[0] ?? '').trim()));
  });
}

/** Core count, CPU model and the versions that shape the numbers. */
export async function machineInfo(): Promise<MachineInfo> {
  const config = loadConfig();
  const [ffmpeg, chromium] = await Promise.all([firstLine(config.media.ffmpegPath ?? 'ffmpeg', ['-version']), firstLine(config.browser.executablePath, ['--version'])]);
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    totalMemoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ffmpeg: ffmpeg.replace(/ Copyright.*$/, ''),
    chromium,
    loadAverage1m: round(os.loadavg()[0] ?? 0, 2),
    timestamp: new Date().toISOString(),
  };
}

/** The p-th percentile (0-100) of the values, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function round(n: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(n * scale) / scale;
}

/** Milliseconds `fn` took, and its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Prints a table with aligned columns. */
export function printTable(table: ResultTable): void {
  const cells = [table.columns, ...table.rows.map((r) => r.map(String))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${table.title}`);
  console.log(line(table.columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Prints the tables and findings and writes `bench/results/<name>.json`. */
export async function saveResult(result: BenchResult): Promise<string> {
  for (const t of result.tables) printTable(t);
  console.log('');
  for (const f of result.findings) console.log(`- ${f}`);
  await fs.mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.name}.json`);
  await fs.writeFile(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  return file;
}

/** Runs a benchmark's main, printing a failure and setting the exit code instead of an unhandled rejection. */
export function main(fn: () => Promise<void>): void {
  fn().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
}
