/**
 * The local stack's scripts, each on its own ports and state folder (so the shared test
 * services are left alone): `temporal-dev.sh` starts one server however often it is asked,
 * registers the search attributes clipfleet defines, links the CLI for `npx temporal`, and
 * stops only what it started; `npm test` (scripts/test.sh) leaves no service, process or
 * temp file of its own behind, whether its tests pass, fail or are interrupted.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it, type TestContext } from 'node:test';
import { z } from 'zod';
import { SEARCH_ATTRIBUTE_NAMES } from '../contracts/names';
import { freePort, waitFor } from './fixtures/wait';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..');
const SCRIPT = path.join(ROOT, 'temporal-dev.sh');

/** The CLI the test run uses (set by scripts/test.sh); on PATH, no script has to install one. */
function temporalCli(): string {
  const cli = process.env.CLIPFLEET_TEMPORAL_CLI;
  if (!cli) throw new Error('CLIPFLEET_TEMPORAL_CLI is not set: run these tests with npm test');
  return cli;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether a process runs (a zombie waiting to be reaped counts as ended). */
async function alive(pid: number): Promise<boolean> {
  const { stdout } = await run('ps', ['-o', 'stat=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.trim() !== '' && !stdout.trim().startsWith('Z');
}

/**
 * Ports and a state folder of its own for one stack, and the environment that selects them;
 * Redis on a port of its own too, or the one the environment names (the shared one, up already).
 */
async function isolatedStack({ redis = 'own' }: { redis?: 'own' | 'shared' } = {}) {
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-temporal-'));
  const grpc = await freePort();
  const redisPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.dirname(temporalCli())}${path.delimiter}${process.env.PATH ?? ''}`,
    TEMPORAL_PORT: String(grpc),
    TEMPORAL_UI_PORT: String(await freePort()),
    TEMPORAL_STATE_DIR: stateDir,
    ...(redis === 'own' ? { REDIS_URL: `redis://127.0.0.1:${redisPort}` } : {}),
  };
  return { stateDir, grpc, redis: redisPort, env };
}

describe('temporal-dev.sh', { timeout: 180_000 }, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  /** Stops whatever the script started for this stack, then removes the state folder. */
  const track = (stack: { stateDir: string; env: NodeJS.ProcessEnv }, script = SCRIPT) =>
    cleanups.push(async () => {
      await run('bash', [script, 'stop'], { env: stack.env }).catch(() => undefined);
      await fs.rm(stack.stateDir, { recursive: true, force: true });
    });

  it('starts one server however often it is started, registers the search attributes, and stops it', async () => {
    // The shared Redis, up already: the script must leave it alone.
    const stack = await isolatedStack({ redis: 'shared' });
    const { env } = stack;
    track(stack);
    const servers = async () => {
      const { stdout } = await run('pgrep', ['-f', `start-dev .*--port ${stack.grpc} `]).catch(() => ({ stdout: '' }));
      return stdout.trim().split('\n').filter(Boolean).length;
    };
    await run('bash', [SCRIPT, 'start'], { env });
    const second = await run('bash', [SCRIPT, 'start'], { env });
    assert.match(second.stderr, /already answers .* reusing it/);
    assert.equal(await servers(), 1);

    const { stdout } = await run(temporalCli(), ['operator', 'search-attribute', 'list', '--address', `127.0.0.1:${stack.grpc}`]);
    for (const name of SEARCH_ATTRIBUTE_NAMES) assert.match(stdout, new RegExp(`${name}\\s+Keyword`));
    assert.equal((await fetch(`http://127.0.0.1:${stack.env.TEMPORAL_UI_PORT}/`)).status, 200, 'the Web UI answers');

    const stopped = await run('bash', [SCRIPT, 'stop'], { env });
    assert.match(stopped.stderr, /stopped Temporal/);
    assert.match(stopped.stderr, /Redis was not started by this script; leaving it alone/);
    assert.equal(await servers(), 0);
  });

  it('registers exactly the search attributes contracts/names.ts defines', async () => {
    const script = await fs.readFile(SCRIPT, 'utf8');
    const list = /^SEARCH_ATTRIBUTES=\(([^)]*)\)$/m.exec(script);
    assert.ok(list, 'temporal-dev.sh declares SEARCH_ATTRIBUTES=(...) on one line');
    assert.deepEqual(list[1]!.trim().split(/\s+/), [...SEARCH_ATTRIBUTE_NAMES]);
  });

  it('links the CLI it uses into node_modules/.bin, so `npx temporal` works from the project with no network', async () => {
    // A copy of the script in a project of its own, so the real project's link is left alone.
    const project = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-project-'));
    cleanups.push(() => fs.rm(project, { recursive: true, force: true }));
    await fs.copyFile(SCRIPT, path.join(project, 'temporal-dev.sh'));
    await fs.writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'npx-probe', private: true }));
    await fs.mkdir(path.join(project, 'node_modules'));
    const stack = await isolatedStack();
    const env = { ...stack.env, TEMPORAL_STATE_DIR: path.join(project, '.temporal') };
    track({ stateDir: stack.stateDir, env }, path.join(project, 'temporal-dev.sh'));

    await run('bash', [path.join(project, 'temporal-dev.sh'), 'start'], { env });
    const link = path.join(project, 'node_modules', '.bin', 'temporal');
    assert.equal(await fs.realpath(link), await fs.realpath(temporalCli()));

    // An unreachable registry: npx fails at once if it tries to download anything.
    const offline = { ...env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_update_notifier: 'false' };
    const health = await run('npx', ['temporal', 'operator', 'cluster', 'health', '--address', `127.0.0.1:${stack.grpc}`], { cwd: project, env: offline });
    assert.match(health.stdout, /SERVING/);
  });

  it('a stack started for runs (start --for PID) stops when the last of them leaves; one that was up is left up', async () => {
    const stack = await isolatedStack();
    track(stack);
    const dev = (...args: string[]) => run('bash', [SCRIPT, ...args], { env: stack.env });
    const up = async () => [await listening(stack.grpc), await listening(stack.redis)];
    const otherRun = spawn('sleep', ['600'], { stdio: 'ignore' });
    cleanups.push(async () => otherRun.kill());
    const me = String(process.pid);
    const other = String(otherRun.pid);

    await dev('start', '--for', me);
    assert.deepEqual(await up(), [true, true], 'Temporal and Redis started');
    await dev('start', '--for', other);
    await dev('stop', '--for', me);
    assert.deepEqual(await up(), [true, true], 'still up: another run holds it');
    await dev('stop', '--for', other);
    assert.deepEqual(await up(), [false, false], 'the last run out stopped both');

    await dev('start', '--for', other);
    otherRun.kill('SIGKILL');
    await waitFor('the other run to end', async () => !(await alive(Number(other))));
    await dev('stop', '--for', me);
    assert.deepEqual(await up(), [false, false], 'a run that died without leaving does not keep the stack up');

    await dev('start');
    await dev('start', '--for', me);
    await dev('stop', '--for', me);
    assert.deepEqual(await up(), [true, true], 'a stack that was up before the run is left up');
    await dev('stop');
    assert.deepEqual(await up(), [false, false]);
  });
});

