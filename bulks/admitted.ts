/**
 * Bulks that were started but have not registered yet: their workflow runs (or waits for a
 * worker) and no `BulkUploadTask` row names them. A check that reads only the database (which
 * bulks use a library video?) would miss them, so their video paths are read from the input
 * each such workflow was started with.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { BULK_UPLOAD_WORKFLOW, BulkTaskIdAttribute } from '../contracts/names';
import { BulkUploadTask } from '../database/entities';
import type { Orm } from '../database/orm';

/** A started bulk the database does not know yet, with the video paths its input names. */
export interface UnregisteredBulk {
  taskId: string;
  paths: string[];
}

const ID_CHUNK = 500;

const StartedInput = z.object({ taskId: z.string(), videos: z.array(z.object({ path: z.string() })).default([]) });
/** A first run's input is the request itself; retried and continued runs carry it as `input`. */
const WorkflowStart = z.union([z.object({ input: StartedInput }).transform((s) => s.input), StartedInput]);

/**
 * The running BulkUpload workflows on `taskQueue` without a task row, with their input's
 * video paths. One visibility query, one database query, and a history read only for each
 * unregistered bulk (normally none: a bulk registers in its first seconds, unless no worker
 * runs). A workflow whose input cannot be read is left out.
 */
export async function unregisteredBulks(client: Client, orm: Orm, taskQueue: string): Promise<UnregisteredBulk[]> {
  const running: { workflowId: string; runId: string; taskId: string | undefined }[] = [];
  const query = `WorkflowType = '${BULK_UPLOAD_WORKFLOW}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
  for await (const w of client.workflow.list({ query })) {
    running.push({ workflowId: w.workflowId, runId: w.runId, taskId: w.typedSearchAttributes.get(BulkTaskIdAttribute) });
  }
  const em = orm.em.fork();
  const registered = async (ids: string[]) => {
    const known = new Set<string>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      for (const t of await em.find(BulkUploadTask, { id: { $in: ids.slice(i, i + ID_CHUNK) } }, { fields: ['id'] })) known.add(t.id);
    }
    return known;
  };
  const known = await registered(running.flatMap((w) => (w.taskId === undefined ? [] : [w.taskId])));
  const converter = client.options.loadedDataConverter.payloadConverter;
  const found: UnregisteredBulk[] = [];
  for (const w of running) {
    if (w.taskId !== undefined && known.has(w.taskId)) continue;
    // The first event holds the input; a long-running bulk's later history is not read.
    const { history } = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId: w.workflowId, runId: w.runId },
      maximumPageSize: 1,
    });
    const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    let start: unknown;
    try {
      start = payload ? converter.fromPayload(payload) : undefined;
    } catch {
      start = undefined;
    }
    const input = WorkflowStart.safeParse(start);
    if (input.success) found.push({ taskId: input.data.taskId, paths: input.data.videos.map((v) => v.path) });
  }
  // A bulk started with `temporal workflow start` may carry no task id attribute: its id is known only now.
  const knownLate = await registered(found.map((b) => b.taskId).filter((id) => !known.has(id)));
  return found.filter((b) => !known.has(b.taskId) && !knownLate.has(b.taskId));
}
