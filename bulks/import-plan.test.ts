import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseBulkUploadInput } from '../contracts/bulk-input';
import { PlanImportError, importPlanFile, parseCsv, parsePlanCsv, parsePlanJson, parsePlanTime, planToBulkRequest, type PlanIssue } from './import-plan';

/** The issues of a refused plan. */
function refused(fn: () => unknown): PlanIssue[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PlanImportError, `expected a PlanImportError, got ${String(err)}`);
    return err.issues;
  }
  assert.fail('the plan was accepted');
}

describe('CSV records', () => {
  it('reads quoted fields with commas, "" quotes and line breaks, numbering records by the line they start on', () => {
    const { records, issues } = parseCsv('a,b\r\n"x, y","say ""hi""\nthere"\r\nlast,"2"\n');
    assert.deepEqual(issues, []);
    assert.deepEqual(records, [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"\nthere'] },
      { line: 4, fields: ['last', '2'] },
    ]);
  });

  it('takes LF, CRLF and CR line ends alike, skips blank lines and needs no final line end', () => {
    for (const text of ['a,b\n\n1,2\n3,4', 'a,b\r\n\r\n1,2\r\n3,4\r\n', 'a,b\r\r1,2\r3,4']) {
      assert.deepEqual(
        parseCsv(text).records.map((r) => [r.line, ...r.fields]),
        [
          [1, 'a', 'b'],
          [3, '1', '2'],
          [4, '3', '4'],
        ],
        JSON.stringify(text),
      );
    }
  });

  it('keeps empty fields, an empty quoted field, and a quote inside an unquoted field', () => {
    assert.deepEqual(parseCsv('a,,"",5" tall\n').records[0]!.fields, ['a', '', '', '5" tall']);
  });

  it('names the line of a quote never closed and of text after a closing quote', () => {
    assert.deepEqual(
      parseCsv('a,b\n1,"open\nstill open\n').issues.map((i) => [i.line, i.message]),
      [[2, 'a quoted field is never closed: add the closing "']],
    );
    const { issues } = parseCsv('a,b\n1,2\n"x"y,3\n');
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.line, 3);
    assert.match(issues[0]!.message, /text after a closing quote/);
  });
});

describe('a CSV plan', () => {
  it('maps the columns by name, in any order and case, aliases included, and tolerates a BOM', () => {
    const rows = parsePlanCsv('\uFEFF Account ,TIME,Path,Caption\nann,2026-11-25 09:00, clips/a.mp4 ,"Hello, world"\nbob,,clips/b.mp4,\n');
    assert.deepEqual(rows, [
      { line: 2, video: 'clips/a.mp4', caption: 'Hello, world', account: 'ann', publishAt: '2026-11-25 09:00' },
      { line: 3, video: 'clips/b.mp4', caption: '', account: 'bob' },
    ]);
  });

  it('counts lines from the header, a multi-line caption included', () => {
    const rows = parsePlanCsv('video,caption,account\na.mp4,"two\nlines",ann\n\nb.mp4,x,bob\n');
    assert.deepEqual(
      rows.map((r) => [r.line, r.caption]),
      [
        [2, 'two\nlines'],
        [5, 'x'],
      ],
    );
  });

  it('refuses unknown, repeated and missing columns, naming each', () => {
    const issues = refused(() => parsePlanCsv('video,path,caption,when\na.mp4,b.mp4,x,y\n'));
    assert.deepEqual(
      issues.map((i) => [i.line, i.field]),
      [
        [1, 'path'],
        [1, 'when'],
        [1, '(header)'],
      ],
    );
    assert.match(issues[1]!.message, /^unknown column "when"; the columns are video \(or path\)/);
    assert.match(issues[2]!.message, /^no account column/);
  });

  it('refuses every row with another number of fields than the header, by line', () => {
    const issues = refused(() => parsePlanCsv('video,caption,account\na.mp4,hi, there,ann\nb.mp4,ok,bob\nc.mp4,ann\n'));
    assert.deepEqual(
      issues.map((i) => [i.line, i.field, i.message]),
      [
        [2, '(row)', 'has 4 field(s), the header has 3: quote a field that holds a comma'],
        [4, '(row)', 'has 2 field(s), the header has 3: quote a field that holds a comma'],
      ],
    );
  });

  it('refuses an empty file', () => {
    assert.deepEqual(
      refused(() => parsePlanCsv('\uFEFF\n\n')).map((i) => [i.line, i.field]),
      [[1, '(header)']],
    );
  });
});

describe('a JSON plan', () => {
  it('numbers rows from 1 and reads the same fields', () => {
    assert.deepEqual(
      parsePlanJson({
        rows: [
          { video: 'a.mp4', account: 'ann' },
          { video: 'b.mp4', caption: 'hi', account: 'bob', publishAt: '2026-11-25T09:00:00Z' },
        ],
      }),
      [
        { line: 1, video: 'a.mp4', caption: '', account: 'ann' },
        { line: 2, video: 'b.mp4', caption: 'hi', account: 'bob', publishAt: '2026-11-25T09:00:00Z' },
      ],
    );
  });

  it('names each bad row and field', () => {
    const issues = refused(() => parsePlanJson({ rows: [{ video: 'a.mp4', account: 'ann' }, 'b.mp4', { video: 3, account: 'ann', when: 'now' }] }));
    assert.deepEqual(
      issues.map((i) => [i.line, i.field]),
      [
        [2, '(row)'],
        [3, 'video'],
        [3, 'when'],
      ],
    );
    assert.deepEqual(
      refused(() => parsePlanJson([{ video: 'a.mp4' }])).map((i) => i.field),
      ['rows'],
    );
  });
});

