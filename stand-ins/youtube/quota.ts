/**
 * The project's daily quota, as the YouTube Data API keeps it: units per project per day, the
 * day ending at midnight Pacific Time, every call charged (invalid ones at least one unit).
 */
import { quotaExceeded } from './google-errors';

const PACIFIC = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The quota day `at` falls in: its date in America/Los_Angeles, `YYYY-MM-DD`. */
export function quotaDay(at: Date): string {
  const parts = Object.fromEntries(PACIFIC.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Units spent per quota day of the one project. */
export class QuotaLedger {
  private readonly spent = new Map<string, number>();

  constructor(private readonly perDay: number) {}

  /** Charges `units` to today, or throws Google's 403 quotaExceeded when they do not fit. */
  charge(units: number, now = new Date()): void {
    const day = quotaDay(now);
    const spent = this.spent.get(day) ?? 0;
    if (spent + units > this.perDay) throw quotaExceeded();
    this.spent.set(day, spent + units);
  }

  /** Charges what is left of `units` without refusing: an invalid request costs even when it cannot be served. */
  chargeAtMost(units: number, now = new Date()): void {
    const day = quotaDay(now);
    const spent = this.spent.get(day) ?? 0;
    this.spent.set(day, Math.min(this.perDay, spent + units));
  }

  /** Starts a new quota day now: today's spending goes back to 0. */
  reset(now = new Date()): void {
    this.spent.set(quotaDay(now), 0);
  }

  /** Units spent per day. */
  report(): Record<string, number> {
    return Object.fromEntries(this.spent);
  }
}
