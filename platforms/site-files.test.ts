import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadConfig } from '../config';
import { isKnownPlatform } from '../contracts/platforms';
import { DEMO_SITE_FILE } from './demo/adapter';
import { UnknownPlatformError, getPlatformAdapter, platformOptions } from './registry';
import { SiteFileError, loadBrowserSites, loadSiteFiles } from './site-files';

const ROOT = path.join(__dirname, '..');
const run = promisify(execFile);

let demo: Record<string, unknown>;
let tmp: string;
let n = 0;

/** A fresh folder holding the given files (name → text). */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = path.join(tmp, String(++n));
  await fs.mkdir(dir);
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
  return dir;
}

/** The demo's site as another platform, changed by `change`. */
function acme(change: (site: Record<string, unknown>) => void = () => undefined): Record<string, unknown> {
  const site = structuredClone(demo);
  Object.assign(site, { name: 'acme', baseUrl: 'https://acme.example' });
  change(site);
  return site;
}
const selectorsOf = (site: Record<string, unknown>) => site.selectors as Record<string, unknown>;

/** The exact message loading `files` fails with. */
async function failure(files: Record<string, string>, urls: Record<string, string> = {}): Promise<{ dir: string; message: string }> {
  const dir = await folder(files);
  try {
    loadSiteFiles(dir, urls);
  } catch (err) {
    assert.ok(err instanceof SiteFileError, String(err));
    return { dir, message: err.message };
  }
  assert.fail(`loading ${Object.keys(files).join(', ')} succeeded`);
}

before(async () => {
  demo = JSON.parse(await fs.readFile(DEMO_SITE_FILE, 'utf8')) as Record<string, unknown>;
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-sites-'));
});
after(() => fs.rm(tmp, { recursive: true, force: true }));

