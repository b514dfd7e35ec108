import { createHash } from 'node:crypto';
import type { BulkUploadInput } from '../contracts/bulk-input';

/** JSON with object keys sorted, so the same input always serialises the same way. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The fingerprint of a validated bulk input: equal for the same bulk however its JSON was
 * written (key order, defaults spelled out or left out), different for any other videos,
 * accounts, platform or options. A task id is re-used idempotently only with the same one.
 */
export function bulkFingerprint(input: BulkUploadInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}
