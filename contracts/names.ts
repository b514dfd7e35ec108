/**
 * Every name that two parts of clipfleet must agree on: workflow IDs, Redis keys, search
 * attributes. Built here, and only here, so a key is never spelled inline twice.
 * Imported by workflows too, so it stays free of Node modules.
 */
import { defineSearchAttributeKey } from '@temporalio/common';

/** Workflow ID of a bulk: `bulk-upload-<taskId>`. */
export function bulkUploadWorkflowId(taskId: string): string {
  return `bulk-upload-${taskId}`;
}

/** Workflow ID of one account's child: `bulk-upload-<taskId>-account-<accountId>`. */
export function accountUploadWorkflowId(taskId: string, accountId: string): string {
  return `${bulkUploadWorkflowId(taskId)}-account-${accountId}`;
}

/** Workflow ID of an account's pacer, the one owner of its posting times: `account-pacer-<platform>-<accountId>`. */
export function accountPacerWorkflowId(platform: string, accountId: string): string {
  return `account-pacer-${platform}-${accountId}`;
}

/** Redis list with every log line of a task. */
export function taskLogsKey(taskId: string): string {
  return `task_logs_${taskId}`;
}

/** Redis list with the log lines of one account within a task. */
export function accountLogsKey(taskId: string, accountId: string): string {
  return `${taskLogsKey(taskId)}_account_${accountId}`;
}

/** Search attributes registered by `temporal-dev.sh` and set on every bulk workflow. */
export const BulkTaskIdAttribute = defineSearchAttributeKey('BulkTaskId', 'KEYWORD');
export const AccountIdAttribute = defineSearchAttributeKey('AccountId', 'KEYWORD');
export const PlatformAttribute = defineSearchAttributeKey('Platform', 'KEYWORD');
/** Every search attribute the project registers (`temporal-dev.sh` registers these names). */
export const SEARCH_ATTRIBUTE_NAMES: readonly string[] = [BulkTaskIdAttribute, AccountIdAttribute, PlatformAttribute].map((key) => key.name);

/** Workflow type names, as typed by `temporal workflow start --type`. */
export const BULK_UPLOAD_WORKFLOW = 'BulkUpload';
