/** The upstream data sets the cache holds; each has its own TTL (`CACHE_TTL_*` in config). */
import { z } from 'zod';

export const CACHE_SERVICES = ['google_calendar_events', 'google_drive_files', 'google_sheets', 'huntflow_candidates', 'huntflow_vacancies', 'huntflow_accounts'] as const;

/** Validates a service name at a boundary (API query, CLI flag). */
export const CacheServiceSchema = z.enum(CACHE_SERVICES);

/** One cached upstream data set, e.g. `google_drive_files`. */
export type CacheServiceName = z.infer<typeof CacheServiceSchema>;

/**
 * Whose data an entry is. Kept to characters that cannot act as Redis glob syntax or as
 * our `:` separator, so invalidating one user's keys never matches another's.
 */
export const CacheUserIdSchema = z.string().regex(/^[A-Za-z0-9._@+-]{1,128}$/, 'letters, digits and . _ @ + - only (1-128)');
