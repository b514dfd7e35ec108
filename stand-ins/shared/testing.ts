/** Helpers the stand-ins' own tests share: upload bodies, PKCE pairs and reading rendered pages. */
import { createHash, randomBytes } from 'node:crypto';

/** Hex SHA-256, as `/_stand-in/state` reports a stored file's. */
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Random bytes that open like an MP4 (`ftyp` at offset 4), distinct every call. */
export function mp4Like(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.write('ftyp', 4, 'latin1');
  return bytes;
}

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Undoes the HTML escaping hono/jsx applies, so a test can compare a value it read from a page. */
export const decodeHtml = (text: string): string =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
