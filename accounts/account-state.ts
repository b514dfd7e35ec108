/**
 * Where an account stands: for a browser account, whether it has a session and whether its
 * last sign-in (a check or an upload) worked; for an API account, its OAuth connection. And
 * its last post. The Accounts page and `GET /accounts` show both.
 */
import type { EntityManager } from '@mikro-orm/core';
import { platformKind } from '../contracts/platforms';
import type { Account } from '../database/entities';
import type { Orm } from '../database/orm';
import { PlatformError } from '../platforms/adapter';
import type { ConnectionView } from '../platforms/official-api/connections';

/** Every state an account can show; each has a status name in api/i18n/messages/common.ts. */
export const ACCOUNT_STATES = ['signed_in', 'session_expired', 'not_signed_in', 'connected', 'needs_reconnect', 'not_connected'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

/**
 * A browser account's state from its row: a failed last sign-in wins over a stored session
 * (the session may still work, but the credentials no longer do); an API account's from its
 * connection.
 */
export function accountState(account: Pick<Account, 'platform' | 'sessionEnc' | 'signInError'>, connection: ConnectionView | null | undefined): AccountState {
  if (platformKind(account.platform) === 'api') return connection?.status ?? 'not_connected';
  if (account.signInError) return 'session_expired';
  return account.sessionEnc ? 'signed_in' : 'not_signed_in';
}

/** Why the account is in its state, when that needs saying: the refused sign-in, the revoked grant. */
export function stateDetail(account: Pick<Account, 'platform' | 'signInError'>, connection: ConnectionView | null | undefined): string | null {
  if (platformKind(account.platform) === 'api') return connection?.status === 'needs_reconnect' ? (connection.lastError ?? null) : null;
  return account.signInError ?? null;
}

/**
 * Runs a sign-in and records its outcome on the account: when the platform refuses the
 * credentials, the reason is flushed at once (the caller's error path writes nothing), and the
 * account shows `session_expired`; a sign-in that works clears it (the caller flushes, with
 * the new session). Other failures (the platform down) say nothing about the account.
 */
export async function recordedSignIn(em: EntityManager, account: Account, signIn: () => Promise<void>): Promise<void> {
  account.signInAt = new Date();
  try {
    await signIn();
  } catch (err) {
    if (err instanceof PlatformError && err.kind === 'bad_credentials') {
      account.signInError = err.message;
      await em.flush();
    }
    throw err;
  }
  account.signInError = null;
}

/** An account's newest published post. */
export interface LastPost {
  url: string | null;
  /** When its row became `published`. */
  at: Date;
}

/** A database time as a Date: SQLite keeps milliseconds, PostgreSQL a timestamp. */
function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const n = Number(value);
  return new Date(Number.isFinite(n) ? n : String(value));
}

/** Only a few accounts are asked about by id; a long list is answered from the whole table. */
const IDS_IN_QUERY = 500;

/** The newest published post of each account (of `accountIds`, or of all), by account id. */
export async function lastPosts(orm: Orm, accountIds?: readonly string[]): Promise<Map<string, LastPost>> {
  if (accountIds?.length === 0) return new Map();
  const knex = orm.em.getKnex();
  const restrict = accountIds && accountIds.length <= IDS_IN_QUERY ? accountIds : undefined;
  const newest = knex('video_data').select('account_id').max({ at: 'updated_at' }).where('status', 'published').groupBy('account_id');
  if (restrict) newest.whereIn('account_id', restrict);
  const rows = (await knex
    .select('v.account_id', 'v.post_url', 'v.updated_at')
    .from('video_data as v')
    .join(newest.as('n'), (join) => {
      join.on('v.account_id', '=', 'n.account_id').andOn('v.updated_at', '=', 'n.at');
    })
    .where('v.status', 'published')) as { account_id: string; post_url: string | null; updated_at: unknown }[];
  const posts = new Map<string, LastPost>();
  for (const row of rows) {
    const at = toDate(row.updated_at);
    const seen = posts.get(row.account_id);
    // Two posts published in the same millisecond: either is the last.
    if (!seen || seen.at < at) posts.set(row.account_id, { url: row.post_url, at });
  }
  return posts;
}
