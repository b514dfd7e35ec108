/**
 * Accounts as the API and the Accounts page show them: without a secret, with their state,
 * tags, proxy server and last post; filtered by tag and by a search of id and username.
 */
import { platformKind, type PlatformKind } from '../contracts/platforms';
import { Account } from '../database/entities';
import type { Orm } from '../database/orm';
import type { ConnectionStore, ConnectionView } from '../platforms/official-api/connections';
import { accountState, lastPosts, stateDetail, type AccountState, type LastPost } from './account-state';

/** One account, never a password, code, session, token or proxy password. */
export interface AccountSummary {
  id: string;
  platform: string;
  kind: PlatformKind;
  username: string;
  tags: string[];
  state: AccountState;
  /** Why it is in its state: the refused sign-in, the revoked grant. */
  stateDetail: string | null;
  /** Browser accounts: when a sign-in was last tried (a check or an upload). */
  signInAt: string | null;
  hasSession: boolean;
  /** API accounts: their OAuth connection, `null` until connected (always `null` for browser accounts). */
  connection: ConnectionView | null;
  proxy: { server: string; username: string | null } | null;
  lastPost: { url: string | null; at: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface AccountFilter {
  /** Only accounts with this tag (normalized). */
  tag?: string;
  /** Only accounts whose id or username contains this, in any case. */
  q?: string;
}

/** The summary of one account from its row, connection and last post. */
export function summarize(a: Account, connection: ConnectionView | undefined, lastPost: LastPost | undefined): AccountSummary {
  return {
    id: a.id,
    platform: a.platform,
    kind: platformKind(a.platform),
    username: a.username,
    tags: a.tags,
    state: accountState(a, connection),
    stateDetail: stateDetail(a, connection),
    signInAt: a.signInAt?.toISOString() ?? null,
    hasSession: Boolean(a.sessionEnc),
    connection: connection ?? null,
    proxy: a.proxy ? { server: a.proxy.server, username: a.proxy.username ?? null } : null,
    lastPost: lastPost ? { url: lastPost.url, at: lastPost.at.toISOString() } : null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** The summaries of these accounts, in their order. */
export async function summarizeAll(deps: { orm: Orm; connections: ConnectionStore }, accounts: Account[]): Promise<AccountSummary[]> {
  const connections = await deps.connections.views(accounts.filter((a) => platformKind(a.platform) === 'api').map((a) => a.id));
  const posts = await lastPosts(
    deps.orm,
    accounts.map((a) => a.id),
  );
  return accounts.map((a) => summarize(a, connections.get(a.id), posts.get(a.id)));
}

/** Every account matching the filter, by id. */
export async function listAccounts(deps: { orm: Orm; connections: ConnectionStore }, filter: AccountFilter = {}): Promise<AccountSummary[]> {
  const needle = filter.q?.trim().toLowerCase() ?? '';
  // Tags live in a JSON column: filtered here, the same on SQLite and PostgreSQL.
  const accounts = (await deps.orm.em.fork().find(Account, {}, { orderBy: { id: 'asc' } })).filter(
    (a) => (!filter.tag || a.tags.includes(filter.tag)) && (!needle || a.id.toLowerCase().includes(needle) || a.username.toLowerCase().includes(needle)),
  );
  return summarizeAll(deps, accounts);
}

/** Every tag in use, sorted, for the page's filter. */
export async function tagsInUse(orm: Orm): Promise<string[]> {
  const accounts = await orm.em.fork().find(Account, {}, { fields: ['tags'] });
  return [...new Set(accounts.flatMap((a) => a.tags))].sort();
}
