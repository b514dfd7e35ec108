/**
 * An account's proxy: stored with its password encrypted like every other secret, and
 * opened only where a browser context is made for the account.
 */
import { Account } from '../database/entities';
import type { StoredProxy } from '../database/entities/account';
import type { Orm } from '../database/orm';
import type { SecretBox } from '../database/secrets';
import type { ProxySettings } from '../platforms/browser-pool';
import { hasCredentials, splitCredentials, type Proxy } from './account-input';

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

/**
 * Seals the proxies of rows written before proxy passwords were encrypted: a password kept
 * in clear, or one inside the server URL (which lists show). Run when a process opens its
 * services, not as a migration: only a process has the secrets key. Idempotent, so the API
 * and a worker starting together may both run it. Returns how many accounts it rewrote.
 */
export async function sealLegacyProxies(orm: Orm, secrets: SecretBox): Promise<number> {
  const em = orm.em.fork();
  // The proxy is a JSON column: read them all and pick here, the same on SQLite and PostgreSQL.
  const legacy = (await em.find(Account, { proxy: { $ne: null } }, { fields: ['id', 'proxy'] })).filter(
    (a) => a.proxy && (a.proxy.password !== undefined || hasCredentials(a.proxy.server)),
  );
  for (const account of legacy) {
    const stored = account.proxy!;
    const given = splitCredentials(stored.server);
    const username = given.username ?? stored.username;
    const password = given.password ?? stored.password;
    account.proxy = {
      server: given.server,
      ...(username ? { username } : {}),
      ...(password ? { passwordEnc: secrets.encrypt(password) } : stored.passwordEnc ? { passwordEnc: stored.passwordEnc } : {}),
    };
  }
  await em.flush();
  return legacy.length;
}
