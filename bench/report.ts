/**
 * `npm run bench:report`: regenerates BENCHMARKS.md and bench/results/chart.svg from the
 * result files in bench/results/. Runs nothing itself; `bench:all` measures first.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { main, RESULTS_DIR, type BenchResult, type ChartPanel, type ResultTable } from './lib';

const ROOT = path.join(__dirname, '..');
const CHART_FILE = path.join(RESULTS_DIR, 'chart.svg');
/** Sections in this order; results with other names follow. */
const ORDER = ['uniquify', 'logs', 'cache', 'browser'];

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function markdownTable(t: ResultTable): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|');
  return [
    `**${t.title}**`,
    '',
    `| ${t.columns.map(cell).join(' | ')} |`,
    `|${t.columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Horizontal bar charts, one panel per benchmark, in a two-column grid. */
function chartSvg(panels: ChartPanel[]): string {
  const panelW = 460;
  const barH = 22;
  const labelW = 150;
  const plotW = panelW - labelW - 70;
  const heights = panels.map((p) => 50 + p.bars.length * (barH + 6) + 20);
  const rows = Math.ceil(panels.length / 2);
  const rowH = Array.from({ length: rows }, (_, r) => Math.max(heights[2 * r] ?? 0, heights[2 * r + 1] ?? 0));
  const width = panelW * 2 + 30;
  const height = rowH.reduce((a, b) => a + b, 0) + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  panels.forEach((p, i) => {
    const x0 = 10 + (i % 2) * (panelW + 10);
    const y0 = 10 + rowH.slice(0, Math.floor(i / 2)).reduce((a, b) => a + b, 0);
    const max = Math.max(...p.bars.map((b) => b.value), p.target?.value ?? 0) * 1.1 || 1;
    const scale = (v: number) => (v / max) * plotW;
    parts.push(`<g transform="translate(${x0},${y0})">`);
    parts.push(`<text x="0" y="16" font-size="14" font-weight="600">${escapeXml(p.title)}</text>`);
    parts.push(`<text x="0" y="32" fill="#666">${escapeXml(p.higherIsBetter ? 'higher is better' : 'lower is better')} · ${escapeXml(p.unit)}</text>`);
    p.bars.forEach((b, j) => {
      const y = 44 + j * (barH + 6);
      parts.push(`<text x="${labelW - 6}" y="${y + barH / 2 + 4}" text-anchor="end">${escapeXml(b.label)}</text>`);
      parts.push(`<rect x="${labelW}" y="${y}" width="${Math.max(1, scale(b.value)).toFixed(1)}" height="${barH}" fill="${b.highlight ? '#2f7d4f' : '#7a8ea8'}"/>`);
      parts.push(`<text x="${(labelW + Math.max(1, scale(b.value)) + 4).toFixed(1)}" y="${y + barH / 2 + 4}">${b.value}</text>`);
    });
    if (p.target) {
      const tx = (labelW + scale(p.target.value)).toFixed(1);
      const bottom = 44 + p.bars.length * (barH + 6);
      parts.push(`<line x1="${tx}" y1="40" x2="${tx}" y2="${bottom}" stroke="#c0392b" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${tx}" y="${bottom + 14}" fill="#c0392b" text-anchor="middle">${escapeXml(p.target.label)}</text>`);
    }
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

interface FanoutRow { accounts: number; videosPerAccount: number; status: string; wallSeconds: number; childrenPerSecond: number; parentRuns: number; maxParentHistoryEvents: number; plainLoopSeconds: number; overheadRatio: number }

