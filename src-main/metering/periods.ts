import { HangarError } from '../api/errors';

/**
 * Calendar periods in an IANA time zone, as exact UTC instants (ms). Month and day boundaries
 * are computed in the zone, so a VM running across midnight or a month end is split exactly there,
 * including on days with a daylight-saving change (23 or 25 hours long).
 */
export function assertTimeZone(tz: string, field = 'timezone'): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    throw new HangarError('INVALID_INPUT', `"${tz}" is not a time zone: use an IANA name such as UTC, Europe/Paris or America/New_York.`, { field });
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(tz: string, ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour! % 24, mi: p.minute!, s: p.second! };
}

/** Offset of `tz` from UTC at instant `ms`, in ms (Paris in winter: +3 600 000). */
export function zoneOffsetMs(tz: string, ms: number): number {
  const p = partsIn(tz, ms);
  const asUtc = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant at which the wall clock in `tz` reads y-mo-d 00:00 (months may overflow: 13 → next year). */
export function startOfDayIn(tz: string, y: number, mo: number, d: number): number {
  const wall = Date.UTC(y, mo - 1, d);
  // two passes settle the offset around DST changes (midnight itself is never skipped in IANA zones we bill in)
  let guess = wall - zoneOffsetMs(tz, wall);
  guess = wall - zoneOffsetMs(tz, guess);
  return guess;
}

export interface Period {
  from: number;
  to: number;
  label: string;
}

/** "2026-11" in `tz` → [first instant of the month, first instant of the next). */
export function monthPeriod(month: string, tz: string): Period {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new HangarError('INVALID_INPUT', `Period "${month}" is not a month written YYYY-MM.`, { field: 'period' });
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { from: startOfDayIn(tz, y, mo, 1), to: startOfDayIn(tz, y, mo + 1, 1), label: month };
}

/** Day boundaries in `tz` within [from, to): the instants where a new local day starts. */
export function dayBoundaries(from: number, to: number, tz: string): number[] {
  const out: number[] = [];
  const p = partsIn(tz, from);
  for (let i = 1; ; i++) {
    const b = startOfDayIn(tz, p.y, p.mo, p.d + i);
    if (b >= to) break;
    if (b > from) out.push(b);
  }
  return out;
}

/** Month starts in `tz` strictly inside (from, to), with the containing months' lengths. */
export function monthSlices(from: number, to: number, tz: string): Array<{ from: number; to: number; monthFrom: number; monthTo: number }> {
  const slices: Array<{ from: number; to: number; monthFrom: number; monthTo: number }> = [];
  const p = partsIn(tz, from);
  let y = p.y;
  let mo = p.mo;
  let monthFrom = startOfDayIn(tz, y, mo, 1);
  if (monthFrom > from) {
    mo -= 1;
    monthFrom = startOfDayIn(tz, y, mo, 1);
  }
  while (monthFrom < to) {
    const monthTo = startOfDayIn(tz, y, mo + 1, 1);
    const a = Math.max(from, monthFrom);
    const b = Math.min(to, monthTo);
    if (b > a) slices.push({ from: a, to: b, monthFrom, monthTo });
    mo += 1;
    if (mo > 12) {
      mo = 1;
      y += 1;
    }
    monthFrom = monthTo;
  }
  return slices;
}

/** The month containing `ms` in `tz`, written YYYY-MM. */
export function monthOf(ms: number, tz: string): string {
  const p = partsIn(tz, ms);
  return `${p.y}-${String(p.mo).padStart(2, '0')}`;
}

/** Resolve a period request: a month, explicit instants, or "this month so far". */
export function resolvePeriod(input: { period?: string | undefined; from?: string | undefined; to?: string | undefined }, tz: string, now = Date.now()): Period {
  if (input.period) {
    if (input.from || input.to) throw new HangarError('INVALID_INPUT', 'Give either a month (period) or from/to, not both.', { field: 'period' });
    return clampToNow(monthPeriod(input.period, tz), now);
  }
  const from = input.from ? Date.parse(input.from) : monthPeriod(monthOf(now, tz), tz).from;
  const to = input.to ? Date.parse(input.to) : now;
  if (!(to > from)) throw new HangarError('INVALID_INPUT', 'The period ends before it starts: "to" must be after "from".', { field: 'to' });
  return { from, to, label: `${new Date(from).toISOString()} – ${new Date(to).toISOString()}` };
}

/**
 * A period that has not ended yet ends at `now`: nothing is billed or reported for time that has not
 * happened (the invoice of the current month covers the month so far). Past periods are unchanged;
 * a period wholly in the future stays as it is (nothing can overlap it).
 */
export function clampToNow(p: Period, now: number): Period {
  return p.from < now && now < p.to ? { ...p, to: now } : p;
}
