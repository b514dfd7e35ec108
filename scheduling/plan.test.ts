import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockReservation, planSlots, type PacingPolicy, type Reservation } from './plan';
import { formatInZone, zonedInstant } from './time';

const BERLIN = 'Europe/Berlin';
const at = (iso: string) => Date.parse(iso);
const policy = (p: Partial<PacingPolicy> = {}): PacingPolicy => ({ timeZone: BERLIN, slots: [], spacingMs: 0, jitterMs: 0, seed: 's', ...p });
const HOURS = (h: number) => h * 3600_000;
const slots = (...times: string[]) => times.map((t) => Number(t.slice(0, 2)) * 3600 + Number(t.slice(3, 5)) * 60);

describe('zone arithmetic', () => {
  it('finds 09:00 in Berlin in winter and in summer, and names it', () => {
    assert.equal(new Date(zonedInstant(BERLIN, 2026, 11, 25, 9 * 3600)).toISOString(), '2026-11-25T08:00:00.000Z');
    assert.equal(new Date(zonedInstant(BERLIN, 2026, 7, 1, 9 * 3600)).toISOString(), '2026-07-01T07:00:00.000Z');
    assert.equal(formatInZone(at('2026-11-25T08:00:00Z'), BERLIN), '2026-11-25 09:00 Europe/Berlin');
  });

  it('a time the spring change skips comes an hour later; one the autumn change repeats is its first occurrence', () => {
    // 2026-03-29 02:30 does not exist in Berlin (the clock jumps from 02:00 to 03:00).
    assert.equal(formatInZone(zonedInstant(BERLIN, 2026, 3, 29, 2.5 * 3600), BERLIN), '2026-03-29 03:30 Europe/Berlin');
    // 2026-10-25 02:30 happens twice: first in summer time (UTC+2).
    assert.equal(new Date(zonedInstant(BERLIN, 2026, 10, 25, 2.5 * 3600)).toISOString(), '2026-10-25T00:30:00.000Z');
  });

  it('keeps 09:00 on the wall clock across a DST change', () => {
    // Berlin leaves summer time on 2026-10-25.
    assert.equal(new Date(zonedInstant(BERLIN, 2026, 10, 24, 9 * 3600)).toISOString(), '2026-10-24T07:00:00.000Z');
    assert.equal(new Date(zonedInstant(BERLIN, 2026, 10, 26, 9 * 3600)).toISOString(), '2026-10-26T08:00:00.000Z');
  });
});

