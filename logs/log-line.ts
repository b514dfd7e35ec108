import type { LogLevel } from '../contracts/activities';

/** A line as read back, from either copy. */
export interface LogEntry {
  /** Cursor of the line: its database row id, the same whichever copy it was read from. */
  id: string;
  time: string;
  level: LogLevel;
  taskId: string;
  accountId?: string;
  message: string;
}

/** A line to write. */
export interface AppendLine {
  taskId: string;
  accountId?: string;
  level: LogLevel;
  message: string;
  time?: Date;
  /** Unique per logical line (e.g. workflow run + activity id); makes retries harmless. */
  sourceKey?: string;
}

/** A line of a batch about to be written: its time fixed and its account's row id found. */
export interface PendingLine extends AppendLine {
  time: Date;
  /** Row id of the line's account in its task; null for a line of the task itself. */
  accountRow: number | null;
}

/** Row ids of the line before a new one, in its task's stream and in its account's (0 for none). */
export interface PreviousRowIds {
  task: number;
  account: number;
}
