/**
 * Building a worker: the workflows (bundled from `workflows/`) and the activities (from
 * their dependencies) on one task queue. Used by the worker process and by the tests.
 */
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Bundles the workflow code once; tests share one bundle between workers. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => console.error(m) },
  });
}

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (in memory, or a file from `npm run build:workflows`); without one the workflows are bundled now. */
  workflowBundle?: WorkflowBundleWithSourceMap | { codePath: string };
  /** Uploads in flight at once (each holds a browser context). */
  maxConcurrentActivityTaskExecutions?: number;
  /** Threads running workflow code (default 1; more helps only with spare cores). */
  workflowThreadPoolSize?: number;
}

/** Creates (does not run) a worker for clipfleet's workflows and activities. */
export async function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.deps),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 8,
    ...(opts.workflowThreadPoolSize ? { workflowThreadPoolSize: opts.workflowThreadPoolSize } : {}),
    // Lets a cancelled or killed activity's ffmpeg and browser context wind down cleanly.
    shutdownGraceTime: '10 seconds',
    // Heartbeats carry cancellations back: keep them frequent enough that a cancelled bulk
    // stops its ffmpeg and browser work within seconds.
    defaultHeartbeatThrottleInterval: '2 seconds',
    maxHeartbeatThrottleInterval: '5 seconds',
  });
}
