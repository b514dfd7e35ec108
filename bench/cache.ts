/**
 * `npm run bench:cache [-- --hits 2000 --misses 200 --upstream-ms 5]`
 *
 * CacheService read latency: a hit (Redis only) against a miss (Redis, the upstream, the
 * write back) and against calling the upstream with no cache at all. The upstream is a
 * local HTTP server answering a ~2 KB JSON body after a small artificial delay, so the
 * miss path pays a real request. Then 100 concurrent misses of one key, counting how
 * often the upstream was called (single flight: once per process).
 *
 * Runs on Redis database 14 under a key prefix of its own, removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCacheService, type CacheLogger, type CacheRequest, type CacheService } from '../cache';
import { createRedis, waitForRedis } from '../redis/connection';
import { benchRedisUrl, flags, intFlag, machineInfo, main, mean, percentile, round, saveResult, timed, type ResultTable } from './lib';

const TARGET_HIT_P50_MS = 1;
const quiet: CacheLogger = { info: () => undefined, warn: () => undefined };

/** A local upstream: JSON after `delayMs`, counting the calls. */
async function startUpstream(delayMs: number): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const body = JSON.stringify({
    items: Array.from({ length: 20 }, (_, i) => ({ id: `item-${i}`, name: `Candidate ${i}`, tags: ['a', 'b', 'c'], updatedAt: new Date(0).toISOString() })),
  });
  const server = http.createServer((_req, res) => {
    calls += 1;
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body), delayMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, calls: () => calls, close: () => new Promise((r) => server.close(() => r())) };
}

function stats(samples: number[]) {
  return { n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99), mean: mean(samples) };
}

