/**
 * `npm run build:workflows [-- <file>]`: bundles the workflows once, ahead of deploys, so a
 * worker started with WORKFLOW_BUNDLE_PATH=<file> skips bundling (seconds per start).
 * Rebuild it with every change to workflows/, contracts/ or scheduling/.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflows } from '../workers/create-worker';

async function main(): Promise<void> {
  const file = path.resolve(process.argv[2] ?? 'var/workflows.js');
  const { code } = await bundleWorkflows();
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, code);
  console.log(`workflow bundle: ${file} (${Math.round(code.length / 1024)} KiB); start workers with WORKFLOW_BUNDLE_PATH=${file}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
