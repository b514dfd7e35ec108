import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/**
 * A platform account clipfleet publishes through. Secrets (password, one-time code seed,
 * browser session) are stored only encrypted (see `database/secrets.ts`); workflows never
 * see them, they carry the account id.
 */
export class Account {
  [OptionalProps]?: 'createdAt' | 'updatedAt';
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
  proxy?: { server: string; username?: string; password?: string } | null;
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
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
  uniques: [{ properties: ['platform', 'username'] }],
});
