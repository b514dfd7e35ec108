import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScheduleInputError, parseCreateSchedule } from './schema';

const valid = { name: 'daily-clips', spec: { every: '1d' }, accountIds: ['ann', 'bob'], source: { folder: 'incoming' }, newest: 3 };

/** The field: message lines a refused request is answered with. */
function issuesOf(raw: unknown): string[] {
  try {
    parseCreateSchedule(raw);
  } catch (err) {
    assert.ok(err instanceof ScheduleInputError);
    return err.issues.map((i) => `${i.field}: ${i.message}`);
  }
  assert.fail('the request was accepted');
}

describe('recurring bulk input', () => {
  it('accepts each kind of spec, with defaults filled in', () => {
    assert.deepEqual(parseCreateSchedule(valid).spec, { every: '1d', timeZone: 'UTC' });
    assert.deepEqual(parseCreateSchedule({ ...valid, spec: { calendar: { hour: 9, dayOfWeek: ['monday', 'FRIDAY'] }, timeZone: 'Europe/Berlin' } }).spec, {
      calendar: { hour: 9, minute: 0, dayOfWeek: ['MONDAY', 'FRIDAY'] },
      timeZone: 'Europe/Berlin',
    });
    assert.equal(parseCreateSchedule({ ...valid, spec: { cron: '0 9 * * MON-FRI' } }).spec.cron, '0 9 * * MON-FRI');
    assert.deepEqual(parseCreateSchedule({ ...valid, source: { driveFolder: { folderId: 'abc_123' } } }).source, { driveFolder: { folderId: 'abc_123', userId: 'default' } });
    assert.equal(parseCreateSchedule(valid).platform, 'demo');
  });

  it('names each bad field with what is wrong', () => {
    assert.deepEqual(
      issuesOf({
        ...valid,
        name: 'x'.repeat(49),
        spec: { every: '5s', timeZone: 'Mars/Olympus' },
        accountIds: ['ann', 'ann'],
        newest: 0,
        options: { concurrency: 0 },
      }),
      [
        "name: must be at most 48 characters (a fire's task id adds 16)",
        'spec.every: must be at least 10s',
        'spec.timeZone: must be an IANA time zone name, e.g. Europe/Berlin or UTC',
        'newest: Too small: expected number to be >=1',
        'options.concurrency: Too small: expected number to be >=1',
      ],
    );
  });

  it('wants exactly one way to say when, and exactly one source', () => {
    assert.deepEqual(issuesOf({ ...valid, spec: {} }), ['spec: must give one of cron, calendar or every']);
    assert.deepEqual(issuesOf({ ...valid, spec: { every: '1h', cron: '0 9 * * *' } }), ['spec: give only one of cron, calendar or every, not cron and every']);
    assert.deepEqual(issuesOf({ ...valid, spec: { every: '15 minutes' } }), ['spec.every: must be a whole number and a unit s, m, h or d, e.g. 15m, 6h or 1d']);
    assert.deepEqual(issuesOf({ ...valid, spec: { cron: 'TZ=Europe/Berlin 0 9 * * *' } }), ['spec.cron: give the zone in timeZone, not in the cron line']);
    assert.deepEqual(issuesOf({ ...valid, spec: { calendar: { hour: 24, dayOfWeek: ['someday'] } } }), [
      'spec.calendar.hour: Too big: expected number to be <=23',
      'spec.calendar.dayOfWeek.0: must be a day of the week: SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY',
    ]);
    assert.deepEqual(issuesOf({ ...valid, source: {} }), ['source: must give exactly one of folder (under MEDIA_ROOT) or driveFolder']);
    assert.deepEqual(issuesOf({ ...valid, source: { folder: 'a', driveFolder: { folderId: 'b' } } }), [
      'source: must give exactly one of folder (under MEDIA_ROOT) or driveFolder',
    ]);
    assert.deepEqual(issuesOf({ ...valid, source: { driveFolder: { folderId: 'b', maxFiles: 3 } } }), ['source.driveFolder: Unrecognized key: "maxFiles"']);
  });
});
