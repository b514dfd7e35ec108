/**
 * Steering a scheduled bulk from `npm run bulk --` on a real stack: `import` refuses a plan
 * with a bad row (its line and column) and starts a good one; `plan` prints every post at
 * its time in the schedule's zone; `pause` and `resume` say what they asked and the bulk
 * takes it; `move` puts one post at a new time; an unknown bulk is an error naming it.
 * The posts are planned for tomorrow, so nothing publishes while the test looks.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { bulkUploadWorkflowId } from '../contracts/names';
import { DAY_MS, formatInZone, localTime, zonedInstant } from '../scheduling/time';
import { startTestStack, type TestStack } from './fixtures/stack';
import { waitFor } from './fixtures/wait';

const execFileAsync = promisify(execFile);
const ZONE = 'Europe/Berlin';

interface PlanBody {
  posts: { accountId: string; videoId: string; plannedAt: string | null }[];
}

describe('npm run bulk -- plan, pause, resume, move, import', { timeout: 300_000 }, () => {
  const suffix = randomBytes(3).toString('hex');
  const ann = `cli-ann-${suffix}`;
  const taskId = `cli-plan-${suffix}`;
  // Tomorrow in Berlin, as a person writes it in a plan.
  const t = localTime(Date.now() + DAY_MS, ZONE);
  const day = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  const at = (hhmm: string) => zonedInstant(ZONE, t.year, t.month, t.day, Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3)) * 60);
  let stack: TestStack;
  let clips: string[];

  /** `npm run bulk -- <args>` against the test stack: its exit code and output. */
  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const script = path.join(__dirname, '..', 'scripts', 'bulk.ts');
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...stack.envVars } });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  const plan = async () => (await (await stack.api('GET', `/bulk-uploads/${taskId}/plan`)).json()) as PlanBody;

  before(async () => {
    stack = await startTestStack();
    await stack.addAccount({ id: ann });
    clips = [await stack.addVideo('cli-plan-1.mp4', { durationSec: 1 }), await stack.addVideo('cli-plan-2.mp4', { durationSec: 1 })];
  });
  after(async () => {
    // The bulk waits for tomorrow: stop it (a no-op answer when a failed step already ended it).
    await stack?.api('POST', `/bulk-uploads/${taskId}/cancel`);
    await stack?.close();
  });

  it('import refuses a plan with an unknown account, naming its line, and starts nothing', async () => {
    const file = path.join(stack.dir, 'bad-plan.csv');
    await fs.writeFile(file, ['video,caption,account,publishAt', `${clips[0]},ok,${ann},${day} 09:00`, `${clips[1]},who?,ghost-${suffix},${day} 10:00`, ''].join('\n'));
    const res = await cli('import', file, '--platform', 'demo', '--task-id', `cli-bad-${suffix}`);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, new RegExp(`line 3: account: unknown account "ghost-${suffix}"`));
    assert.doesNotMatch(res.stderr, /line 2:/, 'the good row is not reported');
    assert.equal((await stack.api('GET', `/bulk-uploads/cli-bad-${suffix}`)).status, 404, 'nothing started');
  });

  it('import starts a good plan; plan prints each post at its time in the zone, earliest first', async () => {
    const file = path.join(stack.dir, 'plan.csv');
    // Written out of order: the plan sorts by time.
    await fs.writeFile(file, ['video,caption,account,publishAt', `${clips[1]},second,${ann},${day} 10:30`, `${clips[0]},first,${ann},${day} 09:00`, ''].join('\n'));
    const options = path.join(stack.dir, 'options.json');
    await fs.writeFile(options, JSON.stringify({ schedule: { timeZone: ZONE, minSpacingMinutes: 1 } }));
    const started = await cli('import', file, '--platform', 'demo', '--task-id', taskId, '--options', options);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, new RegExp(`started: bulk ${taskId}`));
    await waitFor('both posts to be planned', async () => (await plan()).posts.filter((p) => p.plannedAt).length === 2, 60_000);

    const res = await cli('plan', taskId);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, new RegExp(`^time \\(${ZONE}\\)\\s+account\\s+video\\s+status\\s+post$`));
    // Row ids are the plan's lines: row-3 is 09:00, row-2 is 10:30.
    assert.match(lines[1]!, new RegExp(`^${day} 09:00\\s+${ann}\\s+row-3\\s+(pending|uniquified)\\s+-$`));
    assert.match(lines[2]!, new RegExp(`^${day} 10:30\\s+${ann}\\s+row-2\\s+(pending|uniquified)\\s+-$`));
    assert.equal(lines[3], `2 post(s), first ${day} 09:00 ${ZONE}, last ${day} 10:30 ${ZONE}, 0 published`);
    assert.equal(lines.length, 4);
  });

  it('pause and resume say what they asked, and the bulk takes each', async () => {
    const paused = await cli('pause', taskId);
    assert.equal(paused.code, 0, paused.stderr);
    assert.match(paused.stdout, new RegExp(`pause requested: bulk ${taskId} starts no new upload`));
    assert.match(paused.stdout, new RegExp(`^bulk ${taskId}: paused$`, 'm'));
    const status = async () => (await (await stack.api('GET', `/bulk-uploads/${taskId}`)).json()) as { status: string; paused: boolean };
    assert.deepEqual(await status().then((s) => [s.status, s.paused]), ['running', true]);

    const resumed = await cli('resume', taskId);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`^resume requested: bulk ${taskId}$`, 'm'));
    assert.match(resumed.stdout, new RegExp(`^bulk ${taskId}: running \\(resumed\\)$`, 'm'));
    assert.equal((await status()).paused, false);
  });

  it('move puts one post at a new wall-clock time in the zone; the plan shows it', async () => {
    const res = await cli('move', taskId, ann, 'row-2', `${day} 12:15`);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^video row-2 of account ${ann}: planned for ${day} 12:15 ${ZONE}$`, 'm'));
    const moved = (await plan()).posts.find((p) => p.videoId === 'row-2');
    assert.equal(moved?.plannedAt, new Date(at('12:15')).toISOString());
    const printed = await cli('plan', taskId);
    assert.match(printed.stdout, new RegExp(`^${day} 12:15\\s+${ann}\\s+row-2\\b`, 'm'));
    assert.match(printed.stdout, new RegExp(`last ${formatInZone(at('12:15'), ZONE)}, 0 published$`, 'm'));
  });

  it('a request about an unknown bulk exits 1 and names it; a bad time exits 2', async () => {
    const unknown = await cli('pause', `nothing-${suffix}`);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, new RegExp(`no bulk "nothing-${suffix}"`));
    const badTime = await cli('reschedule', taskId, 'next tuesday');
    assert.equal(badTime.code, 2);
    assert.match(badTime.stderr, /<time>: cannot read "next tuesday" as a time/);
    assert.equal((await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).describe()).status.name, 'RUNNING', 'the bulk still waits for its times');
  });
});
