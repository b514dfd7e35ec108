/**
 * Fault: while a scheduled bulk's posts wait for their slots, the worker is SIGKILLed and
 * the Temporal dev server (its own instance, state kept) is stopped and started again. The
 * waits are durable timers: every post goes out at its slot (late by at most the time the
 * restart took), exactly once. The clock is a rehearsal one (a slot every 5 real seconds).
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { bulkUploadWorkflowId, taskLogsKey } from '../../contracts/names';
import { scheduleClock } from '../../scheduling/clock';
import type { BulkPlan } from '../../bulks';
import { demoPosts, startTestStack, type TestStack } from '../fixtures/stack';
import { freePort, waitFor } from '../fixtures/wait';
import { startWorkerProcess } from '../fixtures/worker-process';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', '..', 'temporal-dev.sh');
const SPEED = 360; // an hour of plan time in 10 real seconds

describe('fault: worker killed and Temporal restarted while posts wait for their slots', { timeout: 600_000 }, () => {
  it('publishes every post at its slot, exactly once', async (t) => {
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-slot-restart-'));
    const env = { ...process.env, TEMPORAL_PORT: String(await freePort()), TEMPORAL_UI_PORT: String(await freePort()), TEMPORAL_STATE_DIR: stateDir };
    await run('bash', [SCRIPT, 'start'], { env });
    let stack: TestStack | undefined;
    const workers: ChildProcess[] = [];
    try {
      stack = await startTestStack({ temporalAddress: `127.0.0.1:${env.TEMPORAL_PORT}`, worker: false });
      const s = stack;
      const suffix = Date.now().toString(36);
      const accountIds = ['wait-1', 'wait-2'].map((id) => `${id}-${suffix}`);
      for (const id of accountIds) await s.addAccount({ id });
      const videos = [await s.addVideo('wait-a.mp4'), await s.addVideo('wait-b.mp4'), await s.addVideo('wait-c.mp4')];
      // 09:00 Berlin is 30 real seconds away; slots every half hour of plan time (5 real seconds).
      const start = '2026-11-25T09:00:00+01:00';
      const origin = new Date(Date.now() + 30_000).toISOString();
      const clock = scheduleClock({ speed: SPEED, start: Date.parse(start), origin: Date.parse(origin) });
      const clockEnv = { SCHEDULE_CLOCK_SPEED: String(SPEED), SCHEDULE_CLOCK_START: start, SCHEDULE_CLOCK_ORIGIN: origin };
      workers.push(startWorkerProcess(s, clockEnv));

      const taskId = `slot-restart-${suffix}`;
      const res = await s.api('POST', '/bulk-uploads', {
        taskId,
        videos: videos.map((p, i) => ({ id: `v${i + 1}`, path: p, caption: `v${i + 1}` })),
        accountIds,
        options: { schedule: { publishAt: '2026-11-25T08:00:00+01:00', timeZone: 'Europe/Berlin', slots: ['09:00', '09:30', '10:00'] } },
      });
      assert.equal(res.status, 202, await res.text());

      // Every account rendered its variants and is waiting for its first slot.
      await waitFor(
        'both accounts waiting for their first slot',
        async () => {
          const lines = await s.deps.redis.xrange(taskLogsKey(taskId), '-', '+');
          return lines.filter(([, f]) => f.join(' ').includes('waiting for slot 2026-11-25 09:00')).length >= 2;
        },
        60_000,
      );
      assert.equal((await demoPosts(s.demo)).length, 0, 'nothing published before the first slot');
      const killedAt = Date.now();
      const first = workers[0]!;
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      await run('bash', [SCRIPT, 'stop'], { env });
      await new Promise((r) => setTimeout(r, 2_000));
      await run('bash', [SCRIPT, 'start'], { env });
      workers.push(startWorkerProcess(s, clockEnv));
      const restartMs = Date.now() - killedAt;

      const result = await s.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result();
      assert.equal(result.status, 'completed');

      const posts = await demoPosts(s.demo);
      assert.equal(posts.length, 6, 'exactly one post per (account, video)');
      assert.equal(new Set(posts.map((p) => `${p.account}/${p.caption}`)).size, 6);
      const plan = (await (await s.api('GET', `/bulk-uploads/${taskId}/plan`)).json()) as BulkPlan;
      const late: number[] = [];
      for (const post of posts) {
        const planned = plan.posts.find((p) => `${p.accountId}-user` === post.account && p.videoId === post.caption)!;
        const fireAt = clock.toReal(Date.parse(planned.plannedAt!));
        const at = Date.parse(post.createdAt);
        late.push(at - fireAt);
        assert.ok(at >= fireAt, `${post.account}/${post.caption} was published before its slot ${planned.plannedLabel}`);
        // Late by at most the restart (a slot that came during it) and an upload's own time.
        assert.ok(at - fireAt <= restartMs + 15_000, `${post.account}/${post.caption} was ${at - fireAt} ms late (restart took ${restartMs} ms)`);
      }
      t.diagnostic(`restart took ${restartMs} ms; posts published ${late.sort((a, b) => a - b).join(', ')} ms after their slots`);
      assert.deepEqual([...new Set(plan.posts.map((p) => p.plannedLabel))].sort(), [
        '2026-11-25 09:00 Europe/Berlin',
        '2026-11-25 09:30 Europe/Berlin',
        '2026-11-25 10:00 Europe/Berlin',
      ]);
    } finally {
      for (const w of workers) w.kill('SIGKILL');
      await stack?.close().catch(() => undefined);
      await run('bash', [SCRIPT, 'stop'], { env }).catch(() => undefined);
      await fs.rm(stateDir, { recursive: true, force: true });
    }
  });
});
