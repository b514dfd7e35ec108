import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/**
 * A consent request in flight: the `state` sent to the provider (stored as its SHA-256, so
 * the database never holds a usable value), the account it connects, and the PKCE verifier
 * (encrypted). Deleted when the callback uses it: a state works once.
 */
export class OAuthState {
  [OptionalProps]?: 'createdAt';
  /** SHA-256 (hex) of the state parameter. */
  id!: string;
  accountId!: string;
  platform!: string;
  codeVerifierEnc!: string;
  createdAt: Date = new Date();
  expiresAt!: Date;
}

export const OAuthStateSchema = new EntitySchema<OAuthState>({
  class: OAuthState,
  tableName: 'oauth_state',
  properties: {
    id: { type: 'string', length: 64, primary: true },
    accountId: { type: 'string', length: 64 },
    platform: { type: 'string', length: 32 },
    codeVerifierEnc: { type: 'text' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    expiresAt: { type: 'datetime' },
  },
});
