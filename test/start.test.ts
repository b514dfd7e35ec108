/**
 * `npm start` (scripts/start.sh) runs the worker and the API as a pair: both come up, a
 * SIGTERM stops both, and if one of them dies the other is stopped too, so a supervisor sees
 * the failure instead of a half-running service.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { useTestStack } from './fixtures/suite-stack';
import { freePort, waitFor } from './fixtures/wait';

const START = path.join(__dirname, '..', 'scripts', 'start.sh');

/** The pids of the worker and API processes the start script runs. */
function childPids(script: ChildProcess): Promise<number[]> {
  return new Promise((resolve) => {
    const ps = spawn('pgrep', ['-P', String(script.pid)]);
    let out = '';
    ps.stdout.on('data', (d: Buffer) => (out += d.toString()));
    ps.on('close', () => resolve(out.split('\n').filter(Boolean).map(Number)));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', { timeout: 120_000 }, () => {
  const stack = useTestStack({ worker: false });

  async function startBoth(): Promise<{ script: ChildProcess; pids: number[]; exited: Promise<number | null>; apiUrl: string }> {
    const apiPort = await freePort();
    const env = { ...process.env, ...stack().envVars, API_PORT: String(apiPort), DEMO_PLATFORM_PORT: String(await freePort()) };
    const script = spawn('bash', [START], { env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => script.on('exit', (code) => resolve(code)));
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitFor('the API to answer', async () => (await fetch(`${apiUrl}/health`)).ok, 60_000);
    const pids = await childPids(script);
    assert.equal(pids.length, 2, 'a worker and an API process');
    return { script, pids, exited, apiUrl };
  }

  it('starts the worker and the API, and SIGTERM stops both', async () => {
    const { script, pids, exited } = await startBoth();
    script.kill('SIGTERM');
    assert.equal(await exited, 143);
    await waitFor('both processes to exit', async () => pids.every((pid) => !alive(pid)), 20_000);
  });

  it('stops the API when the worker dies, and exits non-zero', async () => {
    const { pids, exited, apiUrl } = await startBoth();
    const [first] = pids;
    process.kill(first!, 'SIGKILL');
    assert.notEqual(await exited, 0);
    await waitFor('the other process to exit', async () => pids.every((pid) => !alive(pid)), 20_000);
    await assert.rejects(fetch(`${apiUrl}/health`), 'the API is gone');
  });
});
