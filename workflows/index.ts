/** Every workflow the worker registers. Deterministic code only: see eslint.config.mjs. */
export { AccountPacer } from './account-pacer';
export { AccountUpload } from './account-upload';
export { BulkUpload, progressQuery } from './bulk-upload';
export { RecurringBulk } from './recurring-bulk';
