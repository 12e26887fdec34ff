import { Cron } from 'croner';
import { HangarError } from '../api/errors';

/**
 * Cron expressions (croner): 5 fields (minute hour day month weekday) or 6 with seconds first,
 * read in an IANA time zone, so "0 8 * * 1-5" in Europe/Berlin follows Berlin's daylight saving.
 */
function parse(expr: string, timezone: string): Cron {
  return new Cron(expr, { timezone, paused: true });
}

/** Throw a HangarError (field "cron" or "timezone") unless the expression is valid and fires at least once. */
export function validateCron(expr: string, timezone: string, from: number): void {
  // croner also takes a 7th (year) field and nicknames; Hangar documents and accepts only 5 or 6 fields
  const fields = expr.trim().split(/\s+/).filter(Boolean).length;
  if (fields !== 5 && fields !== 6)
    throw new HangarError(
      'INVALID_INPUT',
      `"${expr}" is not a valid cron expression: it has ${fields} field${fields === 1 ? '' : 's'}; use 5 (minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5") or 6 with seconds first (e.g. "30 0 8 * * 1-5").`,
      { field: 'cron' },
    );
  let cron: Cron;
  try {
    cron = parse(expr, timezone);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^CronPattern:\s*/, '') : String(e);
    throw new HangarError('INVALID_INPUT', `"${expr}" is not a valid cron expression (${why}). Use five fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5".`, { field: 'cron' });
  }
  let next: Date | null;
  try {
    next = cron.nextRun(new Date(from));
  } catch {
    throw new HangarError('INVALID_INPUT', `Unknown time zone "${timezone}": use an IANA name such as "Europe/Berlin" or "UTC".`, { field: 'timezone' });
  }
  if (!next) throw new HangarError('INVALID_INPUT', `The cron expression "${expr}" never fires (no such date).`, { field: 'cron' });
}

/** The first due instant strictly after `afterMs`, or null. */
export function nextDue(expr: string, timezone: string, afterMs: number): number | null {
  const next = parse(expr, timezone).nextRun(new Date(afterMs));
  return next ? next.getTime() : null;
}

/** Due instants in (afterMs, untilMs], at most `limit` (the rest only counted up to the limit). */
export function dueBetween(expr: string, timezone: string, afterMs: number, untilMs: number, limit = 10000): number[] {
  const cron = parse(expr, timezone);
  const out: number[] = [];
  let cursor = new Date(afterMs);
  while (out.length < limit) {
    const next = cron.nextRun(cursor);
    if (!next || next.getTime() > untilMs) break;
    out.push(next.getTime());
    cursor = next;
  }
  return out;
}

/** The last due instant at or before `atMs` (null when there is none), without walking forward. */
export function latestDue(expr: string, timezone: string, atMs: number): number | null {
  const prev = parse(expr, timezone).previousRuns(1, new Date(atMs + 1))[0];
  return prev ? prev.getTime() : null;
}
