/**
 * `npm run bench:browser [-- --uploads 12 --accounts 4 --shared 1,2,4 --per-launch 1,2 --contexts 1,2,4,8]`
 *
 * Uploads per minute to the demo platform the way `uploadViaBrowser` does them (session
 * check, sign-in when the stored session is missing, check for an earlier post, publish),
 * with one shared Chromium and a fresh context per upload (`createBrowserPool`, what the
 * worker runs) against a Chromium launched for each upload. Then the memory of K open,
 * signed-in contexts: RSS of the Chromium processes from `ps`, and PSS from
 * /proc/<pid>/smaps_rollup, which splits shared pages fairly and so adds up honestly.
 *
 * Every upload is a distinct small clip (the platform refuses a file it has seen).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { startDemoPlatform } from '../demo-platform/server';
import { configureFfmpeg, makeSampleVideo, sha256File } from '../media';
import type { PlatformAdapter, PlatformCredentials } from '../platforms/adapter';
import { createBrowserPool, type BrowserPool, type StorageState } from '../platforms/browser-pool';
import { createDemoAdapter } from '../platforms/demo/adapter';
import { intFlags, machineInfo, main, round, run, saveResult, timed, type ResultTable } from './lib';

interface Account extends PlatformCredentials {
  storageState?: StorageState;
}

/** One upload as the activity does it; returns the post URL. */
async function upload(pool: BrowserPool, adapter: PlatformAdapter, account: Account, filePath: string, caption: string): Promise<string> {
  const sha256 = await sha256File(filePath);
  return pool.withContext({ storageState: account.storageState }, async (context, page) => {
    if (!(await adapter.isSignedIn(page))) {
      await adapter.signIn(page, account);
      account.storageState = await context.storageState();
    }
    const existing = await adapter.findExistingPost(page, { sha256, caption });
    if (existing) throw new Error(`clip ${filePath} was already posted: the benchmark's clips must be distinct`);
    return (await adapter.publish(page, { filePath, caption })).url;
  });
}

/** Runs `jobs` with at most `concurrency` at once. */
async function inParallel(jobs: (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

/** Chromium processes started by this process (descendants whose command is Chromium). */
async function chromiumMemory(): Promise<{ processes: number; rssMiB: number; pssMiB: number | null }> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,rss=,comm=']);
  const procs = stdout
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, ppid, rss, ...comm]) => ({ pid: Number(pid), ppid: Number(ppid), rssKiB: Number(rss), comm: comm.join(' ') }));
  const mine = new Set([process.pid]);
  // Parents come before children in most listings, but not always: repeat until stable.
  for (let changed = true; changed;) {
    changed = false;
    for (const p of procs) {
      if (mine.has(p.pid) || !mine.has(p.ppid)) continue;
      mine.add(p.pid);
      changed = true;
    }
  }
  const chromium = procs.filter((p) => mine.has(p.pid) && p.pid !== process.pid && /chrom/i.test(p.comm));
  let pssKiB: number | null = 0;
  for (const p of chromium) {
    const text = await fs.readFile(`/proc/${p.pid}/smaps_rollup`, 'utf8').catch(() => null);
    const m = text ? /^Pss:\s+(\d+) kB/m.exec(text) : null;
    if (!m?.[1]) {
      pssKiB = null;
      break;
    }
    pssKiB += Number(m[1]);
  }
  const rssKiB = chromium.reduce((a, p) => a + p.rssKiB, 0);
  return { processes: chromium.length, rssMiB: round(rssKiB / 1024, 1), pssMiB: pssKiB === null ? null : round(pssKiB / 1024, 1) };
}

