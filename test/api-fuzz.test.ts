/**
 * API fuzz: random and malformed requests to every endpoint of the OpenAPI document (which
 * is generated from the routes, so that is every route), bounded in count and time. No
 * answer may be a 5xx the route does not declare (the Google and Huntflow reads declare
 * 503 when unconfigured, as here), and the server keeps serving. The seed is printed so a
 * failure can be replayed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BODY_BYTES } from '../api/app';
import { useTestStack } from './fixtures/suite-stack';

/** A small seeded PRNG (mulberry32): the same seed replays the same requests. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick, int: (max: number) => Math.floor(next() * max) };
}

const NASTY_STRINGS = [
  '',
  ' ',
  '../../etc/passwd',
  '/etc/passwd',
  '<script>alert(1)</script>',
  'a'.repeat(5000),
  '\u0000',
  '💥',
  '%00',
  "'; DROP TABLE account; --",
  'null',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
];

function randomValue(r: ReturnType<typeof rng>, depth = 0): unknown {
  switch (r.int(depth > 2 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e300]);
    case 2:
      return r.pick([true, false]);
    case 3:
      return r.pick(NASTY_STRINGS);
    case 4:
      return `s${r.int(1e6)}`;
    case 5:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    case 6:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, () => [
          r.pick(['taskId', 'videos', 'accountIds', 'options', 'path', 'confirm', 'id', 'username', 'password', '__proto__', 'x']),
          randomValue(r, depth + 1),
        ]),
      );
    default:
      return {
        taskId: r.pick(['ok-1', ...NASTY_STRINGS]),
        videos: [{ path: r.pick(['a.mp4', ...NASTY_STRINGS]), caption: randomValue(r, depth + 1) }],
        accountIds: randomValue(r, depth + 1),
        options: randomValue(r, depth + 1),
      };
  }
}

const MALFORMED = ['{', '[]]', '{"taskId":', 'not json', '\u0000\u0001', '{"a":1}{"b":2}', '"just a string"', '1'];

describe('API fuzz', { timeout: 120_000 }, () => {
  const stack = useTestStack({ worker: false });

  it('answers random and malformed requests to every endpoint without a 5xx', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
    console.log(`api fuzz seed: ${seed} (replay with FUZZ_SEED=${seed})`);
    const r = rng(seed);
    const doc = (await (await stack().api('GET', '/openapi.json')).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const endpoints = Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), template, declared: new Set(Object.keys(op.responses)) })),
    );
    assert.ok(endpoints.length >= 25, `the OpenAPI document lists the endpoints (${endpoints.length})`);

    const failures: string[] = [];
    const deadline = Date.now() + 60_000;
    let sent = 0;
    for (let i = 0; i < 400 && Date.now() < deadline; i++) {
      const { method, template, declared } = r.pick(endpoints);
      const url = template.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(r.pick(['ok-1', 'x'.repeat(100), ...NASTY_STRINGS]))));
      const query = r.next() < 0.5 ? `?${r.pick(['status', 'since', 'account', 'after', 'limit', 'service', 'userId'])}=${encodeURIComponent(String(randomValue(r)))}` : '';
      const raw = r.next() < 0.25 ? r.pick(MALFORMED) : JSON.stringify(randomValue(r));
      const hasBody = method !== 'GET' && method !== 'HEAD';
      const res = await stack().app.request(url + query, {
        method,
        headers: { authorization: `Bearer ${stack().config.api.token}`, accept: 'application/json', ...(hasBody ? { 'content-type': 'application/json' } : {}) },
        body: hasBody ? raw : undefined,
      });
      await res.arrayBuffer();
      sent++;
      if (res.status >= 500 && !declared.has(String(res.status))) failures.push(`${method} ${url}${query} ${hasBody ? raw.slice(0, 200) : ''} → ${res.status}`);
    }
    assert.deepEqual(failures, [], `5xx answers (seed ${seed})`);
    assert.ok(sent >= 100, `sent ${sent} requests`);

    const big = await stack().app.request('/bulk-uploads', {
      method: 'POST',
      headers: { authorization: `Bearer ${stack().config.api.token}`, 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 10) },
      body: JSON.stringify({ taskId: 'big', videos: [{ path: 'a.mp4', caption: 'x'.repeat(MAX_BODY_BYTES) }], accountIds: ['a'] }),
    });
    assert.equal(big.status, 413);
    assert.equal((await stack().app.request('/health')).status, 200, 'the server keeps serving');
  });
});
