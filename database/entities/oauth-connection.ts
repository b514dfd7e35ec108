import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/** Whether an API account's authorization still works: `needs_reconnect` once the provider refused its refresh token. */
export const CONNECTION_STATUSES = ['connected', 'needs_reconnect'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/**
 * An API account's OAuth 2.0 authorization: its tokens, stored only encrypted (see
 * `database/secrets.ts`), and who it acts as on the platform (a YouTube channel, say).
 * One per account; connecting again replaces it.
 */
export class OAuthConnection {
  [OptionalProps]?: 'status' | 'connectedAt' | 'updatedAt';
  /** The clipfleet account id. */
  accountId!: string;
  platform!: string;
  accessTokenEnc!: string;
  /** Providers that issue none (or a grant without offline access) leave it empty: the account reconnects when the access token ends. */
  refreshTokenEnc?: string | null;
  accessTokenExpiresAt!: Date;
  /** The scopes the person granted, space-separated, as the token endpoint reported them. */
  scope!: string;
  status: ConnectionStatus = 'connected';
  /** Who the tokens act as on the platform: a channel id, a user id. */
  externalId?: string | null;
  externalName?: string | null;
  /** Why the account needs reconnecting, in the provider's words. */
  lastError?: string | null;
  connectedAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const OAuthConnectionSchema = new EntitySchema<OAuthConnection>({
  class: OAuthConnection,
  tableName: 'oauth_connection',
  properties: {
    accountId: { type: 'string', length: 64, primary: true },
    platform: { type: 'string', length: 32 },
    accessTokenEnc: { type: 'text' },
    refreshTokenEnc: { type: 'text', nullable: true },
    accessTokenExpiresAt: { type: 'datetime' },
    scope: { type: 'text' },
    status: { type: 'string', length: 32 },
    externalId: { type: 'string', length: 255, nullable: true },
    externalName: { type: 'string', length: 255, nullable: true },
    lastError: { type: 'text', nullable: true },
    connectedAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