/** What the probe test below records from inside a nested `npm test` run. */
const ProbeState = z.object({ tmpdir: z.string(), leftover: z.number().int(), temporalUp: z.boolean(), redisUp: z.boolean() });

/**
 * A test file for a nested run: it makes a temp file, leaves a process running, checks the
 * stack is up, records all that in PROBE_DIR, then fails, passes or hangs as PROBE_END says.
 */
const PROBE_TEST = `
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';

const up = (port: number) => new Promise<boolean>((resolve) => {
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
});

it('leaves things behind', async () => {
  fs.writeFileSync(path.join(os.tmpdir(), 'left-behind.txt'), 'a temp file');
  const leftover = spawn('sleep', ['600'], { stdio: 'ignore' });
  leftover.unref();
  const state = {
    tmpdir: os.tmpdir(),
    leftover: leftover.pid,
    temporalUp: await up(Number(process.env.TEMPORAL_PORT)),
    redisUp: await up(Number(new URL(process.env.REDIS_URL ?? '').port)),
  };
  fs.writeFileSync(path.join(process.env.PROBE_DIR ?? '', 'state.json'), JSON.stringify(state));
  if (process.env.PROBE_END === 'fail') throw new Error('this run fails on purpose');
  if (process.env.PROBE_END === 'hang') await new Promise((resolve) => setTimeout(resolve, 600_000));
});
`;

