/**
 * Retention for backups, pure: which to keep under "keep N daily, N weekly". The newest backup of
 * each of the last N days (UTC) that have one, and of each of the last N ISO weeks, is kept; so is
 * the newest backup of all (the next incremental builds on it) and every backup a kept incremental
 * needs (its parent, and the parent's parent, down to the full one). Everything else goes.
 */
export interface PrunableBackup {
  id: string;
  parentId: string | null;
  createdAt: string;
}

/** ISO-8601 week of a UTC date, as "2026-W05". */
export function isoWeek(iso: string): string {
  const d = new Date(iso);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - dow); // the Thursday of this week decides the year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86400000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function planPrune(backups: PrunableBackup[], keepDaily: number, keepWeekly: number): { keep: string[]; remove: string[] } {
  const newest = [...backups].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const keep = new Set<string>();
  if (newest[0]) keep.add(newest[0].id);
  const pick = (n: number, key: (b: PrunableBackup) => string) => {
    const seen = new Set<string>();
    for (const b of newest) {
      const k = key(b);
      if (seen.has(k)) continue;
      if (seen.size >= n) break;
      seen.add(k);
      keep.add(b.id);
    }
  };
  pick(keepDaily, (b) => b.createdAt.slice(0, 10));
  pick(keepWeekly, (b) => isoWeek(b.createdAt));
  const byId = new Map(backups.map((b) => [b.id, b]));
  for (const id of [...keep]) {
    for (let p = byId.get(id)?.parentId ?? null; p && !keep.has(p); p = byId.get(p)?.parentId ?? null) keep.add(p);
  }
  return { keep: newest.filter((b) => keep.has(b.id)).map((b) => b.id), remove: newest.filter((b) => !keep.has(b.id)).map((b) => b.id) };
}
