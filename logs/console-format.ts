import type { LogLevel } from '../contracts/activities';

const COLOURS: Record<LogLevel, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };
const RESET = '\x1b[0m';

/** One console line: time, coloured level, task/account, message. */
export function formatConsoleLine(l: { time: Date; level: LogLevel; taskId: string; accountId?: string; message: string }): string {
  const who = l.accountId ? `${l.taskId}/${l.accountId}` : l.taskId;
  return `${l.time.toISOString()} ${COLOURS[l.level]}${l.level.toUpperCase().padEnd(5)}${RESET} [${who}] ${l.message}`;
}
