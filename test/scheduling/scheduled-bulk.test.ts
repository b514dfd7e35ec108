/**
 * Scheduled bulks on the real stack (dev server, worker process, demo platform, SQLite,
 * Redis, ffmpeg), on a rehearsal clock: plan time starts at a chosen moment and runs 2,880
 * times faster than real time (a day in 30 seconds), so two days of slots pass in under a
 * minute. Every check is made against what happened: the demo platform's post
 * times, the workflows' histories and the plan the API serves.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { accountUploadWorkflowId, bulkUploadWorkflowId } from '../../contracts/names';
import { scheduleClock, type ScheduleClock } from '../../scheduling/clock';
import { demoPosts, startTestStack, type TestStack } from '../fixtures/stack';
import { waitFor } from '../fixtures/wait';
import { startWorkerProcess } from '../fixtures/worker-process';
import type { BulkPlan } from '../../bulks';

const SPEED = 2880;
const HOUR = 3600_000;
const BERLIN = 'Europe/Berlin';
const run = `${Date.now().toString(36)}`;

/** A rehearsal clock whose plan time is `start` `leadMs` real milliseconds from now. */
function rehearsal(start: string, leadMs: number): { env: Record<string, string>; clock: ScheduleClock } {
  const origin = new Date(Date.now() + leadMs).toISOString();
  const env = { SCHEDULE_CLOCK_SPEED: String(SPEED), SCHEDULE_CLOCK_START: start, SCHEDULE_CLOCK_ORIGIN: origin };
  return { env, clock: scheduleClock({ speed: SPEED, start: Date.parse(start), origin: Date.parse(origin) }) };
}

/** Each activity of a workflow with the real times it started and ended. */
interface ActivityRun {
  type: string;
  started: number;
  ended: number;
}

function ms(t: temporal.api.history.v1.IHistoryEvent['eventTime']): number {
  return Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
}

async function activityRuns(stack: TestStack, workflowId: string): Promise<ActivityRun[]> {
  const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const started = new Map<string, number>();
  const runs: ActivityRun[] = [];
  for (const e of history.events ?? []) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) scheduled.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    if (e.activityTaskStartedEventAttributes) started.set(String(e.activityTaskStartedEventAttributes.scheduledEventId), ms(e.eventTime));
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (done) {
      const sid = String(done.scheduledEventId);
      runs.push({ type: scheduled.get(sid)!, started: started.get(sid)!, ended: ms(e.eventTime) });
    }
  }
  return runs;
}

async function plan(stack: TestStack, taskId: string): Promise<BulkPlan> {
  const res = await stack.api('GET', `/bulk-uploads/${taskId}/plan`);
  assert.equal(res.status, 200);
  return (await res.json()) as BulkPlan;
}

