/**
 * Records the histories the replay tests load (`npm run histories:record`): runs a small
 * bulk (1 video × 2 accounts) on a real stack and saves the parent's and one child's
 * history under test/histories/. Run it after a deliberate, versioned workflow change.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RECORDED_ACCOUNT_IDS, RECORDED_HISTORIES, RECORDED_SCHEDULED_ACCOUNT_ID, RECORDED_SCHEDULED_TASK_ID, RECORDED_TASK_ID } from './fixtures/recorded-histories';
import { bulkUploadWorkflowId } from '../contracts/names';
import { pauseSignal, resumeSignal } from '../workflows/signals';
import { startTestStack } from './fixtures/stack';

async function main(): Promise<void> {
  const stack = await startTestStack();
  try {
    for (const id of RECORDED_ACCOUNT_IDS) await stack.addAccount({ id });
    const video = await stack.addVideo('recorded.mp4');
    const res = await stack.api('POST', '/bulk-uploads', {
      taskId: RECORDED_TASK_ID,
      videos: [{ path: video, caption: 'recorded' }],
      accountIds: [...RECORDED_ACCOUNT_IDS],
      options: { concurrency: 2 },
    });
    if (res.status !== 202) throw new Error(`start failed: ${res.status} ${await res.text()}`);
    const parent = stack.env.client.workflow.getHandle(RECORDED_HISTORIES.bulk.workflowId);
    const result = await parent.result();
    if (result.status !== 'completed') throw new Error(`recorded bulk ended ${result.status}`);

    // A scheduled bulk: two posts 6 s apart from 5 s on, paused and resumed on the way.
    await stack.addAccount({ id: RECORDED_SCHEDULED_ACCOUNT_ID });
    const second = await stack.addVideo('recorded-2.mp4');
    const scheduled = await stack.api('POST', '/bulk-uploads', {
      taskId: RECORDED_SCHEDULED_TASK_ID,
      videos: [
        { path: video, caption: 'recorded 1' },
        { path: second, caption: 'recorded 2' },
      ],
      accountIds: [RECORDED_SCHEDULED_ACCOUNT_ID],
      options: { schedule: { publishAt: new Date(Date.now() + 5_000).toISOString(), minSpacingMinutes: 0.1 } },
    });
    if (scheduled.status !== 202) throw new Error(`scheduled start failed: ${scheduled.status} ${await scheduled.text()}`);
    const scheduledBulk = stack.env.client.workflow.getHandle(bulkUploadWorkflowId(RECORDED_SCHEDULED_TASK_ID));
    await new Promise((r) => setTimeout(r, 2_000));
    await scheduledBulk.signal(pauseSignal);
    await new Promise((r) => setTimeout(r, 1_000));
    await scheduledBulk.signal(resumeSignal);
    const scheduledResult = await scheduledBulk.result();
    if (scheduledResult.status !== 'completed') throw new Error(`recorded scheduled bulk ended ${scheduledResult.status}`);
    const dir = path.join(__dirname, 'histories');
    await fs.mkdir(dir, { recursive: true });
    // The CLI's JSON export is the canonical history format (the Web UI downloads the same).
    const temporal = process.env.CLIPFLEET_TEMPORAL_CLI ?? 'temporal';
    const save = async (workflowId: string, file: string) => {
      const { stdout } = await promisify(execFile)(temporal, ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', stack.config.temporal.address], {
        maxBuffer: 64 * 1024 * 1024,
      });
      await fs.writeFile(path.join(dir, file), stdout);
    };
    await save(RECORDED_HISTORIES.bulk.workflowId, RECORDED_HISTORIES.bulk.file);
    await save(RECORDED_HISTORIES.account.workflowId, RECORDED_HISTORIES.account.file);
    await save(RECORDED_HISTORIES.scheduledAccount.workflowId, RECORDED_HISTORIES.scheduledAccount.file);
    await save(RECORDED_HISTORIES.pacer.workflowId, RECORDED_HISTORIES.pacer.file);
    console.log(
      `recorded ${Object.values(RECORDED_HISTORIES)
        .map((h) => h.file)
        .join(', ')} in ${dir}`,
    );
  } finally {
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
