/**
 * Messages that steer a running bulk, shared by BulkUpload, its AccountUpload children and
 * the bulk service that sends them. A bulk forwards each to its running children.
 */
import { defineSignal } from '@temporalio/workflow';

/** Start no new upload (running ones finish; timers keep running). */
export const pauseSignal = defineSignal('pause');
/** Go on after a pause. */
export const resumeSignal = defineSignal('resume');
/** Plan every post not yet published again, from this time on (ISO with zone). */
export const rescheduleSignal = defineSignal<[{ publishAt: string }]>('reschedule');
/** Publish one post not yet published at exactly this time (ISO with zone); sent to its account's workflow. */
export const movePostSignal = defineSignal<[{ videoId: string; publishAt: string }]>('movePost');
