/**
 * Why a bulk request was refused, as the HTTP API and the CLI report it: bad input names
 * each field (400), a task id taken by another bulk names `taskId` (409), a bulk that cannot
 * be acted on says why (404, 409).
 */
export { BulkInputError } from '../contracts/bulk-input';

/** A field and what is wrong with it, e.g. `{ field: 'videos.0.path', message: 'not a video: …' }`. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** The task id is already used by another bulk, with other input. */
export class BulkConflictError extends Error {
  override name = 'BulkConflictError';
  readonly field = 'taskId';
}

/** A bulk cannot be acted on: unknown (404), or in the wrong state for it (409). */
export class BulkStateError extends Error {
  override name = 'BulkStateError';
  constructor(
    message: string,
    readonly status: 404 | 409,
  ) {
    super(message);
  }
}
