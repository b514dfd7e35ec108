/**
 * Fault: the platform stops answering in the middle of an upload. The attempt ends when
 * its heartbeat would lapse and is retried; the retry publishes once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountUploadWorkflowId, bulkUploadWorkflowId } from '../../contracts/names';
import { LogLine } from '../../database/entities';
import { demoPosts, setDemoFaults } from '../fixtures/stack';
import { useTestStack } from '../fixtures/suite-stack';
import { waitFor } from '../fixtures/wait';

describe('fault: hung upload', { timeout: 300_000 }, () => {
  const stack = useTestStack();

  it('ends the hung attempt and retries it, publishing exactly once', async () => {
    await stack().addAccount({ id: 'hung' });
    const video = await stack().addVideo('hung.mp4');
    await setDemoFaults(stack().demo, { hangUploads: true });
    const res = await stack().api('POST', '/bulk-uploads', { taskId: 'hung', videos: [{ path: video }], accountIds: ['hung'] });
    assert.equal(res.status, 202);

    // Once the platform holds the upload open, the attempt hangs; let the platform recover (the held request stays held).
    const em = stack().deps.orm.em.fork();
    await waitFor('the platform to hold the upload open', async () => ((await (await fetch(`${stack().demo.url}/api/faults`)).json()) as { held: number }).held > 0, 60_000);
    await setDemoFaults(stack().demo, null);

    const result = await stack().env.client.workflow.getHandle(bulkUploadWorkflowId('hung')).result();
    assert.equal(result.status, 'completed');
    assert.equal((await demoPosts(stack().demo, 'hung-user')).length, 1);

    const history = await stack().env.client.workflow.getHandle(accountUploadWorkflowId('hung', 'hung')).fetchHistory();
    const uploadStarted = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1);
    assert.ok(Math.max(...uploadStarted) >= 2, 'the upload was retried');
    const lines = (await em.find(LogLine, { task: 'hung' })).map((l) => l.message);
    assert.ok(
      lines.some((l) => /upload attempt 1 of video-1 failed/.test(l)),
      lines.join('\n'),
    );
  });
});
