/**
 * Parsers for the /proc files the samplers read (read through Host.fs, so they work on SSH hosts).
 * Pure functions: unit-tested on captured text.
 */

/** utime + stime of a process in clock ticks, from /proc/<pid>/stat. */
export function parseProcStatTicks(text: string): number | null {
  // the command name (field 2) is in parentheses and may hold spaces: split after the last ')'
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state); utime is field 14, stime field 15
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : null;
}

/** Resident set size in pages (field 24 of /proc/<pid>/stat), so one small read gives CPU and memory. */
export function parseProcStatRssPages(text: string): number | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rss = Number(text.slice(close + 2).trim().split(/\s+/)[21]);
  return Number.isFinite(rss) ? rss : null;
}

/** VmRSS in bytes, from /proc/<pid>/status. */
export function parseStatusRss(text: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/** Aggregate host CPU times from /proc/stat: busy and total ticks. */
export function parseHostCpu(text: string): { busy: number; total: number } | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest times are already inside user/nice)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

/** MemTotal and MemAvailable in bytes, from /proc/meminfo. */
export function parseMeminfo(text: string): { total: number; available: number } | null {
  const total = /^MemTotal:\s+(\d+)/m.exec(text);
  const avail = /^MemAvailable:\s+(\d+)/m.exec(text);
  return total && avail ? { total: Number(total[1]) * 1024, available: Number(avail[1]) * 1024 } : null;
}

export interface BlockTotals {
  rdBytes: number;
  wrBytes: number;
  rdOps: number;
  wrOps: number;
}

/** Sum of query-blockstats over the VM's devices (the front-end stats, not the protocol node). */
export function sumBlockstats(reply: unknown): BlockTotals | null {
  if (!Array.isArray(reply)) return null;
  const t: BlockTotals = { rdBytes: 0, wrBytes: 0, rdOps: 0, wrOps: 0 };
  for (const dev of reply as Array<{ stats?: Record<string, unknown> }>) {
    const s = dev.stats;
    if (!s) continue;
    t.rdBytes += Number(s.rd_bytes ?? 0);
    t.wrBytes += Number(s.wr_bytes ?? 0);
    t.rdOps += Number(s.rd_operations ?? 0);
    t.wrOps += Number(s.wr_operations ?? 0);
  }
  return t;
}

/** The balloon's guest-stats; null when the guest has no balloon driver (values are all 2^64-1 and last-update 0). */
export function parseBalloonStats(reply: unknown): { total: number; used: number } | null {
  const r = reply as { stats?: Record<string, number>; 'last-update'?: number } | null;
  if (!r?.stats || !r['last-update']) return null;
  const total = r.stats['stat-total-memory'];
  const avail = r.stats['stat-available-memory'] ?? r.stats['stat-free-memory'];
  if (total === undefined || avail === undefined || total < 0 || avail < 0 || total >= 2 ** 63 || avail >= 2 ** 63) return null;
  return { total, used: total - avail };
}

/** The interface of a TUN/TAP file descriptor, from /proc/<pid>/fdinfo/<fd> ("iff:\ttap0"). */
export function parseFdinfoIff(text: string): string | null {
  const m = /^iff:\s*(\S+)/m.exec(text);
  return m ? m[1]! : null;
}

/** Byte counters per interface from /proc/<pid>/net/dev (the network namespace of that process). */
export function parseNetDev(text: string): Map<string, { rxBytes: number; txBytes: number }> {
  const out = new Map<string, { rxBytes: number; txBytes: number }>();
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (v.length >= 9) out.set(line.slice(0, colon).trim(), { rxBytes: v[0]!, txBytes: v[8]! });
  }
  return out;
}
