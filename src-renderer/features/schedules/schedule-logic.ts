/**
 * Pure helpers of the Schedules page (unit-tested without a browser).
 */

/** "vm stop 'web server'" → ["vm", "stop", "web server"]: words, with '...' or "..." grouping. Never run by a shell. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** The IANA zones the runtime knows (for the time-zone picker), the local one first. */
export function timeZones(): string[] {
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [local, ...all.filter((z) => z !== local && z !== 'UTC'), 'UTC'];
}

/** An instant shown in the schedule's own zone (what the cron means) — e.g. "Mon 30 Nov, 08:00". */
export function formatInZone(iso: string | null, zone: string, locale: string): string {
  if (!iso) return '—';
  try {
    return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(iso));
  } catch {
    return iso;
  }
}
