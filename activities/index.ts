/**
 * The activities: every side effect of a bulk. Built from their dependencies by
 * `createActivities(deps)`; workflows import only the type.
 */
import { makeAppendLog } from './append-log';
import { makeImportDriveFolder } from './import-drive-folder';
import { makePickNewestVideos } from './pick-newest-videos';
import type { ActivityDeps } from './deps';
import { makeRecordStatus } from './record-status';
import { makeRegisterTask } from './register-task';
import { makeReserveSlots } from './reserve-slots';
import { makeUniquifyVideo } from './uniquify-video';
import { makeUploadViaApi } from './upload-via-api';
import { makeUploadViaBrowser } from './upload-via-browser';
import { makeValidateBulkInput } from './validate-bulk-input';

export type { ActivityDeps } from './deps';

/** Builds the activity functions the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    validateBulkInput: makeValidateBulkInput(),
    importDriveFolder: makeImportDriveFolder(deps),
    pickNewestVideos: makePickNewestVideos(deps),
    registerTask: makeRegisterTask(deps),
    uniquifyVideo: makeUniquifyVideo(deps),
    uploadViaBrowser: makeUploadViaBrowser(deps),
    uploadViaApi: makeUploadViaApi(deps),
    reserveSlots: makeReserveSlots(deps),
    appendLog: makeAppendLog(deps),
    ...makeRecordStatus(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
