/**
 * Credentials for the Google APIs from config: OAuth2 user credentials (a refresh token),
 * or a service account key file, optionally acting as the requested user (domain-wide
 * delegation). The token endpoint is configurable so tests can serve it locally.
 */
import fs from 'node:fs';
import { auth } from '@googleapis/drive';
import { z } from 'zod';
import type { Config } from '../../config';

/** The scopes the cache reads with: read-only calendar and drive (which also lists sheets). */
export const GOOGLE_SCOPES = ['https://www.googleapis.com/auth/calendar.readonly', 'https://www.googleapis.com/auth/drive.readonly'];

/** An authorised client, as the googleapis services take it. */
export type GoogleAuthClient = InstanceType<typeof auth.OAuth2> | InstanceType<typeof auth.JWT>;

/** Google is not configured, or its key file is unusable; the message names the setting. */
export class GoogleNotConfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoogleNotConfiguredError';
  }
}

const ServiceAccountKey = z.object({ client_email: z.string().min(1), private_key: z.string().min(1) });

/** Returns the auth client for a user id (one shared client unless impersonating). */
export function createGoogleAuth(google: Config['google']): (userId: string) => GoogleAuthClient {
  const endpoints = { oauth2TokenUrl: google.tokenUrl };
  if (google.oauth) {
    const client = new auth.OAuth2({ clientId: google.oauth.clientId, clientSecret: google.oauth.clientSecret, endpoints });
    client.setCredentials({ refresh_token: google.oauth.refreshToken });
    return () => client;
  }
  const keyFile = google.serviceAccountKeyFile;
  if (keyFile) {
    let key: z.infer<typeof ServiceAccountKey>;
    try {
      key = ServiceAccountKey.parse(JSON.parse(fs.readFileSync(keyFile, 'utf8')));
    } catch (err) {
      throw new GoogleNotConfiguredError(`GOOGLE_SERVICE_ACCOUNT_KEY_FILE ${keyFile} is not a usable service account key: ${err instanceof Error ? err.message : String(err)}`);
    }
    const clients = new Map<string, GoogleAuthClient>();
    const make = (subject?: string) => new auth.JWT({ email: key.client_email, key: key.private_key, scopes: GOOGLE_SCOPES, subject, endpoints });
    const shared = make();
    if (!google.impersonateUsers) return () => shared;
    return (userId) => {
      let client = clients.get(userId);
      if (!client) clients.set(userId, (client = make(userId)));
      return client;
    };
  }
  return () => {
    throw new GoogleNotConfiguredError('Google is not configured: set GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and GOOGLE_REFRESH_TOKEN, or GOOGLE_SERVICE_ACCOUNT_KEY_FILE');
  };
}