main(async () => {
  const opts = flags('CacheService hit latency against the miss path; upstream calls for concurrent misses.', {
    hits: '2000',
    misses: '200',
    'upstream-ms': '5',
    concurrent: '100',
  });
  const [hits, misses, upstreamMs, concurrent] = [
    intFlag('hits', opts.hits),
    intFlag('misses', opts.misses),
    intFlag('upstream-ms', opts['upstream-ms'], 0),
    intFlag('concurrent', opts.concurrent),
  ];
  const started = performance.now();
  const machine = await machineInfo();
  const redis = createRedis(benchRedisUrl(), 'clipfleet-bench-cache');
  const upstream = await startUpstream(upstreamMs);
  const keyPrefix = `bench-cache-${randomBytes(4).toString('hex')}`;
  const ttl = 600;
  const settings = {
    cache: {
      keyPrefix,
      graceSeconds: 0,
      ttlSeconds: { google_calendar_events: ttl, google_drive_files: ttl, google_sheets: ttl, huntflow_candidates: ttl, huntflow_vacancies: ttl, huntflow_accounts: ttl },
    },
  };
  const cache = createCacheService(settings, redis, quiet);
  // A second service over its own connection: what a second process (API beside worker) is.
  const redis2 = createRedis(benchRedisUrl(), 'clipfleet-bench-cache-2');
  const cache2 = createCacheService(settings, redis2, quiet);
  const fetchUpstream = async (): Promise<unknown> => (await fetch(upstream.url)).json();
  const req = (params: Record<string, unknown>): CacheRequest => ({ service: 'huntflow_candidates', userId: 'bench', params });

  try {
    if (!(await waitForRedis(redis)) || !(await waitForRedis(redis2))) throw new Error(`Redis does not answer at ${benchRedisUrl()}`);

    // Warm-up: connections, JIT, the upstream's keep-alive socket.
    for (let i = 0; i < 50; i++) await fetchUpstream();
    for (let i = 0; i < 50; i++) await cache.getOrFetch(req({ warm: i % 5 }), fetchUpstream);

    const direct: number[] = [];
    for (let i = 0; i < misses; i++) direct.push((await timed(fetchUpstream)).ms);

    const missSamples: number[] = [];
    for (let i = 0; i < misses; i++) {
      const r = await timed(() => cache.getOrFetch(req({ miss: i }), fetchUpstream));
      if (r.value.source !== 'upstream') throw new Error(`expected a miss, got ${r.value.source}`);
      missSamples.push(r.ms);
    }

    await cache.getOrFetch(req({ hot: true }), fetchUpstream);
    const hitSamples: number[] = [];
    for (let i = 0; i < hits; i++) {
      const r = await timed(() => cache.getOrFetch(req({ hot: true }), fetchUpstream));
      if (r.value.source !== 'cache') throw new Error(`expected a hit, got ${r.value.source}`);
      hitSamples.push(r.ms);
    }

    // Throughput of hits with 50 callers at once: how the one connection pipelines.
    const parallelHits = hits * 5;
    const hitsParallel = await timed(async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next++ < parallelHits) await cache.getOrFetch(req({ hot: true }), fetchUpstream);
        }),
      );
    });

    const stampede = async (services: CacheService[], label: string) => {
      const before = upstream.calls();
      const r = await timed(() => Promise.all(Array.from({ length: concurrent }, (_, i) => services[i % services.length]!.getOrFetch(req({ stampede: label }), fetchUpstream))));
      return { calls: upstream.calls() - before, ms: r.ms, upstreamSources: r.value.filter((v) => v.source === 'upstream').length };
    };
    const oneProcess = await stampede([cache], 'one');
    const twoProcesses = await stampede([cache, cache2], 'two');

    const hit = stats(hitSamples);
    const miss = stats(missSamples);
    const up = stats(direct);
    const fmt = (s: ReturnType<typeof stats>) => [round(s.p50, 3), round(s.p95, 3), round(s.p99, 3), round(s.mean, 3)];
    const latency: ResultTable = {
      title: `Cache read latency, ms (upstream: local HTTP server, +${upstreamMs} ms delay)`,
      columns: ['path', 'calls', 'p50', 'p95', 'p99', 'mean', 'p50 × hit'],
      rows: [
        ['hit (Redis HGETALL + counter)', hit.n, ...fmt(hit), 1],
        ['miss (Redis, upstream, write back)', miss.n, ...fmt(miss), round(miss.p50 / hit.p50, 1)],
        ['upstream alone, no cache', up.n, ...fmt(up), round(up.p50 / hit.p50, 1)],
      ],
    };
    const concurrency: ResultTable = {
      title: `${concurrent} concurrent misses of one key`,
      columns: ['callers', 'upstream calls', 'all answered in ms'],
      rows: [
        ['one CacheService (one process)', oneProcess.calls, round(oneProcess.ms, 1)],
        ['two CacheServices (e.g. API + worker)', twoProcesses.calls, round(twoProcesses.ms, 1)],
      ],
    };
    const hitsPerSec = parallelHits / (hitsParallel.ms / 1000);
    const throughput: ResultTable = {
      title: 'Hit throughput, 50 callers over one connection',
      columns: ['hits', 'seconds', 'hits/s'],
      rows: [[parallelHits, round(hitsParallel.ms / 1000, 2), Math.round(hitsPerSec)]],
    };

    const findings = [
      `A hit takes ${round(hit.p50, 3)} ms at p50 and ${round(hit.p99, 3)} ms at p99 (target p50 ≤ ${TARGET_HIT_P50_MS} ms: ${hit.p50 <= TARGET_HIT_P50_MS ? 'met' : 'missed'}); ${round(miss.p50 / hit.p50, 1)}× faster than a miss and ${round(up.p50 / hit.p50, 1)}× faster than asking the upstream directly.`,
      `A miss costs ${round(miss.p50 - up.p50, 3)} ms over the bare upstream call at p50: one Redis read before and one MULTI write after.`,
      `${concurrent} concurrent misses of one key made ${oneProcess.calls} upstream call(s) in one process; split over two processes, ${twoProcesses.calls}: single flight is per process, not across processes.`,
      `Hits sustain about ${Math.round(hitsPerSec)} per second with 50 concurrent callers on one Redis connection.`,
    ];

    await saveResult({
      name: 'cache',
      title: 'Cache hit and miss latency',
      machine,
      params: { hits, misses, upstreamDelayMs: upstreamMs, concurrent, redis: benchRedisUrl() },
      tables: [latency, concurrency, throughput],
      summary: {
        hitMs: { p50: round(hit.p50, 4), p95: round(hit.p95, 4), p99: round(hit.p99, 4) },
        missMs: { p50: round(miss.p50, 4), p95: round(miss.p95, 4), p99: round(miss.p99, 4) },
        upstreamMs: { p50: round(up.p50, 4), p99: round(up.p99, 4) },
        missOverHitP50: round(miss.p50 / hit.p50, 2),
        upstreamCallsFor100ConcurrentMisses: { oneProcess: oneProcess.calls, twoProcesses: twoProcesses.calls },
        hitsPerSecond: Math.round(hitsPerSec),
        target: { hitP50Ms: TARGET_HIT_P50_MS, met: hit.p50 <= TARGET_HIT_P50_MS },
      },
      findings,
      chart: {
        title: 'Cache read p50 / p99, ms',
        unit: 'ms',
        bars: [
          { label: 'hit p50', value: round(hit.p50, 3), highlight: true },
          { label: 'hit p99', value: round(hit.p99, 3) },
          { label: 'miss p50', value: round(miss.p50, 3) },
          { label: 'miss p99', value: round(miss.p99, 3) },
          { label: 'upstream p50', value: round(up.p50, 3) },
        ],
        target: { value: TARGET_HIT_P50_MS, label: `hit p50 target ${TARGET_HIT_P50_MS}` },
      },
      durationSec: round((performance.now() - started) / 1000, 1),
    });
  } finally {
    await cache.clear().catch((err: unknown) => console.error(`could not remove ${keyPrefix}:* from Redis: ${String(err)}`));
    redis.disconnect();
    redis2.disconnect();
    await upstream.close();
  }
});
