/**
 * "Check sign-in" (`POST /accounts/{id}/check`): does the account still get in?
 *
 * A browser account signs in for real, in a fresh Chromium context, with its stored
 * credentials and proxy, through the same form adapter an upload uses; the fresh session is
 * stored encrypted and the outcome recorded (a refusal shows the account as
 * `session_expired`). It runs in the API process, as the platform doctor does
 * (`POST /platforms/{platform}/check`): a check is rare, a person waits for its answer, and
 * it publishes nothing, so it needs no durable workflow. The process's checks share one
 * Chromium, a few contexts at once; more wait their turn, so a burst of clicks cannot
 * start a browser each.
 *
 * An API account has nothing to sign in with: its check renews the access token and asks
 * the platform who the token acts as (a refused refresh marks it `needs_reconnect`).
 */
import type { Config } from '../config';
import { platformKind } from '../contracts/platforms';
import { Account } from '../database/entities';
import type { Orm } from '../database/orm';
import type { SecretBox } from '../database/secrets';
import { PlatformError } from '../platforms/adapter';
import { createBrowserPool, type BrowserPool } from '../platforms/browser-pool';
import type { ConnectionStore } from '../platforms/official-api/connections';
import { PlatformNotConfiguredError, ReauthorizeError } from '../platforms/official-api/errors';
import { UnknownPlatformError, getApiPlatform, getPlatformAdapter, platformOptions } from '../platforms/registry';
import { accountState, recordedSignIn, type AccountState } from './account-state';
import { browserProxy } from './proxy';

/** Sign-in checks that run at once in one process; each is a context of the one browser. */
export const SIGN_IN_CHECKS_AT_ONCE = 2;

/** The browser of a process's sign-in checks: Chromium starts on the first check; close it with the process. */
export function createSignInBrowsers(browser: Config['browser']): BrowserPool {
  return createBrowserPool({ ...browser, concurrency: SIGN_IN_CHECKS_AT_ONCE });
}

export interface SignInCheckDeps {
  orm: Orm;
  secrets: SecretBox;
  connections: ConnectionStore;
  /** From {@link createSignInBrowsers}, one per process. */
  signInBrowsers: BrowserPool;
  config: Pick<Config, 'platforms' | 'demoPlatform' | 'youtube' | 'tiktok' | 'instagram'>;
}

/** What a check found: the account's state now, and what happened in words. */
export interface SignInCheckResult {
  state: AccountState;
  /** True when the account got in (browser) or its connection answered (API). */
  ok: boolean;
  message: string;
}

/** A check that could not be made, with the HTTP status the API answers. */
export class SignInCheckError extends Error {
  override name = 'SignInCheckError';
  constructor(
    readonly status: 404 | 409 | 502 | 503,
    message: string,
  ) {
    super(message);
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Checks one account; throws {@link SignInCheckError} when no check could be made. */
export async function checkSignIn(deps: SignInCheckDeps, accountId: string): Promise<SignInCheckResult> {
  const em = deps.orm.em.fork();
  const account = await em.findOne(Account, accountId);
  if (!account) throw new SignInCheckError(404, `no account "${accountId}"`);
  return platformKind(account.platform) === 'api' ? checkConnection(deps, account) : checkBrowserSignIn(deps, em, account);
}

async function checkBrowserSignIn(deps: SignInCheckDeps, em: ReturnType<Orm['em']['fork']>, account: Account): Promise<SignInCheckResult> {
  let adapter;
  try {
    adapter = getPlatformAdapter(account.platform, platformOptions(deps.config));
  } catch (err) {
    if (err instanceof UnknownPlatformError) throw new SignInCheckError(409, `account "${account.id}" cannot be checked: ${err.message}`);
    throw err;
  }
  const credentials = {
    username: account.username,
    password: deps.secrets.decrypt(account.passwordEnc, `the password of account ${account.id}`),
    ...(account.otpCodeEnc ? { otpCode: deps.secrets.decrypt(account.otpCodeEnc, `the one-time code of account ${account.id}`) } : {}),
  };
  try {
    // A fresh context, without the stored session: the credentials are what is checked.
    await deps.signInBrowsers.withContext({ proxy: browserProxy(account, deps.secrets) }, async (context, page) => {
      await recordedSignIn(em, account, () => adapter.signIn(page, credentials));
      account.sessionEnc = deps.secrets.encrypt(JSON.stringify(await context.storageState()));
    });
    await em.flush();
    return { state: accountState(account, null), ok: true, message: `signed in to ${account.platform} as ${account.username}` };
  } catch (err) {
    if (err instanceof PlatformError && err.kind === 'bad_credentials') return { state: accountState(account, null), ok: false, message: err.message };
    throw new SignInCheckError(502, `could not check the sign-in of ${account.id}: ${messageOf(err)}`);
  }
}

async function checkConnection(deps: SignInCheckDeps, account: Account): Promise<SignInCheckResult> {
  const { connections } = deps;
  const stateNow = async () => accountState(account, (await connections.views([account.id])).get(account.id));
  if ((await stateNow()) === 'not_connected') {
    throw new SignInCheckError(409, `account "${account.id}" is not connected yet: press Connect (or POST /accounts/${account.id}/connect) first`);
  }
  try {
    const platform = getApiPlatform(account.platform, platformOptions(deps.config));
    if (!platform.oauth) throw new PlatformNotConfiguredError(platform.name, platform.settings);
    const owner = await connections.identity(account.id);
    await connections.refreshNow(account.id);
    const now = await platform.identify(await connections.authorized(account.id), AbortSignal.timeout(30_000));
    if (now.id !== owner.id) {
      const reason = `the token now acts as ${now.name} (${now.id}), not the connected ${owner.name} (${owner.id})`;
      await connections.markNeedsReconnect(account.id, reason);
      return { state: await stateNow(), ok: false, message: `${reason}: connect it again` };
    }
    return { state: await stateNow(), ok: true, message: `connected to ${platform.name} as ${now.name}` };
  } catch (err) {
    if (err instanceof ReauthorizeError) return { state: await stateNow(), ok: false, message: err.message };
    if (err instanceof PlatformNotConfiguredError) throw new SignInCheckError(503, err.message);
    throw new SignInCheckError(502, `could not check the connection of ${account.id}: ${messageOf(err)}`);
  }
}
