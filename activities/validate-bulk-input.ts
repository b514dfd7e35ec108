import { BulkInputError, parseBulkUploadInput, type BulkUploadInput } from '../contracts/bulk-input';
import { nonRetryable } from './errors';

/**
 * validateBulkInput: the bulk's input checked and normalised (defaults filled in, video ids
 * given) before anything else runs, for bulks started around the API, e.g. with
 * `temporal workflow start`. It runs as a local activity so that the schema library stays
 * out of the workflow bundle: every workflow would otherwise load it again when it starts.
 */
export function makeValidateBulkInput() {
  return async function validateBulkInput(raw: unknown): Promise<BulkUploadInput> {
    try {
      return parseBulkUploadInput(raw);
    } catch (err) {
      if (err instanceof BulkInputError) throw nonRetryable('InvalidInput', err.message);
      throw err;
    }
  };
}