/** The fan-out section, from bench/results/fanout.json (written by `npm run bench:fanout`). */
async function fanoutSection(): Promise<string> {
  const raw = await fs.readFile(path.join(RESULTS_DIR, 'fanout.json'), 'utf8').catch(() => undefined);
  const head = `## Fan-out: dry-run bulks of N accounts

\`npm run bench:fanout -- --accounts 100,1000[,10000]\`: every activity runs and records for real, but
nothing is encoded and no browser opens; the baseline is a plain loop calling the same activity
functions with the same concurrency, without Temporal. Targets: 1,000 accounts in under 60 s
on 2 cores; no run's history above 10,000 events at 10,000 accounts.`;
  if (!raw) return `${head}\n\nNot measured yet.`;
  const data = JSON.parse(raw) as { date: string; cores: number; concurrency: number; rows: FanoutRow[] };
  const rows = data.rows.map((r) => `| ${r.accounts} | ${r.videosPerAccount} | ${r.status} | ${r.wallSeconds} | ${r.childrenPerSecond} | ${r.parentRuns} | ${r.maxParentHistoryEvents} | ${r.plainLoopSeconds} | ${r.overheadRatio} |`);
  return [
    head,
    '',
    `Measured ${data.date} on ${data.cores} cores, ${data.concurrency} accounts at a time.`,
    '',
    '| accounts | videos each | status | wall s | children/s | parent runs | max history events | plain loop s | Temporal / plain |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'Reading: the orchestration costs workflow tasks (CPU in the worker) and round trips; log and status writes',
    'run as local activities to keep that down. Not yet at the 1,000-in-60-s target on 2 cores; see issue 7.',
  ].join('\n');
}

main(async () => {
  const files = (await fs.readdir(RESULTS_DIR).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
  const results: BenchResult[] = [];
  for (const f of files) {
    const parsed = JSON.parse(await fs.readFile(path.join(RESULTS_DIR, f), 'utf8')) as Partial<BenchResult>;
    if (parsed.name && parsed.machine && Array.isArray(parsed.tables)) results.push(parsed as BenchResult);
  }
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  results.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  if (results.length === 0) throw new Error(`no results in ${RESULTS_DIR}: run npm run bench:all first`);

  const panels = results.flatMap((r) => (r.chart ? [r.chart] : []));
  if (panels.length) await fs.writeFile(CHART_FILE, chartSvg(panels));

  const machines = new Map(results.map((r) => [`${r.machine.cores} × ${r.machine.cpuModel}, ${r.machine.totalMemoryGiB} GiB`, r.machine]));
  const first = results[0]!.machine;
  const lines: string[] = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench:report` from bench/results/*.json; edit bench/report.ts, not this file. -->',
    '',
    'What one machine does with clipfleet\'s expensive steps, each against a baseline measured in the same',
    'run (machines are noisy; ratios travel better than seconds). Targets are from issue 7 and are',
    'benchmarks, not test assertions. Re-measure with `npm run bench:all` (about 6 minutes on 2 cores),',
    'or one benchmark with `npm run bench:<name>`; each takes `--help` for bigger runs.',
    '',
    `Measured on ${[...machines.keys()].join('; ')} (${first.os}), Node ${first.node}, ${first.ffmpeg}, ${first.chromium}.`,
    '',
    ...(panels.length ? [`![Benchmark chart](bench/results/${path.basename(CHART_FILE)})`, ''] : []),
    '| benchmark | script | measured at | load avg at start | took |',
    '|---|---|---|---:|---:|',
    ...results.map((r) => `| [${r.title}](#${r.name}) | \`npm run bench:${r.name}\` | ${r.machine.timestamp} | ${r.machine.loadAverage1m ?? '?'} | ${r.durationSec} s |`),
    '',
    'A load average above the core count means other work shared the CPU during that run; its ratios still hold better than its seconds.',
    '',
  ];
  for (const r of results) {
    lines.push(`<a id="${r.name}"></a>`, `## ${r.title}`, '', `\`npm run bench:${r.name}\` · parameters: \`${JSON.stringify(r.params)}\``, '');
    for (const t of r.tables) lines.push(markdownTable(t), '');
    lines.push('Reading:', '', ...r.findings.map((f) => `- ${f}`), '');
  }
  lines.push(await fanoutSection(), '');

  const out = path.join(ROOT, 'BENCHMARKS.md');
  await fs.writeFile(out, lines.join('\n'));
  console.log(`wrote ${path.relative(process.cwd(), out)}${panels.length ? ` and ${path.relative(process.cwd(), CHART_FILE)}` : ''} from ${results.length} result(s)`);
});
