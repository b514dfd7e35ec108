/**
 * Password hashing and session tokens for the demo platform. Even a demo keeps no plain
 * passwords or live session tokens in state.json: the file is easy to copy around.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;

/** `scrypt$<salt>$<hash>` of the password, with a fresh random salt. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16).toString('hex');
  const hash = scryptSync(password, salt, KEY_LENGTH).toString('hex');
  return `scrypt$${salt}$${hash}`;
}

/** True when the password matches a hash made by `hashPassword` (constant time). */
export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'hex');
  const actual = scryptSync(password, salt, expected.length);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A random opaque token for a cookie or a sign-in challenge. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** What the state keeps instead of a session token: its SHA-256. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
