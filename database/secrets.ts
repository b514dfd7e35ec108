/**
 * Encryption at rest for account secrets (passwords, one-time codes, browser sessions):
 * AES-256-GCM, so a tampered or wrongly-keyed value fails loudly instead of decrypting to
 * garbage. Stored as `v1.<iv>.<tag>.<ciphertext>` in base64url.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class SecretsKeyError extends Error {
  override name = 'SecretsKeyError';
}

export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(sealed: string, what: string): string;
}

/** Builds a box from a base64 key of 32 bytes; throws a SecretsKeyError saying what is wrong. */
export function createSecretBox(keyBase64: string): SecretBox {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) {
    throw new SecretsKeyError(`SECRETS_KEY must be 32 bytes in base64 (got ${key.length} bytes); make one with: openssl rand -base64 32`);
  }
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    decrypt(sealed, what) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) throw new SecretsKeyError(`${what} is not an encrypted value`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretsKeyError(`cannot decrypt ${what}: SECRETS_KEY is not the key it was encrypted with`);
      }
    },
  };
}

/**
 * The key from SECRETS_KEY, else from a local key file created on first use (mode 0600),
 * so a single machine works out of the box; many workers must share one SECRETS_KEY.
 */
export function loadSecretBox(opts: { key?: string; keyFile: string }): SecretBox {
  if (opts.key) return createSecretBox(opts.key);
  if (!fs.existsSync(opts.keyFile)) {
    fs.mkdirSync(path.dirname(opts.keyFile), { recursive: true });
    try {
      fs.writeFileSync(opts.keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return createSecretBox(fs.readFileSync(opts.keyFile, 'utf8').trim());
}
