/** Credential helpers every stand-in's authorization server uses. */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A random opaque token or code with the provider's recognisable prefix (`ya29.`, `act.`, ...). */
export function opaqueToken(prefix: string, bytes: number): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** Compares a presented secret in constant time, so a timing probe learns nothing. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Whether `uri` may receive the consent redirect: one of `registered`, or, when none are
 * registered, any http(s) URI on this machine, so tests need not register their random ports.
 */
export function redirectUriAllowed(registered: readonly string[], uri: string): boolean {
  if (registered.length > 0) return registered.includes(uri);
  try {
    const url = new URL(uri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}
