/**
 * One cached response as its Redis hash holds it: the value as JSON, when it was fetched,
 * and when it stops being fresh. Written and read by the read-through path, listed by admin.
 */
import { z } from 'zod';

/** A cache entry's hash, as read back from Redis. */
export const CacheEntrySchema = z.object({ value: z.string(), storedAt: z.coerce.number(), expiresAt: z.coerce.number() });

/** A cache entry, times in epoch milliseconds. */
export type CacheEntry = z.infer<typeof CacheEntrySchema>;

/** The hash's field names, for commands that read single fields. */
export const ENTRY_FIELD = CacheEntrySchema.keyof().enum;