main(async () => {
  const flags = intFlags('Uploads per minute, shared browser vs a browser per upload; memory per open context.', {
    uploads: 12,
    accounts: 4,
    shared: [1, 2, 4],
    'per-launch': [1, 2],
    contexts: [1, 2, 4, 8],
  });
  const { uploads: uploadsPerRun, accounts: accountCount, shared: sharedLevels, 'per-launch': perLaunchLevels, contexts: contextLevels } = flags;

  const started = performance.now();
  const machine = await machineInfo();
  const config = loadConfig();
  configureFfmpeg({ ffmpegPath: config.media.ffmpegPath, ffprobePath: config.media.ffprobePath });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-bench-browser-'));
  const demo = await startDemoPlatform({ dataDir: path.join(dir, 'demo-platform'), port: 0 });
  const pools: BrowserPool[] = [];
  try {
    const adapter = createDemoAdapter({ baseUrl: demo.url });
    const accounts: Account[] = [];
    for (let i = 0; i < accountCount; i++) {
      const account = { username: `bench-${i}`, password: `bench-pw-${i}` };
      const res = await fetch(`${demo.url}/api/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
      if (!res.ok) throw new Error(`demo platform refused account ${account.username}: ${res.status} ${await res.text()}`);
      accounts.push(account);
    }

    const totalClips = uploadsPerRun * (sharedLevels.length + perLaunchLevels.length) + accountCount;
    console.log(`making ${totalClips} distinct clips ...`);
    const clips: string[] = [];
    for (let i = 0; i < totalClips; i++) {
      clips.push(
        await makeSampleVideo({
          outputPath: path.join(dir, 'clips', `clip-${i}.mp4`),
          width: 320,
          height: 240,
          durationSec: 1,
          fps: 15,
          withAudio: false,
          pattern: `bench-browser-${i}`,
        }),
      );
    }
    let nextClip = 0;
    const clip = () => clips[nextClip++]!;

    // Sign each account in once, as the worker would have: later uploads reuse the session.
    const shared = createBrowserPool({ ...config.browser, concurrency: Math.max(...sharedLevels, ...contextLevels) });
    pools.push(shared);
    console.log('warm-up: one upload per account ...');
    await inParallel(
      accounts.map((a) => () => upload(shared, adapter, a, clip(), 'warm-up')),
      2,
    );

    const runs: { mode: string; concurrency: number; uploads: number; seconds: number; perMinute: number; launches: number }[] = [];
    const jobs = (pool: () => Promise<{ pool: BrowserPool; done?: () => Promise<void> }>) =>
      Array.from({ length: uploadsPerRun }, (_, i) => {
        const file = clip();
        const account = accounts[i % accounts.length]!;
        return async () => {
          const p = await pool();
          try {
            await upload(p.pool, adapter, account, file, `bench upload ${i}`);
          } finally {
            await p.done?.();
          }
        };
      });

    for (const concurrency of sharedLevels) {
      console.log(`shared browser, ${concurrency} context(s) at once ...`);
      const pool = createBrowserPool({ ...config.browser, concurrency });
      pools.push(pool);
      const launchesBefore = pool.stats().launches;
      const r = await timed(() =>
        inParallel(
          jobs(async () => ({ pool })),
          concurrency,
        ),
      );
      runs.push({
        mode: 'shared browser, context per upload',
        concurrency,
        uploads: uploadsPerRun,
        seconds: r.ms / 1000,
        perMinute: uploadsPerRun / (r.ms / 60_000),
        launches: pool.stats().launches - launchesBefore,
      });
      await pool.close();
    }
    for (const concurrency of perLaunchLevels) {
      console.log(`browser per upload, ${concurrency} at once ...`);
      let launches = 0;
      const r = await timed(() =>
        inParallel(
          jobs(async () => {
            const pool = createBrowserPool({ ...config.browser, concurrency: 1 });
            launches += 1;
            return { pool, done: () => pool.close() };
          }),
          concurrency,
        ),
      );
      runs.push({ mode: 'browser launched per upload', concurrency, uploads: uploadsPerRun, seconds: r.ms / 1000, perMinute: uploadsPerRun / (r.ms / 60_000), launches });
    }

    // Memory: K contexts open at once, each signed in and on the upload page.
    const memory: { contexts: number; processes: number; rssMiB: number; pssMiB: number | null }[] = [];
    const idle = await chromiumMemory();
    memory.push({ contexts: 0, ...idle });
    for (const k of contextLevels) {
      let release!: () => void;
      const hold = new Promise<void>((resolve) => (release = resolve));
      let opened = 0;
      let allOpen!: () => void;
      const ready = new Promise<void>((resolve) => (allOpen = resolve));
      const holders = Array.from({ length: k }, (_, i) =>
        shared.withContext({ storageState: accounts[i % accounts.length]!.storageState }, async (_context, page) => {
          if (!(await adapter.isSignedIn(page))) throw new Error('stored session was not accepted');
          if (++opened === k) allOpen();
          await hold;
        }),
      );
      await ready;
      // Let the renderers settle before sampling.
      await new Promise((r) => setTimeout(r, 1_500));
      memory.push({ contexts: k, ...(await chromiumMemory()) });
      release();
      await Promise.all(holders);
      console.log(`memory with ${k} context(s) sampled`);
    }

    const base = runs.find((r) => r.mode.startsWith('shared') && r.concurrency === 1)?.perMinute ?? runs[0]!.perMinute;
    const throughputTable: ResultTable = {
      title: `Uploads to the demo platform (${uploadsPerRun} per row, ${accountCount} accounts, 1 s 320x240 clips)`,
      columns: ['mode', 'at once', 'seconds', 'uploads/min', '× shared @1', 'Chromium launches'],
      rows: runs.map((r) => [r.mode, r.concurrency, round(r.seconds, 1), round(r.perMinute, 1), round(r.perMinute / base, 2), r.launches]),
    };
    const idleMem = memory[0]!;
    const metric = (m: (typeof memory)[number]) => m.pssMiB ?? m.rssMiB;
    const memoryTable: ResultTable = {
      title: 'Chromium memory with K signed-in contexts open (one shared browser)',
      columns: ['contexts', 'processes', 'RSS MiB (ps, sum)', 'PSS MiB', 'PSS over 0 contexts, per context'],
      rows: memory.map((m) => [m.contexts, m.processes, m.rssMiB, m.pssMiB ?? '-', m.contexts === 0 ? '-' : round((metric(m) - metric(idleMem)) / m.contexts, 1)]),
    };

    // The recommendation: the smallest concurrency within 10 % of the best shared
    // throughput, capped by what half of free memory holds at the measured cost per context.
    const sharedRuns = runs.filter((r) => r.mode.startsWith('shared'));
    const bestShared = sharedRuns.reduce((a, b) => (b.perMinute > a.perMinute ? b : a));
    const knee = [...sharedRuns].sort((a, b) => a.concurrency - b.concurrency).find((r) => r.perMinute >= bestShared.perMinute * 0.9) ?? bestShared;
    const largest = memory.at(-1)!;
    const perContextMiB = largest.contexts > 0 ? Math.max(1, (metric(largest) - metric(idleMem)) / largest.contexts) : 100;
    const memoryCap = Math.max(1, Math.floor(((os.freemem() / 1024 ** 2) * 0.5) / perContextMiB));
    const recommended = Math.min(knee.concurrency, memoryCap);
    const perLaunchSame = runs.find((r) => r.mode.startsWith('browser launched') && r.concurrency === knee.concurrency) ?? runs.find((r) => r.mode.startsWith('browser launched'));
    const sharedSame = perLaunchSame ? sharedRuns.find((r) => r.concurrency === perLaunchSame.concurrency) : undefined;

    const findings = [
      `One shared browser: ${sharedRuns.map((r) => `${round(r.perMinute, 1)} uploads/min at ${r.concurrency}`).join(', ')}.`,
      perLaunchSame && sharedSame
        ? `A browser launched per upload manages ${round(perLaunchSame.perMinute, 1)} uploads/min at ${perLaunchSame.concurrency} at once, against ${round(sharedSame.perMinute, 1)} shared: the shared browser is ${round(sharedSame.perMinute / perLaunchSame.perMinute, 2)}× as fast.`
        : 'The per-upload launch mode was not measured.',
      `Each open, signed-in context adds about ${round(perContextMiB, 1)} MiB (PSS; RSS double-counts shared pages: ${largest.rssMiB} MiB summed for ${largest.contexts}); the idle browser holds ${metric(idleMem)} MiB.`,
      `Recommended BROWSER_CONCURRENCY on this machine (${machine.cores} cores): ${recommended}. Throughput stops improving past ${knee.concurrency} (within 10 % of the best), and half of the free memory (${Math.round(os.freemem() / 1024 ** 2)} MiB) would hold ${memoryCap} contexts. The config default is ${config.browser.concurrency}. Here one upload already keeps both cores busy (Chromium, the demo server and its checks share them), so more contexts only queue; a real platform spends most of an upload waiting on the network, where a higher limit pays off until memory runs out.`,
    ];

    await saveResult({
      name: 'browser',
      title: 'Browser uploads and memory',
      machine,
      params: { uploadsPerRun, accountCount, sharedLevels, perLaunchLevels, contextLevels, headless: config.browser.headless },
      tables: [throughputTable, memoryTable],
      summary: {
        uploadsPerMinute: Object.fromEntries(runs.map((r) => [`${r.mode.startsWith('shared') ? 'shared' : 'perLaunch'}@${r.concurrency}`, round(r.perMinute, 2)])),
        memoryMiB: Object.fromEntries(memory.map((m) => [`contexts${m.contexts}`, { rss: m.rssMiB, pss: m.pssMiB }])),
        perContextMiB: round(perContextMiB, 1),
        recommendedBrowserConcurrency: recommended,
        configDefault: config.browser.concurrency,
      },
      findings,
      chart: {
        title: 'Uploads per minute',
        unit: 'uploads/min',
        higherIsBetter: true,
        bars: runs.map((r) => ({
          label: `${r.mode.startsWith('shared') ? 'shared' : 'per-launch'} ×${r.concurrency}`,
          value: round(r.perMinute, 1),
          highlight: r.mode.startsWith('shared') && r.concurrency === recommended,
        })),
      },
      durationSec: round((performance.now() - started) / 1000, 1),
    });
  } finally {
    for (const p of pools) await p.close().catch(() => undefined);
    await demo.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