describe('npm test (scripts/test.sh)', { timeout: 180_000 }, () => {
  let probeFile = '';
  before(async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-probe-test-'));
    probeFile = path.join(dir, 'probe.test.ts');
    await fs.writeFile(probeFile, PROBE_TEST);
  });
  after(async () => {
    await fs.rm(path.dirname(probeFile), { recursive: true, force: true });
  });

  /** A nested `npm test` of the probe test, with its own stack and TMPDIR, in a process group of its own. */
  async function nestedRun(end: 'fail' | 'hang', t: TestContext) {
    const stack = await isolatedStack();
    const probeDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-probe-'));
    const tmpBase = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-tmpbase-'));
    const env: NodeJS.ProcessEnv = { ...stack.env, TMPDIR: tmpBase, PROBE_DIR: probeDir, PROBE_END: end };
    // Set by the outer runner for its own file processes; a nested runner must not see it.
    delete env.NODE_TEST_CONTEXT;
    const child = spawn('npm', ['test', '--', probeFile], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // 'close': npm and every process that shares its output (the script's clean-up too) have ended.
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    const readState = async () => ProbeState.parse(JSON.parse(await fs.readFile(path.join(probeDir, 'state.json'), 'utf8')));
    t.after(async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
      const state = await readState().catch(() => undefined);
      if (state && (await alive(state.leftover))) process.kill(state.leftover, 'SIGKILL');
      await run('bash', [SCRIPT, 'stop'], { env: stack.env }).catch(() => undefined);
      for (const dir of [stack.stateDir, probeDir, tmpBase]) await fs.rm(dir, { recursive: true, force: true });
    });
    return { stack, child, ended, readState, tmpBase, output: () => output };
  }

  /** After the run: nothing it started is up, running or on disk. */
  async function assertNothingLeft(nested: Awaited<ReturnType<typeof nestedRun>>) {
    const state = await nested.readState();
    assert.ok(state.temporalUp && state.redisUp, 'the run had its stack up');
    assert.ok(state.tmpdir.startsWith(nested.tmpBase + path.sep), `the run had a TMPDIR of its own, got ${state.tmpdir}`);
    assert.equal(await listening(nested.stack.grpc), false, 'the Temporal server it started is stopped');
    assert.equal(await listening(nested.stack.redis), false, 'the Redis it started is stopped');
    assert.equal(await alive(state.leftover), false, 'the process a test left running is stopped');
    // npm 11 on Node 22+ keeps its own compile cache in TMPDIR for every npm command: not the run's.
    const left = (await fs.readdir(nested.tmpBase)).filter((name) => name !== 'node-compile-cache');
    assert.deepEqual(left, [], 'its temp files are removed');
  }

  it('a failing run stops the stack it started, the processes its tests left, and removes its temp files', async (t) => {
    const nested = await nestedRun('fail', t);
    assert.deepEqual(await nested.ended, { code: 1, signal: null }, nested.output());
    assert.match(nested.output(), /this run fails on purpose/);
    await assertNothingLeft(nested);
  });

  it('Ctrl-C during a run leaves nothing behind either', async (t) => {
    const nested = await nestedRun('hang', t);
    await waitFor('the probe test to be running', async () => Boolean(await nested.readState()));
    assert.ok(nested.child.pid);
    // What a terminal does on Ctrl-C: SIGINT to the whole foreground process group.
    process.kill(-nested.child.pid, 'SIGINT');
    // npm ends itself with the signal its script got, as a shell does.
    assert.deepEqual(await nested.ended, { code: null, signal: 'SIGINT' }, nested.output());
    await assertNothingLeft(nested);
  });
});
