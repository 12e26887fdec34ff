import { z } from 'zod';
import { method } from './define';
import { hostId, objectRef } from './common';

/**
 * Live statistics. `null` always means "not measured" (no source for it), never zero:
 * e.g. network bytes of a user-mode NAT NIC, or guest memory without a balloon driver.
 */
export interface VmSample {
  /** Unix milliseconds. */
  t: number;
  /** Share of the VM's vCPUs in use, 0..100 (100 = every vCPU busy), from the QEMU process's CPU time. */
  cpuPct: number | null;
  /** Host memory the QEMU process holds (RSS). */
  memRssBytes: number | null;
  /** The guest's own view through the balloon driver, when the guest has one. */
  memGuestTotalBytes: number | null;
  memGuestUsedBytes: number | null;
  diskReadBps: number | null;
  diskWriteBps: number | null;
  diskReadIops: number | null;
  diskWriteIops: number | null;
  /** Cumulative counters since QEMU started (query-blockstats). */
  diskReadBytes: number | null;
  diskWriteBytes: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
}

export interface HostSample {
  t: number;
  /** All host CPUs, 0..100. */
  cpuPct: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
  /** Space on the file system holding Hangar's data. */
  diskUsedBytes: number | null;
  diskTotalBytes: number | null;
}

export const METRIC_RANGES = ['10m', '1h', '24h', '7d', '30d'] as const;
export type MetricRange = (typeof METRIC_RANGES)[number];

/** A series over a range: 1 s samples (10 min ring), 1 min or 1 h rollups (SQLite). */
export interface VmHistory {
  vmId: string;
  range: MetricRange;
  /** Seconds between points. */
  resolutionSec: number;
  points: VmSample[];
  /** Why some series are null, in words ("network: user-mode NAT has no byte counters in QEMU 7.2"). */
  notMeasured: Record<string, string>;
}

export interface HostHistory {
  hostId: string;
  range: MetricRange;
  resolutionSec: number;
  points: HostSample[];
}

export interface MetricsSampleEvent {
  /** VM id, or null for a host sample. */
  vmId: string | null;
  hostId: string;
  sample: VmSample | HostSample;
}

const range = z.enum(METRIC_RANGES, { error: `Range must be one of ${METRIC_RANGES.join(', ')}.` }).default('10m');

export const metricsMethods = {
  'metrics.watch': method<{ vmId: string | null; intervalSec: number; leaseSec: number }>()(
    z.object({ vm: objectRef('VM').optional(), hostId }).strict(),
    'Sample this VM (or, without vm, the host) every second while watched; pushes metrics.sample events. Renew within leaseSec.',
  ),
  'metrics.unwatch': method<null>()(z.object({ vm: objectRef('VM').optional(), hostId }).strict(), 'Stop the 1 s sampling started by metrics.watch.'),
  'metrics.current': method<VmSample>()(z.object({ vm: objectRef('VM') }).strict(), 'The latest sample of a running VM (measured now when none is fresh).'),
  'metrics.history': method<VmHistory>()(z.object({ vm: objectRef('VM'), range }).strict(), 'A running or past VM’s samples over a time range.'),
  'metrics.hostCurrent': method<HostSample>()(z.object({ hostId }).strict(), 'The host’s CPU, memory and disk now.'),
  'metrics.hostHistory': method<HostHistory>()(z.object({ hostId, range }).strict(), 'The host’s samples over a time range.'),
} as const;
