/**
 * The quota ledger against a real SQLite file: Pacific days and fixed windows, reservations
 * that a retry never pays twice, and two workers (two ORM instances on one file) that never
 * overspend a budget together.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QuotaSpend } from '../../database/entities';
import { openDatabase, type Orm } from '../../database/orm';
import { createQuotaLedger, quotaPeriod, type QuotaLedger, type QuotaRequest } from './quota';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const hoursOf = (p: { start: Date; end: Date }) => (p.end.getTime() - p.start.getTime()) / HOUR;

describe('quotaPeriod', () => {
  it('a winter day is the Los Angeles date, from 08:00 UTC to 08:00 UTC', () => {
    assert.deepEqual(quotaPeriod(at('2026-01-15T12:00:00Z')), { key: '2026-01-15', start: at('2026-01-15T08:00:00Z'), end: at('2026-01-16T08:00:00Z') });
  });

  it('a summer day runs on daylight time, from 07:00 UTC to 07:00 UTC', () => {
    assert.deepEqual(quotaPeriod(at('2026-07-04T20:00:00Z')), { key: '2026-07-04', start: at('2026-07-04T07:00:00Z'), end: at('2026-07-05T07:00:00Z') });
  });

  it('the spring-forward day (2026-03-08) lasts 23 hours', () => {
    const day = quotaPeriod(at('2026-03-08T12:00:00Z'));
    assert.deepEqual(day, { key: '2026-03-08', start: at('2026-03-08T08:00:00Z'), end: at('2026-03-09T07:00:00Z') });
    assert.equal(hoursOf(day), 23);
  });

  it('the fall-back day (2026-11-01) lasts 25 hours, and both 01:30s belong to it', () => {
    const day = quotaPeriod(at('2026-11-01T20:00:00Z'));
    assert.deepEqual(day, { key: '2026-11-01', start: at('2026-11-01T07:00:00Z'), end: at('2026-11-02T08:00:00Z') });
    assert.equal(hoursOf(day), 25);
    assert.equal(quotaPeriod(at('2026-11-01T08:30:00Z')).key, '2026-11-01', '01:30 PDT');
    assert.equal(quotaPeriod(at('2026-11-01T09:30:00Z')).key, '2026-11-01', '01:30 PST');
  });

  it('the day changes exactly at midnight Pacific time, not UTC', () => {
    const before = quotaPeriod(at('2026-01-15T07:59:59.999Z'));
    assert.equal(before.key, '2026-01-14');
    assert.deepEqual(before.end, at('2026-01-15T08:00:00Z'));
    assert.equal(quotaPeriod(at('2026-01-15T08:00:00Z')).key, '2026-01-15');
    assert.equal(quotaPeriod(at('2026-01-15T02:00:00Z')).key, '2026-01-14', 'already the 15th in UTC, still the 14th in LA');
    assert.equal(quotaPeriod(at('2026-01-01T07:59:00Z')).key, '2025-12-31', 'across the new year');
  });

  it('fixed windows are aligned to the Unix epoch and keyed by their start', () => {
    assert.deepEqual(quotaPeriod(new Date(1_764_000_030_500), 60), { key: 'w1764000000', start: new Date(1_764_000_000_000), end: new Date(1_764_000_060_000) });
    assert.equal(quotaPeriod(new Date(1_764_000_060_000), 60).key, 'w1764000060', 'a window boundary starts the next window');
    assert.throws(() => quotaPeriod(new Date(), 0), /whole number of seconds above 0/);
  });
});

describe('quota ledger', () => {
  let dir: string;
  let orm: Orm;
  /** A second ORM on the same file: another worker process, as far as SQLite can tell. */
  let otherOrm: Orm;
  let ledger: QuotaLedger;
  let otherLedger: QuotaLedger;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-quota-'));
    const database = { driver: 'sqlite' as const, dbName: path.join(dir, 'quota.sqlite'), secretsKeyFile: path.join(dir, 'secrets.key') };
    orm = await openDatabase(database);
    otherOrm = await openDatabase(database, { migrate: false });
    ledger = createQuotaLedger(orm);
    otherLedger = createQuotaLedger(otherOrm);
  });
  after(async () => {
    await otherOrm?.close(true);
    await orm?.close(true);
    await fs.rm(dir, { recursive: true, force: true });
  });

  const monday = at('2026-01-12T18:00:00Z');
  const tuesday = at('2026-01-13T18:00:00Z');
  const mondayEnds = at('2026-01-13T08:00:00Z');
  /** A request of 1,600 units from a 4,000-unit day: two fit, the third does not. Keys are global, so each test's project prefixes its own. */
  const req = (project: string, key: string, over: Partial<QuotaRequest> = {}): QuotaRequest => ({
    platform: 'youtube',
    project,
    key: `${project}:${key}`,
    cost: 1_600,
    budget: 4_000,
    now: monday,
    ...over,
  });

  it('grants what fits the budget and refuses the rest until the Pacific day ends', async () => {
    assert.deepEqual(await ledger.reserve(req('fits', 't/a/v1')), { granted: true, period: '2026-01-12', used: 1_600, alreadyReserved: false });
    assert.deepEqual(await ledger.reserve(req('fits', 't/a/v2')), { granted: true, period: '2026-01-12', used: 3_200, alreadyReserved: false });
    assert.deepEqual(await ledger.reserve(req('fits', 't/a/v3')), { granted: false, period: '2026-01-12', used: 3_200, resetsAt: mondayEnds });
    assert.deepEqual(await ledger.usage({ platform: 'youtube', project: 'fits', now: monday }), { period: '2026-01-12', used: 3_200, resetsAt: mondayEnds });
  });

  it('a retried attempt does not pay twice, not even in the next period', async () => {
    await ledger.reserve(req('retry', 't/a/v1'));
    assert.deepEqual(await ledger.reserve(req('retry', 't/a/v1')), { granted: true, period: '2026-01-12', used: 1_600, alreadyReserved: true });
    assert.deepEqual(await otherLedger.reserve(req('retry', 't/a/v1', { now: tuesday })), { granted: true, period: '2026-01-13', used: 0, alreadyReserved: true });
    assert.equal((await ledger.usage({ platform: 'youtube', project: 'retry', now: tuesday })).used, 0);
  });

  it('the next period starts from 0', async () => {
    await ledger.reserve(req('rollover', 't/a/v1'));
    await ledger.reserve(req('rollover', 't/a/v2'));
    assert.equal((await ledger.reserve(req('rollover', 't/a/v3'))).granted, false);
    assert.deepEqual(await ledger.reserve(req('rollover', 't/a/v3', { now: tuesday })), { granted: true, period: '2026-01-13', used: 1_600, alreadyReserved: false });
  });

  it('budgets are per platform and per project', async () => {
    await ledger.reserve(req('mine', 't/a/v1', { cost: 4_000 }));
    assert.equal((await ledger.reserve(req('theirs', 't/b/v1', { cost: 4_000 }))).granted, true);
    assert.equal((await ledger.reserve(req('mine', 't/c/v1', { platform: 'tiktok', cost: 4_000 }))).granted, true);
    assert.equal((await ledger.reserve(req('mine', 't/d/v1', { cost: 1 }))).granted, false);
  });

  it('fixed windows count separately and reset at the window end', async () => {
    const window = { periodSeconds: 60, budget: 1, cost: 1 };
    assert.equal((await ledger.reserve(req('window', 'w/1', { ...window, now: new Date(1_764_000_010_000) }))).granted, true);
    assert.deepEqual(await ledger.reserve(req('window', 'w/2', { ...window, now: new Date(1_764_000_050_000) })), {
      granted: false,
      period: 'w1764000000',
      used: 1,
      resetsAt: new Date(1_764_000_060_000),
    });
    assert.equal((await ledger.reserve(req('window', 'w/2', { ...window, now: new Date(1_764_000_060_000) }))).granted, true);
  });

  it('a call that costs more than the whole budget is an error, not a wait that never ends', async () => {
    await assert.rejects(ledger.reserve(req('too-big', 't/a/v1', { cost: 5_000 })), /costs 5000 quota units but project too-big has 4000 per period: raise the budget/);
  });

  it('after the provider says the quota is spent, reserves wait for the next day and the refused call reserves again', async () => {
    await ledger.reserve(req('exhausted', 't/a/v1'));
    assert.deepEqual(await ledger.exhaust({ platform: 'youtube', project: 'exhausted', key: 'exhausted:t/a/v1', budget: 4_000, now: monday }), { resetsAt: mondayEnds });
    assert.deepEqual(await ledger.usage({ platform: 'youtube', project: 'exhausted', now: monday }), { period: '2026-01-12', used: 4_000, resetsAt: mondayEnds });
    assert.deepEqual(await ledger.reserve(req('exhausted', 't/a/v1')), { granted: false, period: '2026-01-12', used: 4_000, resetsAt: mondayEnds });
    assert.equal((await ledger.reserve(req('exhausted', 't/a/v2', { cost: 1 }))).granted, false);
    assert.deepEqual(await ledger.reserve(req('exhausted', 't/a/v1', { now: tuesday })), { granted: true, period: '2026-01-13', used: 1_600, alreadyReserved: false });
  });

  it('exhaust keeps a count already above the budget and a reservation made in an earlier period', async () => {
    await ledger.reserve(req('exhaust-old', 't/a/v1'));
    await ledger.exhaust({ platform: 'youtube', project: 'exhaust-old', key: 'exhaust-old:t/a/v1', budget: 4_000, now: tuesday });
    assert.deepEqual(await ledger.reserve(req('exhaust-old', 't/a/v1', { now: tuesday })), { granted: true, period: '2026-01-13', used: 4_000, alreadyReserved: true });
    await ledger.exhaust({ platform: 'youtube', project: 'exhaust-old', key: 'exhaust-old:t/a/v9', budget: 1_000, now: tuesday });
    assert.equal((await ledger.usage({ platform: 'youtube', project: 'exhaust-old', now: tuesday })).used, 4_000);
  });

  it('release gives the units back to their period once, and a released key can reserve again', async () => {
    await ledger.reserve(req('release', 't/a/v1'));
    await ledger.reserve(req('release', 't/a/v2'));
    await Promise.all([ledger.release('release:t/a/v1'), otherLedger.release('release:t/a/v1')]);
    assert.equal((await ledger.usage({ platform: 'youtube', project: 'release', now: monday })).used, 1_600);
    assert.equal(await orm.em.fork().count(QuotaSpend, { key: 'release:t/a/v1' }), 0);
    await ledger.release('never-reserved');
    assert.deepEqual(await ledger.reserve(req('release', 't/a/v1')), { granted: true, period: '2026-01-12', used: 3_200, alreadyReserved: false });
  });

  it('usage is 0 for a period nothing has spent in', async () => {
    assert.deepEqual(await ledger.usage({ platform: 'youtube', project: 'untouched', now: tuesday }), { period: '2026-01-13', used: 0, resetsAt: at('2026-01-14T08:00:00Z') });
  });

  it('two workers racing 20 reserves on a budget that fits 5 grant exactly 5', async () => {
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? ledger : otherLedger).reserve(req('race', `race/a/v${i}`, { cost: 100, budget: 500 }))),
    );
    assert.equal(decisions.filter((d) => d.granted).length, 5);
    assert.equal((await ledger.usage({ platform: 'youtube', project: 'race', now: monday })).used, 500);
    assert.equal(await orm.em.fork().count(QuotaSpend, { project: 'race' }), 5);
  });

  it('two workers racing the same key pay once', async () => {
    const decisions = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? ledger : otherLedger).reserve(req('same-key', 'same/a/v1'))));
    assert.equal(decisions.filter((d) => d.granted && !d.alreadyReserved).length, 1);
    assert.equal(decisions.filter((d) => d.granted && d.alreadyReserved).length, 9);
    assert.equal((await ledger.usage({ platform: 'youtube', project: 'same-key', now: monday })).used, 1_600);
  });
});
