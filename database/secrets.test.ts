import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SecretsKeyError, createSecretBox, loadSecretBox } from './secrets';

describe('secrets at rest', () => {
  const key = randomBytes(32).toString('base64');

  it('round-trips and never stores the plain text', () => {
    const box = createSecretBox(key);
    const sealed = box.encrypt('hunter2-password');
    assert.ok(!sealed.includes('hunter2'));
    assert.notEqual(box.encrypt('hunter2-password'), sealed, 'a fresh IV each time');
    assert.equal(box.decrypt(sealed, 'the password'), 'hunter2-password');
  });

  it('fails clearly with the wrong key or a tampered value', () => {
    const sealed = createSecretBox(key).encrypt('x');
    const other = createSecretBox(randomBytes(32).toString('base64'));
    assert.throws(() => other.decrypt(sealed, 'the password of account a'), /cannot decrypt the password of account a: SECRETS_KEY is not the key/);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    assert.throws(() => createSecretBox(key).decrypt(tampered, 'v'), SecretsKeyError);
  });

  it('rejects a key of the wrong size', () => {
    assert.throws(() => createSecretBox('c2hvcnQ='), /SECRETS_KEY must be 32 bytes/);
  });

  it('creates a local key file once and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-key-'));
    const keyFile = path.join(dir, 'secrets.key');
    const sealed = loadSecretBox({ keyFile }).encrypt('x');
    assert.equal((fs.statSync(keyFile).mode & 0o777).toString(8), '600');
    assert.equal(loadSecretBox({ keyFile }).decrypt(sealed, 'v'), 'x');
    fs.rmSync(dir, { recursive: true });
  });
});
