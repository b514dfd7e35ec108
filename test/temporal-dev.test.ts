/**
 * `temporal-dev.sh` on its own ports and state folder (so the shared test server is left
 * alone): two starts leave one server, the search attributes are registered, the Web UI
 * answers, and stop stops only what it started.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', 'temporal-dev.sh');
const GRPC = '7243';
const UI = '8243';

describe('temporal-dev.sh', { timeout: 120_000 }, () => {
  let stateDir = '';
  const env = () => ({ ...process.env, TEMPORAL_PORT: GRPC, TEMPORAL_UI_PORT: UI, TEMPORAL_STATE_DIR: stateDir });
  const servers = async () => {
    const { stdout } = await run('pgrep', ['-f', `start-dev .*--port ${GRPC}`]).catch(() => ({ stdout: '' }));
    return stdout.trim().split('\n').filter(Boolean).length;
  };

  after(async () => {
    if (stateDir) {
      await run('bash', [SCRIPT, 'stop'], { env: env() }).catch(() => undefined);
      await fs.rm(stateDir, { recursive: true, force: true });
    }
  });

  it('starts one server however often it is started, registers the search attributes, and stops it', async () => {
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-temporal-'));
    await run('bash', [SCRIPT, 'start'], { env: env() });
    const second = await run('bash', [SCRIPT, 'start'], { env: env() });
    assert.match(second.stderr, /already answers .* reusing it/);
    assert.equal(await servers(), 1);

    const temporal = process.env.CLIPFLEET_TEMPORAL_CLI ?? 'temporal';
    const { stdout } = await run(temporal, ['operator', 'search-attribute', 'list', '--address', `127.0.0.1:${GRPC}`]);
    for (const name of ['BulkTaskId', 'AccountId', 'Platform']) assert.match(stdout, new RegExp(`${name}\\s+Keyword`));
    assert.equal((await fetch(`http://127.0.0.1:${UI}/`)).status, 200, 'the Web UI answers');

    const stopped = await run('bash', [SCRIPT, 'stop'], { env: env() });
    assert.match(stopped.stderr, /stopped Temporal/);
    assert.match(stopped.stderr, /Redis was not started by this script; leaving it alone/);
    assert.equal(await servers(), 0);
  });
});
