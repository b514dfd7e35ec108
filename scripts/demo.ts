/**
 * The demo bulk (run by `npm run demo` once the stack is up): makes two sample clips,
 * creates three demo accounts on the demo platform and in clipfleet, starts a bulk through
 * the HTTP API, shows its progress with a bar, and prints where to look.
 */
import path from 'node:path';
import { loadConfig } from '../config';
import { makeSampleVideo } from '../media';
import { progressBar } from './bulk';

const config = loadConfig();
const api = config.api.publicUrl;
const auth = { authorization: `Bearer ${config.api.token}`, 'content-type': 'application/json' };

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function main(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const taskId = `demo-${stamp}`;
  const videos = [];
  for (const [i, caption] of ['Sunrise over the test pattern', 'Colour bars, remixed'].entries()) {
    const name = `demo/clip-${i + 1}.mp4`;
    process.stdout.write(`making sample video ${name}… `);
    await makeSampleVideo({ outputPath: path.join(config.media.root, name), width: 640, height: 360, durationSec: 4, fps: 25, pattern: `demo-${i}` });
    console.log('done');
    videos.push({ path: name, caption });
  }
  const accountIds = ['demo-anna', 'demo-ben', 'demo-chloe'];
  for (const id of accountIds) {
    const password = `${id}-password`;
    const platform = await fetch(`${config.demoPlatform.url}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: id, password }),
    });
    if (!platform.ok && platform.status !== 409) throw new Error(`demo platform refused account ${id}: ${platform.status} ${await platform.text()}`);
    await call('PUT', `${api}/accounts`, { id, platform: 'demo', username: id, password });
  }
  console.log(`accounts ready: ${accountIds.join(', ')}`);

  const started = await call<{ links: { dashboard: string; status: string; logs: string; webUi: string } }>('POST', `${api}/bulk-uploads`, {
    taskId,
    videos,
    accountIds,
    options: { uniquifyPreset: 'fast', concurrency: 3 },
  });
  console.log(`started bulk ${taskId}\n  dashboard:       ${started.links.dashboard}\n  Temporal Web UI: ${started.links.webUi}`);

  let status: { status: string; total: number; completed: number; failed: number; running: number };
  const tty = process.stdout.isTTY;
  for (;;) {
    status = await call(`GET`, started.links.status);
    const done = status.completed + status.failed;
    const line = `${progressBar(done, status.total)} accounts  ${status.completed} completed, ${status.failed} failed, ${status.running} running`;
    if (tty) process.stdout.write(`\r${line}\x1b[K`);
    else console.log(line);
    if (!['pending', 'running'].includes(status.status)) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  if (tty) process.stdout.write('\n');
  console.log(`\nbulk ${taskId}: ${status.status}`);
  console.log(`  dashboard:        ${started.links.dashboard}   (sign in with API_TOKEN: ${config.api.token === 'dev-token-change-me' ? 'dev-token-change-me' : 'see your .env'})`);
  console.log(`  Temporal Web UI:  ${started.links.webUi}`);
  console.log(`  status (API):     ${started.links.status}   (header: Authorization: Bearer <API_TOKEN>)`);
  console.log(`  logs (API):       ${started.links.logs}`);
  console.log(`  demo platform:    ${config.demoPlatform.url}/api/posts`);
  console.log(`  debug commands:   npm run bulk -- status ${taskId}  |  npm run bulk -- logs ${taskId}`);
  process.exit(status.status === 'completed' ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
