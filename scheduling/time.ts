/**
 * Wall-clock arithmetic in IANA zones with nothing but Intl: which instant is 09:00 in
 * Berlin on a given day, which day an instant falls on. Plain JavaScript with no clock of
 * its own, so workflow code (the account pacer) can use it deterministically.
 */
const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/** True when the runtime knows this IANA zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock of `zone` at instant `ms`. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading of an instant in a zone. */
export function localTime(ms: number, zone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at an instant, in ms (Berlin in winter: +3,600,000). */
function offsetAt(ms: number, zone: string): number {
  const t = localTime(ms, zone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - (ms - (ms % 1000));
}

/**
 * The instant a wall-clock time happens in a zone. A time skipped by a DST change (02:30 on
 * the spring morning in Berlin) is read with the offset before the change, so it comes an
 * hour later on the clock (03:30); a time that happens twice (the autumn morning) is its
 * first occurrence.
 */
export function zonedInstant(zone: string, year: number, month: number, day: number, secondOfDay: number): number {
  const naive = Date.UTC(year, month - 1, day) + secondOfDay * 1000;
  // The zone's offsets half a day either side cover any change near this time.
  const before = naive - offsetAt(naive - 12 * 3600_000, zone);
  const after = naive - offsetAt(naive + 12 * 3600_000, zone);
  const wall = (ms: number) => {
    const t = localTime(ms, zone);
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) === naive - (naive % 1000);
  };
  const valid = [before, after].filter(wall);
  return valid.length ? Math.min(...valid) : before;
}

/** The calendar day of an instant in a zone, as a number that orders days (`20261125`). */
export function localDayKey(ms: number, zone: string): number {
  const t = localTime(ms, zone);
  return t.year * 10_000 + t.month * 100 + t.day;
}

/** `HH:MM[:SS]` as seconds since midnight. */
export function secondOfDay(time: string): number {
  const [h, m, s] = time.split(':').map(Number);
  return h! * 3600 + m! * 60 + (s ?? 0);
}

/** An instant as a person in `zone` reads it: `2026-11-25 09:00 Europe/Berlin` (seconds shown when not zero). */
export function formatInZone(ms: number, zone: string): string {
  const t = localTime(ms, zone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}${t.second ? `:${pad(t.second)}` : ''} ${zone}`;
}
