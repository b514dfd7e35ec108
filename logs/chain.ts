/**
 * Whether a page of log lines read from Redis can be trusted. Each stream entry carries
 * `prev`, the cursor of the line before it in the same key, so a reader can prove that what
 * Redis returned is exactly the lines after its cursor. When it cannot (Redis was down for
 * some lines, the cap trimmed past the cursor, the key expired, a late writer's XADD was
 * refused as out of order) the page must be read from the database instead.
 */

/** One entry of a page: its cursor and the cursor of the line before it (0 for the first). */
export interface ChainLink {
  id: number;
  prev: number;
}

/** Whether `page` follows cursor `after` with no line missing: each entry points back to the one before it. */
export function isContiguous(after: number, page: readonly ChainLink[]): boolean {
  let expected = after;
  for (const link of page) {
    if (link.prev !== expected || link.id <= link.prev) return false;
    expected = link.id;
  }
  return true;
}

/**
 * Whether an empty page means there is nothing after the cursor: only when the stream's
 * newest entry (`null` when the key does not exist) is the cursor itself. Otherwise the key
 * may have expired, or lines may have been written while Redis was down.
 */
export function emptyPageIsComplete(after: number, newestId: number | null): boolean {
  return newestId === after;
}
