export { Account, AccountSchema } from './account';
export { BulkUploadAccount, BulkUploadAccountSchema } from './bulk-upload-account';
export { BulkUploadTask, BulkUploadTaskSchema } from './bulk-upload-task';
export { LogLine, LogLineSchema } from './log-line';
export { VideoData, VideoDataSchema } from './video-data';

import { AccountSchema } from './account';
import { BulkUploadAccountSchema } from './bulk-upload-account';
import { BulkUploadTaskSchema } from './bulk-upload-task';
import { LogLineSchema } from './log-line';
import { VideoDataSchema } from './video-data';

/** Every entity, for the ORM's configuration. */
export const ENTITIES = [AccountSchema, BulkUploadTaskSchema, BulkUploadAccountSchema, VideoDataSchema, LogLineSchema];
