/**
 * Writing accounts: creating or replacing one (`PUT /accounts`, a row of an imported CSV) and
 * changing some of its fields (`PATCH /accounts/{id}`). Each write is one flush, so one
 * transaction: an account is saved whole or not at all. Secrets are encrypted here and
 * nowhere else.
 */
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { platformKind } from '../contracts/platforms';
import { Account } from '../database/entities';
import type { Orm } from '../database/orm';
import type { SecretBox } from '../database/secrets';
import type { AccountBody, AccountPatchBody } from './account-input';
import { sealProxy } from './proxy';

/** Why a write was refused: the HTTP status, and the field to show the message beside. */
export class AccountWriteError extends Error {
  override name = 'AccountWriteError';
  constructor(
    readonly status: 400 | 404 | 409 | 412,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SaveOptions {
  /** Refuse (412) when the id is taken: an "add" that must not replace another account. */
  createOnly?: boolean;
  /**
   * An update where a field left out keeps its stored value (an imported row, whose blank or
   * missing cells say nothing); otherwise the account is replaced as given (PUT).
   */
  keepOmitted?: boolean;
}

/**
 * New credentials answer a refused sign-in: the account no longer shows `session_expired`
 * (a stored session stays, so it shows `signed_in`; without one, `not_signed_in`).
 */
function changeCredentials(account: Account): void {
  account.signInError = null;
}

/** A new login (username) makes the stored session and its sign-in outcome meaningless. */
function changeLogin(account: Account, username: string): void {
  if (account.username === username) return;
  account.username = username;
  account.sessionEnc = null;
  account.signInError = null;
  account.signInAt = null;
}

async function flush(em: EntityManager, account: Account): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    // The flush is one transaction: a clash writes nothing, for a new account or a renamed one.
    if (err instanceof UniqueConstraintViolationException) {
      throw new AccountWriteError(409, 'username', `another ${account.platform} account already uses username "${account.username}"`);
    }
    throw err;
  }
}

/** Creates or replaces an account; says which. Throws {@link AccountWriteError}. */
export async function saveAccount(orm: Orm, secrets: SecretBox, body: AccountBody, options: SaveOptions = {}): Promise<{ created: boolean; account: Account }> {
  const em = orm.em.fork();
  let account = await em.findOne(Account, body.id);
  const created = !account;
  if (account && options.createOnly) throw new AccountWriteError(412, 'id', `account "${body.id}" already exists; edit it instead`);
  if (account && account.platform !== body.platform) {
    throw new AccountWriteError(409, 'platform', `account "${body.id}" is on ${account.platform}; delete it to move it to ${body.platform}`);
  }
  account ??= em.create(Account, { id: body.id, platform: body.platform, username: body.username, passwordEnc: '' });
  changeLogin(account, body.username);
  const keep = options.keepOmitted && !created;
  if (body.password !== undefined || body.otpCode !== undefined) changeCredentials(account);
  if (body.password !== undefined) account.passwordEnc = secrets.encrypt(body.password);
  else if (!keep) account.passwordEnc = '';
  if (body.otpCode !== undefined) account.otpCodeEnc = body.otpCode ? secrets.encrypt(body.otpCode) : null;
  else if (!keep) account.otpCodeEnc = null;
  if (body.proxy !== undefined) account.proxy = sealProxy(body.proxy, keep ? account.proxy : null, secrets);
  else if (!keep) account.proxy = null;
  if (body.tags !== undefined) account.tags = body.tags;
  else if (!keep) account.tags = [];
  await flush(em, account);
  return { created, account };
}

/** Changes the fields given; the others keep their values. Throws {@link AccountWriteError}. */
export async function patchAccount(orm: Orm, secrets: SecretBox, id: string, patch: AccountPatchBody): Promise<Account> {
  const em = orm.em.fork();
  const account = await em.findOne(Account, id);
  if (!account) throw new AccountWriteError(404, 'id', `no account "${id}"`);
  if (platformKind(account.platform) === 'api') {
    if (patch.proxy) throw new AccountWriteError(400, 'proxy', `is not used by ${account.platform} accounts: they upload through the platform's API, not a browser`);
    if (patch.password !== undefined || patch.otpCode) {
      throw new AccountWriteError(
        400,
        patch.password !== undefined ? 'password' : 'otpCode',
        `${account.platform} accounts are connected with OAuth, not given a password or code`,
      );
    }
  }
  if (patch.username !== undefined) changeLogin(account, patch.username);
  if (patch.password !== undefined || patch.otpCode !== undefined) changeCredentials(account);
  if (patch.password !== undefined) account.passwordEnc = secrets.encrypt(patch.password);
  if (patch.otpCode !== undefined) account.otpCodeEnc = patch.otpCode ? secrets.encrypt(patch.otpCode) : null;
  if (patch.proxy !== undefined) account.proxy = patch.proxy ? sealProxy(patch.proxy, account.proxy, secrets) : null;
  if (patch.tags !== undefined) account.tags = patch.tags;
  await flush(em, account);
  return account;
}
