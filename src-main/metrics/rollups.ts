import type { HostSample, VmSample } from '../api/contract';
import type { Db } from '../db/database';

/**
 * Rollups in SQLite (migration 004): 1-minute rows kept 7 days and 1-hour rows kept a year, so
 * graphs over days survive restarts while the 1 s ring lives only in memory.
 * Gauges (CPU %, memory) are averages; counters (bytes, operations) are sums over the bucket.
 * NULL stays NULL: "not measured" never turns into 0.
 */
export interface RollupRow {
  subject: string;
  resolution: 60 | 3600;
  ts: number;
  samples: number;
  cpu_pct: number | null;
  mem_rss_bytes: number | null;
  mem_guest_used_bytes: number | null;
  mem_guest_total_bytes: number | null;
  mem_total_bytes: number | null;
  disk_read_bytes: number | null;
  disk_write_bytes: number | null;
  disk_read_ops: number | null;
  disk_write_ops: number | null;
  net_rx_bytes: number | null;
  net_tx_bytes: number | null;
  disk_used_bytes: number | null;
  disk_total_bytes: number | null;
}

export const MINUTE_KEEP_SEC = 7 * 86400;
export const HOUR_KEEP_SEC = 366 * 86400;
/** A gap longer than this between two samples is not filled in when summing counters. */
const MAX_GAP_SEC = 15;

const avg = (xs: Array<number | null>): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/** Σ rate × Δt over the samples (each sample's rate covers the time since the previous one). */
const integrate = (samples: VmSample[], prevT: number | null, pick: (s: VmSample) => number | null): number | null => {
  let total: number | null = null;
  let last = prevT;
  for (const s of samples) {
    const r = pick(s);
    if (r !== null && last !== null) {
      const dt = (s.t - last) / 1000;
      if (dt > 0 && dt <= MAX_GAP_SEC) total = (total ?? 0) + r * dt;
    }
    last = s.t;
  }
  return total;
};

/** A minute row from the ring's samples in [ts, ts+60 s); `prevT` is the sample just before. */
export function vmMinuteRow(subject: string, ts: number, samples: VmSample[], prevT: number | null): RollupRow {
  return {
    subject,
    resolution: 60,
    ts,
    samples: samples.length,
    cpu_pct: avg(samples.map((s) => s.cpuPct)),
    mem_rss_bytes: avg(samples.map((s) => s.memRssBytes)),
    mem_guest_used_bytes: avg(samples.map((s) => s.memGuestUsedBytes)),
    mem_guest_total_bytes: avg(samples.map((s) => s.memGuestTotalBytes)),
    mem_total_bytes: null,
    disk_read_bytes: integrate(samples, prevT, (s) => s.diskReadBps),
    disk_write_bytes: integrate(samples, prevT, (s) => s.diskWriteBps),
    disk_read_ops: integrate(samples, prevT, (s) => s.diskReadIops),
    disk_write_ops: integrate(samples, prevT, (s) => s.diskWriteIops),
    net_rx_bytes: integrate(samples, prevT, (s) => s.netRxBps),
    net_tx_bytes: integrate(samples, prevT, (s) => s.netTxBps),
    disk_used_bytes: null,
    disk_total_bytes: null,
  };
}

export function hostMinuteRow(subject: string, ts: number, samples: HostSample[]): RollupRow {
  return {
    subject,
    resolution: 60,
    ts,
    samples: samples.length,
    cpu_pct: avg(samples.map((s) => s.cpuPct)),
    mem_rss_bytes: avg(samples.map((s) => s.memUsedBytes)),
    mem_guest_used_bytes: null,
    mem_guest_total_bytes: null,
    mem_total_bytes: avg(samples.map((s) => s.memTotalBytes)),
    disk_read_bytes: null,
    disk_write_bytes: null,
    disk_read_ops: null,
    disk_write_ops: null,
    net_rx_bytes: null,
    net_tx_bytes: null,
    disk_used_bytes: avg(samples.map((s) => s.diskUsedBytes)),
    disk_total_bytes: avg(samples.map((s) => s.diskTotalBytes)),
  };
}

const COLUMNS = ['subject', 'resolution', 'ts', 'samples', 'cpu_pct', 'mem_rss_bytes', 'mem_guest_used_bytes', 'mem_guest_total_bytes', 'mem_total_bytes', 'disk_read_bytes', 'disk_write_bytes', 'disk_read_ops', 'disk_write_ops', 'net_rx_bytes', 'net_tx_bytes', 'disk_used_bytes', 'disk_total_bytes'] as const;

export class RollupStore {
  constructor(private readonly db: Db) {}

  write(rows: RollupRow[]): void {
    if (!rows.length) return;
    const stmt = this.db.prepare(`INSERT OR REPLACE INTO metric_rollups (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`);
    this.db.transaction(() => {
      for (const r of rows) stmt.run(r);
    })();
  }

  /** Fold the minute rows of the hour starting at `hourTs` into one hour row per subject. */
  rollHour(hourTs: number): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO metric_rollups (${COLUMNS.join(', ')})
         SELECT subject, 3600, ?, SUM(samples), AVG(cpu_pct), AVG(mem_rss_bytes), AVG(mem_guest_used_bytes), AVG(mem_guest_total_bytes), AVG(mem_total_bytes),
                SUM(disk_read_bytes), SUM(disk_write_bytes), SUM(disk_read_ops), SUM(disk_write_ops), SUM(net_rx_bytes), SUM(net_tx_bytes), AVG(disk_used_bytes), AVG(disk_total_bytes)
         FROM metric_rollups WHERE resolution = 60 AND ts >= ? AND ts < ? GROUP BY subject`,
      )
      .run(hourTs, hourTs, hourTs + 3600);
  }

  prune(nowSec: number): void {
    this.db.prepare('DELETE FROM metric_rollups WHERE resolution = 60 AND ts < ?').run(nowSec - MINUTE_KEEP_SEC);
    this.db.prepare('DELETE FROM metric_rollups WHERE resolution = 3600 AND ts < ?').run(nowSec - HOUR_KEEP_SEC);
  }

  query(subject: string, resolution: 60 | 3600, sinceSec: number): RollupRow[] {
    return this.db.prepare('SELECT * FROM metric_rollups WHERE subject = ? AND resolution = ? AND ts >= ? ORDER BY ts').all(subject, resolution, sinceSec) as RollupRow[];
  }
}

/** A rollup row as a chart point (rates per second over the bucket). */
export function rowToVmSample(r: RollupRow): VmSample {
  const per = (x: number | null) => (x === null ? null : x / r.resolution);
  return {
    t: r.ts * 1000,
    cpuPct: r.cpu_pct,
    memRssBytes: r.mem_rss_bytes,
    memGuestTotalBytes: r.mem_guest_total_bytes,
    memGuestUsedBytes: r.mem_guest_used_bytes,
    diskReadBps: per(r.disk_read_bytes),
    diskWriteBps: per(r.disk_write_bytes),
    diskReadIops: per(r.disk_read_ops),
    diskWriteIops: per(r.disk_write_ops),
    diskReadBytes: null,
    diskWriteBytes: null,
    netRxBps: per(r.net_rx_bytes),
    netTxBps: per(r.net_tx_bytes),
  };
}

export function rowToHostSample(r: RollupRow): HostSample {
  return { t: r.ts * 1000, cpuPct: r.cpu_pct, memUsedBytes: r.mem_rss_bytes, memTotalBytes: r.mem_total_bytes, diskUsedBytes: r.disk_used_bytes, diskTotalBytes: r.disk_total_bytes };
}