describe('planSlots', () => {
  const keys = (n: number, prefix = 't/v') => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i + 1}`, notBefore: at('2026-11-25T06:00:00Z') }));

  it('puts 5 posts in the 09:00/13:00/19:00 slots, 3 a day, over two days', () => {
    const plan = planSlots([], keys(5), policy({ slots: slots('09:00', '13:00', '19:00'), dailyMax: 3 }));
    assert.deepEqual(
      plan.map((r) => formatInZone(r.at, BERLIN)),
      ['2026-11-25 09:00', '2026-11-25 13:00', '2026-11-25 19:00', '2026-11-26 09:00', '2026-11-26 13:00'].map((t) => `${t} ${BERLIN}`),
    );
  });

  it('a daily maximum below the slots leaves the later slots free', () => {
    const plan = planSlots([], keys(3), policy({ slots: slots('09:00', '13:00', '19:00'), dailyMax: 2 }));
    assert.deepEqual(
      plan.map((r) => formatInZone(r.at, BERLIN)),
      ['2026-11-25 09:00', '2026-11-25 13:00', '2026-11-26 09:00'].map((t) => `${t} ${BERLIN}`),
    );
  });

  it("keeps another bulk's spacing: no two posts of the account closer than 2 h", () => {
    const first = planSlots([], keys(3, 'a/v'), policy({ spacingMs: HOURS(2) }));
    const second = planSlots(first, keys(3, 'b/v'), policy({ spacingMs: HOURS(2) }));
    const all = [...first, ...second].map((r) => r.at).sort((x, y) => x - y);
    for (let i = 1; i < all.length; i++) assert.ok(all[i]! - all[i - 1]! >= HOURS(2), `posts ${i - 1} and ${i} are ${(all[i]! - all[i - 1]!) / 60_000} min apart`);
    assert.equal(all.length, 6);
  });

  it('honours the larger spacing of two bulks', () => {
    const taken: Reservation[] = [{ key: 'a/v1', at: at('2026-11-25T10:00:00Z'), spacingMs: HOURS(3), state: 'planned' }];
    const [next] = planSlots(taken, [{ key: 'b/v1', notBefore: at('2026-11-25T10:30:00Z') }], policy({ spacingMs: HOURS(1) }));
    assert.equal(new Date(next!.at).toISOString(), '2026-11-25T13:00:00.000Z');
  });

  it("a day holding another bulk's daily maximum takes no more posts, even from a bulk without one", () => {
    const first = planSlots([], keys(2, 'a/v'), policy({ slots: slots('09:00', '13:00', '19:00'), dailyMax: 2 }));
    const [next] = planSlots(first, keys(1, 'b/v'), policy({ slots: slots('09:00', '13:00', '19:00') }));
    assert.equal(formatInZone(next!.at, BERLIN), '2026-11-26 09:00 Europe/Berlin');
  });

  it('moves to the next day when the daily maximum is reached, without slots', () => {
    const plan = planSlots([], keys(3), policy({ dailyMax: 2, spacingMs: HOURS(1) }));
    assert.deepEqual(
      plan.map((r) => new Date(r.at).toISOString()),
      ['2026-11-25T06:00:00.000Z', '2026-11-25T07:00:00.000Z', '2026-11-25T23:00:00.000Z'], // Berlin midnight
    );
  });

  it('a fixed time wins over slots, and later posts keep their spacing from it', () => {
    const plan = planSlots(
      [],
      [{ key: 't/fixed', notBefore: 0, fixedAt: at('2026-11-25T08:30:00Z') }, ...keys(1)],
      policy({ slots: slots('09:00', '13:00'), spacingMs: HOURS(1) }),
    );
    assert.deepEqual(
      plan.map((r) => new Date(r.at).toISOString()),
      ['2026-11-25T08:30:00.000Z', '2026-11-25T12:00:00.000Z'],
    );
  });

  it('a platform limit is a closed window: no post inside it, slots or not', () => {
    const block = blockReservation('quota', at('2026-11-25T06:00:00Z'), at('2026-11-25T15:00:00Z'));
    const withSlots = planSlots([block], keys(2), policy({ slots: slots('09:00', '13:00', '19:00') }));
    assert.deepEqual(
      withSlots.map((r) => formatInZone(r.at, BERLIN)),
      ['2026-11-25 19:00 Europe/Berlin', '2026-11-26 09:00 Europe/Berlin'],
    );
    const [free] = planSlots([block], keys(1), policy());
    assert.equal(new Date(free!.at).toISOString(), '2026-11-25T15:00:00.000Z');
  });

  it('jitter is seeded: the same seed plans the same, another seed differently, always within the jitter', () => {
    const p = policy({ slots: slots('09:00', '13:00', '19:00'), jitterMs: HOURS(1) });
    const a = planSlots([], keys(3), p).map((r) => r.at);
    const b = planSlots([], keys(3), p).map((r) => r.at);
    const c = planSlots([], keys(3), { ...p, seed: 'other' }).map((r) => r.at);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const bases = [at('2026-11-25T08:00:00Z'), at('2026-11-25T12:00:00Z'), at('2026-11-25T18:00:00Z')];
    a.forEach((t, i) => assert.ok(t >= bases[i]! && t < bases[i]! + HOURS(1), `post ${i} within its slot's jitter`));
  });
});
