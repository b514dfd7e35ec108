/**
 * The worker process (`npm run worker`): registers BulkUpload, AccountUpload and the
 * activities on the configured task queue and runs until SIGINT/SIGTERM.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createWorker } from './create-worker';
import { openWorkerRuntime } from '../runtime';
import { platformOptions } from '../platforms/registry';

async function main(): Promise<void> {
  const config = loadConfig();
  // The site files first: a broken one stops the start here, naming the file and the field.
  const { sites } = platformOptions(config);
  console.log(`worker: browser platforms from ${config.platforms.dir}: ${[...sites.keys()].join(', ') || 'none'}`);
  const deps = await openWorkerRuntime(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps,
    ...(config.temporal.workflowBundlePath ? { workflowBundle: { codePath: config.temporal.workflowBundlePath } } : {}),
    maxConcurrentActivityTaskExecutions: Math.max(4, config.browser.concurrency * 2),
  });
  console.log(`worker: task queue "${config.temporal.taskQueue}" on ${config.temporal.address} (namespace ${config.temporal.namespace}); Web UI ${config.temporal.uiUrl}`);
  try {
    await worker.run();
  } finally {
    await connection.close();
    await deps.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
