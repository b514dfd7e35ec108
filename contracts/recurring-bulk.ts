/**
 * Recurring bulks: a Temporal Schedule per recurring bulk, whose every fire runs the
 * RecurringBulk workflow, which picks the newest videos and starts one BulkUpload. The
 * names and types both sides agree on; free of Node modules and zod (workflows import it).
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import type { BulkUploadRequest, DriveFolderSource } from './bulk-input';

/** Workflow type of a schedule's fire, as the Web UI shows it. */
export const RECURRING_BULK_WORKFLOW = 'RecurringBulk';

/** Every recurring bulk's schedule id starts so: `recurring-<name>`. */
export const RECURRING_SCHEDULE_PREFIX = 'recurring-';

/**
 * A recurring bulk's name is at most this long: a fire's task id adds `-yyyymmddThhmmss`
 * (16 characters) and task ids are at most 64.
 */
export const RECURRING_NAME_MAX = 48;

/** Schedule id of a recurring bulk: `recurring-<name>`. */
export function recurringScheduleId(name: string): string {
  return `${RECURRING_SCHEDULE_PREFIX}${name}`;
}

/** The name of a recurring bulk from its schedule id, or undefined for another schedule. */
export function recurringNameOf(scheduleId: string): string | undefined {
  return scheduleId.startsWith(RECURRING_SCHEDULE_PREFIX) ? scheduleId.slice(RECURRING_SCHEDULE_PREFIX.length) : undefined;
}

/**
 * Task id of the bulk a fire starts: `<name>-<scheduled time, yyyymmddThhmmss UTC>`. From
 * the scheduled time, not the clock, so a retried or replayed fire is the same bulk.
 */
export function recurringTaskId(name: string, scheduledAt: Date): string {
  const compact = scheduledAt.toISOString().slice(0, 19).replace(/[-:]/g, '');
  return `${name}-${compact}`;
}

/** Set by the server on every workflow a schedule starts: the time the fire was scheduled for. */
export const ScheduledStartTimeAttribute = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

/** Where a recurring bulk takes its videos: a folder under MEDIA_ROOT, or a Google Drive folder. */
export type RecurringSource = { folder: string } | { driveFolder: DriveFolderSource };

/** The input of every fire (the schedule's action): checked when the schedule was created. */
export interface RecurringBulkInput {
  name: string;
  platform: string;
  accountIds: string[];
  source: RecurringSource;
  /** How many of the newest videos each fire publishes (1-100). */
  newest: number;
  /** Caption of every video; default: the file's name. */
  caption?: string;
  /** The bulk's options, as `POST /bulk-uploads` takes them (`schedule`: the accounts' slots). */
  options?: BulkUploadRequest['options'];
}

/** What one fire did: the bulk it started, or none (an empty folder). */
export interface RecurringBulkResult {
  taskId: string;
  /** The bulk's workflow id; absent when the folder held no video. */
  workflowId?: string;
  videos: number;
  /** True when this fire's bulk had been started already (the same scheduled time fired twice). */
  alreadyStarted?: boolean;
}

/** The input of the `pickNewestVideos` activity. */
export interface PickNewestVideosInput {
  /** Relative to MEDIA_ROOT. */
  folder: string;
  newest: number;
}

/** A video the activity picked: its path relative to MEDIA_ROOT, its file name and when it last changed. */
export interface PickedVideo {
  path: string;
  name: string;
  modifiedAt: string;
}
