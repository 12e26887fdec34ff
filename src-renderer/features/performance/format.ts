import type { MetricRange } from '../../../src-main/api/contract';

export const RANGE_SECONDS: Record<MetricRange, number> = { '10m': 600, '1h': 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 };

/** Units that read well on charts and tiles: %, MiB/GiB, MB/s, IOPS. null = "not measured". */
export type Unit = 'pct' | 'bytes' | 'bps' | 'iops';

export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  switch (unit) {
    case 'pct':
      return `${v < 10 ? v.toFixed(1) : v.toFixed(0)} %`;
    case 'bytes': {
      const mib = v / 1024 ** 2;
      return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib < 10 ? mib.toFixed(1) : mib.toFixed(0)} MiB`;
    }
    case 'bps': {
      const mb = v / 1e6;
      if (mb >= 1) return `${mb < 10 ? mb.toFixed(2) : mb.toFixed(1)} MB/s`;
      return `${(v / 1e3).toFixed(v < 1e4 ? 1 : 0)} kB/s`;
    }
    case 'iops':
      return `${v < 10 ? v.toFixed(1) : v.toFixed(0)} IOPS`;
  }
}

/** Axis ticks: shorter than tiles (no decimals where they add nothing). */
export function formatTick(v: number, unit: Unit): string {
  if (v === 0) return '0';
  switch (unit) {
    case 'pct':
      return `${Math.round(v)}%`;
    case 'bytes':
      return v >= 1024 ** 3 ? `${(v / 1024 ** 3).toFixed(1)}G` : `${Math.round(v / 1024 ** 2)}M`;
    case 'bps':
      return v >= 1e6 ? `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)}MB/s` : `${Math.round(v / 1e3)}kB/s`;
    case 'iops':
      return String(Math.round(v));
  }
}