describe('plan times', () => {
  it('reads an ISO time with its zone as the same instant in UTC', () => {
    assert.deepEqual(parsePlanTime('2026-11-25T09:00:00+01:00', 'UTC'), { instant: '2026-11-25T08:00:00Z' });
    assert.deepEqual(parsePlanTime('2026-11-25T09:00Z', 'Europe/Berlin'), { instant: '2026-11-25T09:00:00Z' });
  });

  it('reads a time without a zone in the bulk zone, summer and winter', () => {
    assert.deepEqual(parsePlanTime('2026-11-25 09:00', 'Europe/Berlin'), { instant: '2026-11-25T08:00:00Z' });
    assert.deepEqual(parsePlanTime('2026-07-01T09:30:15', 'Europe/Berlin'), { instant: '2026-07-01T07:30:15Z' });
    assert.deepEqual(parsePlanTime('2026-11-25 09:00', 'UTC'), { instant: '2026-11-25T09:00:00Z' });
    assert.deepEqual(parsePlanTime('2026-11-25 09:00', 'America/New_York'), { instant: '2026-11-25T14:00:00Z' });
  });

  it('refuses text, impossible dates and a time the clocks skip', () => {
    for (const text of ['tomorrow 9am', '25/11/2026 09:00', '2026-11-25', '2026-11-25 9:00']) {
      const time = parsePlanTime(text, 'UTC');
      assert.ok('error' in time && /^cannot read .* as a time: write 2026-11-25T09:00:00\+01:00/.test(time.error), `${text}: ${JSON.stringify(time)}`);
    }
    for (const text of ['2026-02-30 09:00', '2026-11-25 24:00', '2026-02-30T09:00:00+01:00']) assert.ok('error' in parsePlanTime(text, 'UTC'), text);
    assert.deepEqual(parsePlanTime('2026-03-29 02:30', 'Europe/Berlin'), {
      error: '2026-03-29 02:30 does not exist in Europe/Berlin: the clocks skip it that day (daylight saving time)',
    });
  });
});

describe('a plan as a bulk', () => {
  const target = { taskId: 'plan-1', platform: 'demo', options: { schedule: { timeZone: 'Europe/Berlin' } } };

  it('makes one video per row, for that row alone, and the distinct accounts in row order', () => {
    const request = planToBulkRequest(
      parsePlanCsv('video,caption,account,publishAt\na.mp4,first,ann,2026-11-25 09:00\nb.mp4,second,ann,\nb.mp4,second,bob,2026-11-25T10:00:00Z\n'),
      target,
    );
    assert.deepEqual(request, {
      taskId: 'plan-1',
      platform: 'demo',
      options: { schedule: { timeZone: 'Europe/Berlin' } },
      accountIds: ['ann', 'bob'],
      videos: [
        { id: 'row-2', path: 'a.mp4', caption: 'first', accountIds: ['ann'], publishAt: '2026-11-25T08:00:00Z' },
        { id: 'row-3', path: 'b.mp4', caption: 'second', accountIds: ['ann'] },
        { id: 'row-4', path: 'b.mp4', caption: 'second', accountIds: ['bob'], publishAt: '2026-11-25T10:00:00Z' },
      ],
    });
    assert.equal(parseBulkUploadInput(request).videos.length, 3, 'the bulk input schema accepts it');
  });

  it('lists every empty cell, bad time and repeated row with its line', () => {
    const rows = parsePlanCsv('video,account,time\n,ann,\na.mp4,,\na.mp4,ann,soon\na.mp4,ann,\n');
    const issues = refused(() => planToBulkRequest(rows, target));
    assert.deepEqual(
      issues.map((i) => [i.line, i.field]),
      [
        [2, 'video'],
        [3, 'account'],
        [4, 'publishAt'],
        [5, 'video'],
      ],
    );
    assert.equal(issues[3]!.message, 'line 4 already publishes a.mp4 to ann');
  });

  it('says which line and field in its message', () => {
    const err = new PlanImportError([
      { line: 4, field: 'account', message: 'unknown account "zed"' },
      { field: 'platform', message: 'unknown platform' },
    ]);
    assert.equal(err.message, 'invalid plan: line 4: account: unknown account "zed"; platform: unknown platform');
  });

  it('refuses a plan over the video limit without listing its rows', () => {
    const rows = Array.from({ length: 101 }, (_, i) => ({ line: i + 2, video: `v${i}.mp4`, caption: '', account: 'ann' }));
    assert.deepEqual(
      refused(() => planToBulkRequest(rows, target)).map((i) => [i.line, i.field]),
      [[undefined, 'rows']],
    );
  });
});

describe('a plan file', () => {
  it('is read by its extension, CSV or JSON', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-plan-'));
    try {
      await fs.writeFile(path.join(dir, 'plan.csv'), 'video,account\na.mp4,ann\n');
      await fs.writeFile(path.join(dir, 'plan.json'), JSON.stringify({ rows: [{ video: 'a.mp4', account: 'ann' }] }));
      await fs.writeFile(path.join(dir, 'plan.txt'), 'video,account\n');
      assert.deepEqual((await importPlanFile(path.join(dir, 'plan.csv'))).rows, [{ line: 2, video: 'a.mp4', caption: '', account: 'ann' }]);
      assert.deepEqual((await importPlanFile(path.join(dir, 'plan.json'))).rows, [{ line: 1, video: 'a.mp4', caption: '', account: 'ann' }]);
      await assert.rejects(importPlanFile(path.join(dir, 'plan.txt')), /a plan is a \.csv or a \.json file/);
      await assert.rejects(importPlanFile(path.join(dir, 'missing.csv')), (err: unknown) => err instanceof PlanImportError && /cannot read .*missing\.csv/.test(err.message));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