describe('scheduled bulks on a rehearsal clock', { timeout: 600_000 }, () => {
  let stack: TestStack;
  let worker: ChildProcess | undefined;
  let clock: ScheduleClock;
  before(async () => {
    stack = await startTestStack({ worker: false });
    // 09:00 Berlin comes 30 s from now: time enough for the worker to start and render the
    // first test's 15 variants (its bulk publishes from 08:00 on, so no earlier slot counts).
    const rehearsalClock = rehearsal('2026-11-25T09:00:00+01:00', 30_000);
    clock = rehearsalClock.clock;
    worker = startWorkerProcess(stack, rehearsalClock.env);
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await stack?.close();
  });

  it('3 accounts × 5 videos land exactly in the 09:00/13:00/19:00 slots, 3 a day, over two days, with every encode before the slots', async () => {
    const accountIds = ['slot-a', 'slot-b', 'slot-c'].map((id) => `${id}-${run}`);
    for (const id of accountIds) await stack.addAccount({ id });
    const videos: string[] = [];
    for (let i = 1; i <= 5; i++) videos.push(await stack.addVideo(`slot-${i}.mp4`));
    const taskId = `slots-${run}`;

    const res = await stack.api('POST', '/bulk-uploads', {
      taskId,
      videos: videos.map((path, i) => ({ path, caption: `slot video ${i + 1}` })),
      accountIds,
      options: { schedule: { publishAt: '2026-11-25T08:00:00+01:00', timeZone: BERLIN, slots: ['09:00', '13:00', '19:00'], dailyMax: 3 } },
    });
    assert.equal(res.status, 202, await res.text());
    const result = await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result();
    assert.equal(result.status, 'completed');

    const expected = ['2026-11-25 09:00', '2026-11-25 13:00', '2026-11-25 19:00', '2026-11-26 09:00', '2026-11-26 13:00'].map((t) => `${t} ${BERLIN}`);
    const { posts: planned } = await plan(stack, taskId);
    const allPosts = await demoPosts(stack.demo);
    for (const accountId of accountIds) {
      const mine = planned.filter((p) => p.accountId === accountId);
      assert.deepEqual(
        mine.map((p) => p.plannedLabel),
        expected,
        `${accountId}'s plan`,
      );
      assert.ok(mine.every((p) => p.status === 'published'));
      // The demo platform's own post times, read back in plan time: each post inside its slot, before the next one.
      const onPlatform = allPosts.filter((p) => p.account === `${accountId}-user`).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      assert.equal(onPlatform.length, 5, `${accountId} has 5 posts`);
      onPlatform.forEach((post, i) => {
        const slot = Date.parse(mine[i]!.plannedAt!);
        const at = clock.toPlan(Date.parse(post.createdAt));
        assert.ok(at >= slot, `${accountId} post ${i + 1} (${new Date(at).toISOString()}) is not before its slot ${mine[i]!.plannedLabel}`);
        assert.ok(at < slot + 4 * HOUR, `${accountId} post ${i + 1} went out within its slot (${(at - slot) / 60_000} plan minutes late)`);
      });
    }

    // No encode runs while any upload does: every variant was rendered ahead of the slots.
    const runs = (await Promise.all(accountIds.map((id) => activityRuns(stack, accountUploadWorkflowId(taskId, id))))).flat();
    const encodes = runs.filter((r) => r.type === 'uniquifyVideo');
    const uploads = runs.filter((r) => r.type === 'uploadViaBrowser');
    assert.equal(encodes.length, 15);
    assert.equal(uploads.length, 15);
    for (const e of encodes) {
      for (const u of uploads) assert.ok(e.ended <= u.started || e.started >= u.ended, 'an encode ran inside a slot window');
    }
    // Each upload started at its slot's real time (the durable timer firing), within a second.
    for (const accountId of accountIds) {
      const starts = (await activityRuns(stack, accountUploadWorkflowId(taskId, accountId)))
        .filter((r) => r.type === 'uploadViaBrowser')
        .map((r) => r.started)
        .sort((a, b) => a - b);
      const slots = planned.filter((p) => p.accountId === accountId).map((p) => clock.toReal(Date.parse(p.plannedAt!)));
      starts.forEach((started, i) => {
        const late = started - slots[i]!;
        assert.ok(late >= -50 && late < 1_000, `${accountId} upload ${i + 1} started ${late} ms after its slot`);
      });
    }
  });

  it('two overlapping bulks on one account with 2 h spacing: no two posts closer than 2 h, none lost, both complete', async () => {
    const space = `space-${run}`;
    await stack.addAccount({ id: space });
    const a = [await stack.addVideo('space-a1.mp4'), await stack.addVideo('space-a2.mp4'), await stack.addVideo('space-a3.mp4')];
    const b = [await stack.addVideo('space-b1.mp4'), await stack.addVideo('space-b2.mp4'), await stack.addVideo('space-b3.mp4')];
    const schedule = { timeZone: BERLIN, minSpacingMinutes: 120 };
    const ids = [`space-a-${run}`, `space-b-${run}`];
    const [ra, rb] = await Promise.all(
      [a, b].map((videos, i) => stack.api('POST', '/bulk-uploads', { taskId: ids[i], videos: videos.map((path) => ({ path })), accountIds: [space], options: { schedule } })),
    );
    assert.equal(ra!.status, 202);
    assert.equal(rb!.status, 202);
    for (const id of ids) assert.equal((await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(id)).result()).status, 'completed');

    const plans = (await Promise.all(ids.map((id) => plan(stack, id)))).flatMap((p) => p.posts);
    assert.equal(plans.length, 6);
    const times = plans.map((p) => Date.parse(p.plannedAt!)).sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++)
      assert.ok(times[i]! - times[i - 1]! >= 2 * HOUR, `planned posts ${i} and ${i + 1} are ${(times[i]! - times[i - 1]!) / 60_000} min apart`);

    const posts = await demoPosts(stack.demo, `${space}-user`);
    assert.equal(posts.length, 6, 'every post of both bulks, once');
    // The uploads themselves started no closer than the spacing (their timers fired at the planned times).
    const starts = (await Promise.all(ids.map((id) => activityRuns(stack, accountUploadWorkflowId(id, space)))))
      .flat()
      .filter((r) => r.type === 'uploadViaBrowser')
      .map((r) => clock.toPlan(r.started))
      .sort((x, y) => x - y);
    for (let i = 1; i < starts.length; i++)
      assert.ok(starts[i]! - starts[i - 1]! >= 1.8 * HOUR, `uploads ${i} and ${i + 1} started ${(starts[i]! - starts[i - 1]!) / 60_000} plan min apart`);
  });

  it('pause at post 3 of 10 starts nothing new; a move while paused changes the plan; resume publishes the rest, spaced', async () => {
    const pauser = `pause-${run}`;
    await stack.addAccount({ id: pauser });
    const videos: string[] = [];
    for (let i = 1; i <= 10; i++) videos.push(await stack.addVideo(`pause-${i}.mp4`, { durationSec: 1 }));
    const taskId = `pause-${run}`;
    const res = await stack.api('POST', '/bulk-uploads', {
      taskId,
      videos: videos.map((path, i) => ({ id: `v${i + 1}`, path, caption: `v${i + 1}` })),
      accountIds: [pauser],
      options: { schedule: { timeZone: BERLIN, minSpacingMinutes: 120 } },
    });
    assert.equal(res.status, 202);
    await waitFor('3 posts', async () => (await demoPosts(stack.demo, `${pauser}-user`)).length >= 3, 120_000);
    assert.equal((await stack.api('POST', `/bulk-uploads/${taskId}/pause`)).status, 202);
    // One upload may have been running when the pause came: it finishes; nothing after it starts.
    await new Promise((r) => setTimeout(r, 3_000));
    const atPause = (await demoPosts(stack.demo, `${pauser}-user`)).length;
    assert.ok(atPause === 3 || atPause === 4, `${atPause} posts at the pause`);
    const status = (await (await stack.api('GET', `/bulk-uploads/${taskId}`)).json()) as { paused: boolean };
    assert.equal(status.paused, true);
    await new Promise((r) => setTimeout(r, 7_500)); // three spacings of plan time
    assert.equal((await demoPosts(stack.demo, `${pauser}-user`)).length, atPause, 'nothing new while paused');

    const before = await plan(stack, taskId);
    const movedTo = new Date(clock.now() + 12 * HOUR);
    movedTo.setUTCSeconds(0, 0);
    const move = await stack.api('POST', `/bulk-uploads/${taskId}/accounts/${pauser}/videos/v10/move`, { publishAt: movedTo.toISOString() });
    assert.equal(move.status, 202, await move.text());
    await waitFor('the plan to show the move', async () => (await plan(stack, taskId)).posts.find((p) => p.videoId === 'v10')!.plannedAt === movedTo.toISOString());
    const published = await stack.api('POST', `/bulk-uploads/${taskId}/accounts/${pauser}/videos/v1/move`, { publishAt: movedTo.toISOString() });
    assert.equal(published.status, 409, 'a published post cannot be moved');
    assert.deepEqual(
      before.posts.filter((p) => p.status === 'published').map((p) => p.videoId),
      ['v1', 'v2', 'v3', 'v4'].slice(0, atPause),
      'published in their order',
    );

    assert.equal((await stack.api('POST', `/bulk-uploads/${taskId}/resume`)).status, 202);
    const result = await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result();
    assert.equal(result.status, 'completed');
    const posts = await demoPosts(stack.demo, `${pauser}-user`);
    assert.equal(posts.length, 10);

    const afterResume = await plan(stack, taskId);
    const v10 = afterResume.posts.find((p) => p.videoId === 'v10')!;
    assert.equal(v10.plannedAt, movedTo.toISOString());
    // The posts whose time passed while paused were planned again from the resume on, still an hour apart.
    const changed = afterResume.posts.filter((p) => p.plannedAt !== before.posts.find((q) => q.videoId === p.videoId)!.plannedAt);
    assert.ok(changed.length >= 2, 'the plan shows the new times');
    const times = afterResume.posts.map((p) => Date.parse(p.plannedAt!)).sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++)
      assert.ok(times[i]! - times[i - 1]! >= 2 * HOUR, `planned posts ${i} and ${i + 1} are ${(times[i]! - times[i - 1]!) / 60_000} min apart`);
    const v10Post = posts.find((p) => p.caption === 'v10')!;
    assert.ok(clock.toPlan(Date.parse(v10Post.createdAt)) >= movedTo.getTime(), 'the moved post went out at its new time');
  });
});
