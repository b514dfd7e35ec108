/**
 * The videos page in real Chromium: files chosen in its input upload with a bar each; a
 * video lands in the library with its thumbnail, a non-video's row shows the server's
 * reason. And the Must show 2: a 200 MB video uploads through a TCP proxy that
 * cuts the connection once mid-way, and completes without starting over (the proxy counts
 * the bytes) into a file identical to the source.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { LIBRARY_DIRS, makeSampleVideo, sha256File } from '../media';
import { UPLOAD_CHUNK_BYTES } from '../api/views/videos-page';
import { signedInPage } from './fixtures/browser';
import { useTestStack } from './fixtures/suite-stack';

const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');
const BIG_BYTES = 200 * 1000 * 1000;

/**
 * A TCP proxy that counts the bytes the browser sends, and can cut every connection once
 * and then refuse new ones for `outageMs` (a network that drops, not just one connection:
 * Chromium quietly resends a request whose reused connection broke, so only an outage
 * reaches the page's own resume).
 */
async function startProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  const state = { sent: 0, cutAt: Infinity, cuts: 0, outageMs: 300, downUntil: 0 };
  const server = net.createServer((client) => {
    if (Date.now() < state.downUntil) return client.resetAndDestroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (data: Buffer) => {
      state.sent += data.length;
      if (state.sent >= state.cutAt) {
        state.cutAt = Infinity;
        state.cuts += 1;
        state.downUntil = Date.now() + state.outageMs;
        // A reset, as a dropped network looks to both ends.
        for (const s of [...sockets]) s.resetAndDestroy();
        sockets.clear();
        return;
      }
      if (!upstream.write(data)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    state,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('videos page', { timeout: 120_000 }, () => {
  const s = useTestStack({ worker: false });
  const run = randomBytes(3).toString('hex');
  let server: ServerType;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let browser: Browser;
  before(async () => {
    server = serve({ fetch: s().app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    proxy = await startProxy((server.address() as net.AddressInfo).port);
    browser = await chromium.launch({
      executablePath: s().config.browser.executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('uploads a video into the library with its thumbnail, and shows the reason a non-video is refused', async () => {
    const sources = path.join(s().dir, 'sources');
    const clip = await makeSampleVideo({ outputPath: path.join(sources, `beach-${run}.mp4`), width: 320, height: 240, durationSec: 2, fps: 15, pattern: run });
    const notes = path.join(sources, 'notes.mp4');
    await fs.writeFile(notes, 'these are notes, not a video\n'.repeat(40));

    const page = await signedInPage(browser, proxy.url, '/dashboard/videos');
    await page.setInputFiles('#video-files', [clip, notes]);
    const clipRow = page.locator(`[data-upload="beach-${run}.mp4"]`);
    const notesRow = page.locator('[data-upload="notes.mp4"]');
    await page.locator(`[data-upload="beach-${run}.mp4"][data-state="done"]`).waitFor({ timeout: 15_000 });
    await page.locator('[data-upload="notes.mp4"][data-state="refused"]').waitFor({ timeout: 15_000 });
    assert.match((await clipRow.textContent()) ?? '', /in the library/);
    assert.match((await notesRow.locator('.state').textContent()) ?? '', /^refused: not a video: notes\.mp4 \(ffprobe/);

    const row = page.locator('[data-library] tbody tr', { hasText: `beach-${run}.mp4` });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /0:02.*320×240/);
    await page.waitForFunction((name) => {
      const img = Array.from(document.querySelectorAll<HTMLImageElement>('[data-library] img')).find((i) => i.alt.includes(name));
      return img !== undefined && img.complete && img.naturalWidth === 320;
    }, `beach-${run}.mp4`);
    assert.equal(await page.locator('[data-library] tbody tr', { hasText: 'notes.mp4' }).count(), 0);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'videos-upload.png'), fullPage: true });

    // After a reload the library is rendered by the server, and it holds at 375 px.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.reload();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'videos-375.png'), fullPage: true });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'nothing is wider than the screen');

    // Delete goes through the API (a confirm first); the row and the file go.
    page.once('dialog', (d) => void d.accept());
    const stored = (await fs.readdir(path.join(s().config.media.root, LIBRARY_DIRS.library))).find((f) => f.endsWith(`beach-${run}.mp4`));
    assert.ok(stored);
    await page
      .locator('[data-library] tbody tr', { hasText: `beach-${run}.mp4` })
      .getByRole('button', { name: /Delete/ })
      .click();
    await page.locator('[data-library] tbody tr', { hasText: `beach-${run}.mp4` }).waitFor({ state: 'detached' });
    await assert.rejects(fs.stat(path.join(s().config.media.root, LIBRARY_DIRS.library, stored)), { code: 'ENOENT' });
    await page.close();
  });

  it('finishes a 200 MB upload whose connection is cut once, without starting over', async () => {
    // A 2 s clip padded with an mp4 `free` box: a valid video of exactly BIG_BYTES.
    const big = await makeSampleVideo({ outputPath: path.join(s().dir, 'sources', `big-${run}.mp4`), width: 320, height: 240, durationSec: 2, fps: 15, pattern: `big-${run}` });
    const clipBytes = (await fs.stat(big)).size;
    const header = Buffer.alloc(8);
    header.writeUInt32BE(BIG_BYTES - clipBytes, 0);
    header.write('free', 4, 'ascii');
    await fs.appendFile(big, header);
    await fs.truncate(big, BIG_BYTES);

    const page = await signedInPage(browser, proxy.url, '/dashboard/videos');
    const states: string[] = [];
    await page.exposeFunction('recordState', (state: string) => void states.push(state));
    await page.evaluate(() => {
      const list = document.querySelector('[data-upload-list]')!;
      new MutationObserver(() => {
        const state = list.querySelector('li')?.getAttribute('data-state');
        if (state) (window as unknown as { recordState: (s: string) => void }).recordState(state);
      }).observe(list, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    });
    proxy.state.sent = 0;
    proxy.state.cutAt = 80 * 1000 * 1000;
    await page.setInputFiles('#video-files', big);
    await page.locator('[data-upload][data-state="done"]').waitFor({ timeout: 40_000 });

    assert.equal(proxy.state.cuts, 1, 'the connection was cut once');
    assert.ok(states.includes('retrying') && states.includes('resuming'), `the row said it was resuming (states: ${[...new Set(states)].join(', ')})`);
    assert.ok(proxy.state.sent < BIG_BYTES + 2 * UPLOAD_CHUNK_BYTES, `sent ${proxy.state.sent} bytes for a ${BIG_BYTES}-byte file: no start over`);
    const stored = (await fs.readdir(path.join(s().config.media.root, LIBRARY_DIRS.library))).find((f) => f.endsWith(`big-${run}.mp4`));
    assert.ok(stored);
    assert.equal(await sha256File(path.join(s().config.media.root, LIBRARY_DIRS.library, stored)), await sha256File(big));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'videos-resumed.png'), fullPage: true });
    await page.close();
  });
});