describe('site files', () => {
  it('the demo platform is its shipped site file, at DEMO_PLATFORM_URL', () => {
    const sites = loadBrowserSites(loadConfig({ DEMO_PLATFORM_URL: 'http://127.0.0.1:4999/' }));
    assert.deepEqual([...sites.keys()], ['demo']);
    const loaded = sites.get('demo')!;
    assert.equal(loaded.baseUrl, 'http://127.0.0.1:4999');
    assert.equal(loaded.site.selectors.fileInput, 'input[type=file][name=video]');
    assert.deepEqual(loaded.site.errors[3], { text: 'Duplicate video', kind: 'duplicate' });
    assert.equal('description' in loaded.site, false, 'the note for maintainers is not part of the site the adapter reads');
  });

  it('a YAML file describes a site as a JSON file does, and <NAME>_PLATFORM_URL overrides its baseUrl', async () => {
    const dir = await folder({ 'acme-shop.yaml': stringify(acme((s) => (s.name = 'acme-shop'))), 'notes.txt': 'not a site' });
    const config = loadConfig({ PLATFORMS_DIR: dir });
    assert.equal(loadBrowserSites(config).get('acme-shop')?.baseUrl, 'https://acme.example');
    const overridden = loadBrowserSites(loadConfig({ PLATFORMS_DIR: dir, ACME_SHOP_PLATFORM_URL: 'http://127.0.0.1:4100/' }));
    assert.deepEqual([...overridden.keys()], ['acme-shop'], 'only site files are read');
    const loaded = overridden.get('acme-shop')!;
    assert.equal(loaded.baseUrl, 'http://127.0.0.1:4100');
    assert.deepEqual(loaded.site.selectors, selectorsOf(demo));
  });

  it('a site file makes its name a known browser platform; other names stay unknown', async () => {
    const dir = await folder({ 'acme.yml': stringify(acme()) });
    const options = platformOptions(loadConfig({ PLATFORMS_DIR: dir }));
    assert.equal(isKnownPlatform('acme', options.sites), true);
    assert.equal(isKnownPlatform('demo', options.sites), false, 'this folder has no demo.json');
    assert.equal(isKnownPlatform('tiktok', options.sites), true);
    assert.equal(getPlatformAdapter('acme', options).name, 'acme');
    assert.throws(
      () => getPlatformAdapter('demo', options),
      (err: unknown) =>
        err instanceof UnknownPlatformError &&
        err.message === 'unknown platform "demo"; known platforms: acme, youtube, tiktok, instagram; a browser platform needs a site file in PLATFORMS_DIR',
    );
  });

  it('a missing selector is named with its file and field', async () => {
    const { dir, message } = await failure({ 'acme.json': JSON.stringify(acme((s) => delete selectorsOf(s).fileInput)) });
    assert.equal(message, `${path.join(dir, 'acme.json')}: selectors.fileInput: required`);
  });

  it('a misspelt field is refused, with the field it probably meant', async () => {
    const { dir, message } = await failure({
      'acme.json': JSON.stringify(
        acme((s) => {
          delete selectorsOf(s).fileInput;
          selectorsOf(s).fileinput = 'input[type=file]';
        }),
      ),
    });
    const file = path.join(dir, 'acme.json');
    assert.equal(message, `${file}: selectors.fileInput: required\n${file}: selectors.fileinput: unknown field (did you mean fileInput?)`);
  });

  it('an unknown top-level field is refused', async () => {
    const { dir, message } = await failure({ 'acme.json': JSON.stringify(acme((s) => (s.timeout = 5))) });
    assert.equal(message, `${path.join(dir, 'acme.json')}: timeout: unknown field`);
  });

  it('an error kind that does not exist is refused, listing the kinds', async () => {
    const { dir, message } = await failure({ 'acme.json': JSON.stringify(acme((s) => (s.errors = [{ text: 'Banned', kind: 'banned' }]))) });
    assert.equal(
      message,
      `${path.join(dir, 'acme.json')}: errors.0.kind: must be one of: bad_credentials, duplicate, rejected, unavailable, session_expired, unexpected; not string "banned"`,
    );
  });

  it('a value of the wrong type, an empty selector, a path without "/" and a baseUrl that is not http(s) are each named', async () => {
    const { dir, message } = await failure({
      'acme.yaml': stringify(
        acme((s) => {
          s.paths = { login: 5, upload: 'upload', posts: '/posts' };
          selectorsOf(s).submit = ' ';
          s.baseUrl = 'ftp://acme.example';
        }),
      ),
    });
    const file = path.join(dir, 'acme.yaml');
    assert.equal(
      message,
      [
        `${file}: paths.login: must be a string, not number 5`,
        `${file}: paths.upload: must be a path starting with "/"`,
        `${file}: selectors.submit: must not be empty`,
        `${file}: baseUrl: must be an http(s) URL`,
      ].join('\n'),
    );
  });

  it('a name that does not match the file name is refused', async () => {
    const { dir, message } = await failure({ 'shop.json': JSON.stringify(acme()) });
    assert.equal(message, `${path.join(dir, 'shop.json')}: name: "acme" does not match the file name; name the file acme.json or change the name to "shop"`);
  });

  it('a site file cannot take the name of an API platform', async () => {
    const { dir, message } = await failure({ 'youtube.json': JSON.stringify(acme((s) => (s.name = 'youtube'))) });
    assert.equal(message, `${path.join(dir, 'youtube.json')}: name: "youtube" is an API platform (youtube, tiktok, instagram); a site file cannot describe it`);
  });

  it('a site without a baseUrl needs its <NAME>_PLATFORM_URL', async () => {
    const file = JSON.stringify(acme((s) => delete s.baseUrl));
    const { dir, message } = await failure({ 'acme.json': file });
    assert.equal(message, `${path.join(dir, 'acme.json')}: baseUrl: required (or set ACME_PLATFORM_URL)`);
    assert.equal(loadSiteFiles(dir, { acme: 'http://127.0.0.1:4100' }).get('acme')?.baseUrl, 'http://127.0.0.1:4100');
  });

  it('a file that is not JSON or YAML says so', async () => {
    const { dir, message } = await failure({ 'acme.json': '{ "name": "acme", }', 'shop.yaml': 'name: shop\npaths: login: /login\n', 'empty.yml': '\n' });
    const [json, ...others] = message.split('\n');
    // Node words JSON.parse's message (the position, from Node 24 the line and column too).
    assert.match(json ?? '', new RegExp(`^${path.join(dir, 'acme.json')}: not valid JSON: .*position 18`));
    assert.deepEqual(others, [
      `${path.join(dir, 'empty.yml')}: the file is empty`,
      `${path.join(dir, 'shop.yaml')}: not valid YAML: Nested mappings are not allowed in compact mappings at line 2, column 8`,
    ]);
  });

  it('two files for one platform are refused', async () => {
    const { dir, message } = await failure({ 'acme.json': JSON.stringify(acme()), 'acme.yaml': stringify(acme()) });
    assert.equal(message, `${path.join(dir, 'acme.yaml')}: name: "acme" is also described by ${path.join(dir, 'acme.json')}; keep one file per platform`);
  });

  it('a PLATFORMS_DIR that does not exist is refused', () => {
    const missing = path.join(tmp, 'no-such-folder');
    assert.throws(() => loadSiteFiles(missing), { message: `PLATFORMS_DIR: ${missing} is not a folder; point PLATFORMS_DIR at the folder of site files` });
  });

  it('a worker does not start with a broken site file, and says which file and field', async () => {
    const dir = await folder({ 'demo.json': JSON.stringify({ ...demo, selectors: { ...selectorsOf(demo), fileInput: undefined } }) });
    const started = run(process.execPath, ['--import', 'tsx', 'workers/main.ts'], { cwd: ROOT, env: { ...process.env, PLATFORMS_DIR: dir }, timeout: 60_000 });
    await assert.rejects(started, (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 1);
      assert.equal(err.stderr?.trim(), `${path.join(dir, 'demo.json')}: selectors.fileInput: required`);
      return true;
    });
  });
});
