import type { ValidatedBulkInput } from '../contracts/activities';
import { BulkInputError, parseBulkUploadInput, type BulkUploadRequest } from '../contracts/bulk-input';
import { FAILURE } from '../contracts/failure-types';
import { bulkFingerprint } from '../bulks/fingerprint';
import { nonRetryable } from './errors';

/**
 * validateBulkInput: the bulk's input checked and normalised (defaults filled in, video ids
 * given) before anything else runs, for bulks started around the API, e.g. with
 * `temporal workflow start`. It runs as a local activity so that the schema library stays
 * out of the workflow bundle: every workflow would otherwise load it again when it starts.
 */
export function makeValidateBulkInput() {
  return async function validateBulkInput(request: BulkUploadRequest): Promise<ValidatedBulkInput> {
    try {
      const input = parseBulkUploadInput(request);
      return { input, fingerprint: bulkFingerprint(input) };
    } catch (err) {
      if (err instanceof BulkInputError) throw nonRetryable(FAILURE.InvalidInput, err.message);
      throw err;
    }
  };
}
