import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/** A proxy as stored: the password encrypted (`passwordEnc`); `password` in clear only in rows written before that. */
export interface StoredProxy {
  server: string;
  username?: string;
  passwordEnc?: string;
  /** Legacy: rows written before proxy passwords were encrypted; sealed when a process opens its services (`sealLegacyProxies`). */
  password?: string;
}

/**
 * A platform account clipfleet publishes through. Secrets (password, one-time code seed,
 * browser session) are stored only encrypted (see `database/secrets.ts`); workflows never
 * see them, they carry the account id.
 */
export class Account {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'tags';
  id!: string;
  platform!: string;
  username!: string;
  /**
   * Empty for accounts on API platforms: they are connected with OAuth instead (their tokens
   * live in `OAuthConnection`). A column made nullable would cost SQLite a table rebuild.
   */
  passwordEnc!: string;
  otpCodeEnc?: string | null;
  /** Encrypted Playwright storage state (cookies, local storage) of the last good session. */
  sessionEnc?: string | null;
  /** The browser's proxy; its password only encrypted (see `accounts/proxy.ts`). */
  proxy?: StoredProxy | null;
  /**
   * Why the last sign-in (a check from the Accounts page, or an upload) failed, in the
   * platform's words; null once a sign-in succeeds. Set, the account shows as `session_expired`.
   */
  signInError?: string | null;
  /** When a sign-in was last tried (check or upload), whatever its outcome. */
  signInAt?: Date | null;
  /** Labels to pick many accounts at once (a bulk's accounts by tag): lower-case, no spaces. */
  tags: string[] = [];
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const AccountSchema = new EntitySchema<Account>({
  class: Account,
  tableName: 'account',
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    platform: { type: 'string', length: 32 },
    username: { type: 'string', length: 255 },
    passwordEnc: { type: 'text' },
    otpCodeEnc: { type: 'text', nullable: true },
    sessionEnc: { type: 'text', nullable: true },
    proxy: { type: 'json', nullable: true },
    signInError: { type: 'text', nullable: true },
    signInAt: { type: 'datetime', nullable: true },
    tags: { type: 'json' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
  uniques: [{ properties: ['platform', 'username'] }],
});
