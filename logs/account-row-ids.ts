/**
 * The row id of each (task, account) pair the log store writes lines for, remembered so the
 * lines of an account do not each query its row.
 */

/** Finds the row id of an account of a task; throws when the account is not part of it. */
export type AccountRowLookup = (taskId: string, accountId: string) => Promise<number>;

/** Remembered row ids, least recently used forgotten first. */
export interface AccountRowIds {
  /** The row id of `accountId` in `taskId`, looked up once while it stays remembered. */
  get(taskId: string, accountId: string): Promise<number>;
  /** How many pairs are remembered now. */
  readonly size: number;
}

/**
 * A worker lives for many bulks and logs for every account of each; remembering every pair
 * it ever saw would grow without end. The largest bulk measured has 10,000 accounts, so a
 * running bulk stays remembered, and a forgotten pair costs one indexed lookup.
 */
export const ACCOUNT_ROW_IDS_MAX = 10_000;

/** Row ids over `lookup`, at most `max` remembered. A failed lookup is never remembered. */
export function createAccountRowIds(lookup: AccountRowLookup, max = ACCOUNT_ROW_IDS_MAX): AccountRowIds {
  const ids = new Map<string, number>();
  return {
    get size() {
      return ids.size;
    },
    async get(taskId, accountId) {
      const key = `${taskId}\u0000${accountId}`;
      const remembered = ids.get(key);
      if (remembered !== undefined) {
        // A Map iterates in insertion order: inserting again makes this pair the newest.
        ids.delete(key);
        ids.set(key, remembered);
        return remembered;
      }
      const id = await lookup(taskId, accountId);
      ids.set(key, id);
      for (const oldest of ids.keys()) {
        if (ids.size <= max) break;
        ids.delete(oldest);
      }
      return id;
    },
  };
}
