import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMediaError } from './errors';
import { displayMediaPath, resolveMediaPath } from './paths';

describe('resolveMediaPath', () => {
  let base: string;
  let root: string;
  let outsideFile: string;

  before(async () => {
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-paths-')));
    root = path.join(base, 'media');
    await fs.mkdir(path.join(root, 'clips'), { recursive: true });
    await fs.writeFile(path.join(root, 'clips', 'a.mp4'), 'x');
    outsideFile = path.join(base, 'secret.mp4');
    await fs.writeFile(outsideFile, 'x');
    await fs.symlink(outsideFile, path.join(root, 'escape.mp4'));
    await fs.symlink(path.join(root, 'clips', 'a.mp4'), path.join(root, 'alias.mp4'));
    await fs.symlink(root, path.join(base, 'media-link'));
  });
  after(() => fs.rm(base, { recursive: true, force: true }));

  /** Rejected as outside the root, with a message that quotes the path as given. */
  const rejectsOutside = (userPath: string) =>
    assert.rejects(resolveMediaPath(root, userPath), (err: unknown) => {
      assert.ok(isMediaError(err, 'outside_media_root'), String(err));
      assert.ok(err.message.includes(userPath), err.message);
      assert.equal(err.retryable, false);
      return true;
    });

  it('resolves a relative path to its absolute real path', async () => {
    assert.equal(await resolveMediaPath(root, 'clips/a.mp4'), path.join(root, 'clips', 'a.mp4'));
  });

  it('accepts an absolute path inside the root, and a symlink that stays inside', async () => {
    assert.equal(await resolveMediaPath(root, path.join(root, 'clips', 'a.mp4')), path.join(root, 'clips', 'a.mp4'));
    assert.equal(await resolveMediaPath(root, 'alias.mp4'), path.join(root, 'clips', 'a.mp4'));
  });

  it('works when the media root itself is a symlink', async () => {
    const linkedRoot = path.join(base, 'media-link');
    assert.equal(await resolveMediaPath(linkedRoot, 'clips/a.mp4'), path.join(root, 'clips', 'a.mp4'));
    assert.equal(await resolveMediaPath(linkedRoot, path.join(linkedRoot, 'clips/a.mp4')), path.join(root, 'clips', 'a.mp4'));
  });

  it('rejects ../ escapes even when the target exists', async () => {
    await rejectsOutside('../secret.mp4');
    await rejectsOutside('clips/../../secret.mp4');
  });

  it('rejects absolute paths elsewhere', async () => {
    await rejectsOutside('/etc/passwd');
  });

  it('rejects a symlink inside the root that points outside it', async () => {
    await rejectsOutside('escape.mp4');
  });

  it('reports a missing file as not_found, named as the operator typed it', async () => {
    await assert.rejects(resolveMediaPath(root, 'clips/missing.mp4'), (err: unknown) => {
      assert.ok(isMediaError(err, 'not_found'));
      assert.match(err.message, /^video not found: clips\/missing\.mp4 \(nothing there under MEDIA_ROOT \//);
      assert.equal(err.retryable, false);
      return true;
    });
  });
});

describe('displayMediaPath', () => {
  it('shows paths under the root as <root name>/<relative path>', () => {
    assert.equal(displayMediaPath('/srv/media', '/srv/media/clips/a.mp4'), 'media/clips/a.mp4');
  });

  it('shows paths outside the root unchanged', () => {
    assert.equal(displayMediaPath('/srv/media', '/etc/passwd'), '/etc/passwd');
  });
});
