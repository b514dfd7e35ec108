/**
 * An account's proxy: stored with its password encrypted like every other secret, and
 * opened only where a browser context is made for the account.
 */
import type { Account } from '../database/entities';
import type { StoredProxy } from '../database/entities/account';
import type { SecretBox } from '../database/secrets';
import type { ProxySettings } from '../platforms/browser-pool';
import type { Proxy } from './account-input';

/** What a browser context of the account uses, its password decrypted; undefined without a proxy. */
export function browserProxy(account: Pick<Account, 'id' | 'proxy'>, secrets: SecretBox): ProxySettings | undefined {
  const stored = account.proxy;
  if (!stored) return undefined;
  const password = stored.passwordEnc ? secrets.decrypt(stored.passwordEnc, `the proxy password of account ${account.id}`) : stored.password;
  return { server: stored.server, ...(stored.username ? { username: stored.username } : {}), ...(password ? { password } : {}) };
}

/**
 * The proxy to store from the one given: its password encrypted, or the stored one kept when
 * none is given for the same server and username (secrets are write-only, so a form cannot
 * send it back). An empty password drops it.
 */
export function sealProxy(given: Proxy, stored: StoredProxy | null | undefined, secrets: SecretBox): StoredProxy {
  const same = stored && stored.server === given.server && (stored.username ?? '') === (given.username ?? '');
  let passwordEnc: string | undefined;
  if (given.password) passwordEnc = secrets.encrypt(given.password);
  else if (given.password === undefined && same) passwordEnc = stored.passwordEnc ?? (stored.password ? secrets.encrypt(stored.password) : undefined);
  return { server: given.server, ...(given.username ? { username: given.username } : {}), ...(passwordEnc ? { passwordEnc } : {}) };
}
