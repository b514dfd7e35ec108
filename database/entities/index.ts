export { Account, AccountSchema } from './account';
export { BulkUploadAccount, BulkUploadAccountSchema } from './bulk-upload-account';
export { BulkUploadTask, BulkUploadTaskSchema } from './bulk-upload-task';
export { LibraryVideo, LibraryVideoSchema } from './library-video';
export { LogLine, LogLineSchema } from './log-line';
export { OAuthConnection, OAuthConnectionSchema, CONNECTION_STATUSES, type ConnectionStatus } from './oauth-connection';
export { OAuthState, OAuthStateSchema } from './oauth-state';
export { QuotaSpend, QuotaSpendSchema, QuotaUsage, QuotaUsageSchema } from './quota-usage';
export { VideoData, VideoDataSchema } from './video-data';

import { AccountSchema } from './account';
import { BulkUploadAccountSchema } from './bulk-upload-account';
import { BulkUploadTaskSchema } from './bulk-upload-task';
import { LibraryVideoSchema } from './library-video';
import { LogLineSchema } from './log-line';
import { OAuthConnectionSchema } from './oauth-connection';
import { OAuthStateSchema } from './oauth-state';
import { QuotaSpendSchema, QuotaUsageSchema } from './quota-usage';
import { VideoDataSchema } from './video-data';

/** Every entity, for the ORM's configuration. */
export const ENTITIES = [
  AccountSchema,
  BulkUploadTaskSchema,
  BulkUploadAccountSchema,
  VideoDataSchema,
  LogLineSchema,
  OAuthConnectionSchema,
  OAuthStateSchema,
  QuotaUsageSchema,
  QuotaSpendSchema,
  LibraryVideoSchema,
];
