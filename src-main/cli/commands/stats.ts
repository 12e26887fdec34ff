import type { Command } from 'commander';
import type { UsageReport, VmSample } from '../../api/contract';
import { formatBytes } from '../../util/units';
import { print, withClient } from '../common';
import { table } from '../output';

/** `hangar stats VM` and `hangar usage`: live statistics and metered usage. */
const pct = (v: number | null) => (v === null ? 'not measured' : `${v.toFixed(1)} %`);
const bytes = (v: number | null) => (v === null ? 'not measured' : formatBytes(v));
const rate = (v: number | null) => (v === null ? 'not measured' : `${(v / 1e6).toFixed(2)} MB/s`);
const iops = (v: number | null) => (v === null ? 'not measured' : `${v.toFixed(0)} IOPS`);
const hours = (sec: number) => (sec / 3600).toFixed(3);

export function statsText(name: string, s: VmSample): string {
  return [
    `Machine:       ${name}`,
    `CPU:           ${pct(s.cpuPct)} of its vCPUs`,
    `Memory (host): ${bytes(s.memRssBytes)} resident`,
    `Memory (guest):${s.memGuestUsedBytes === null ? ' not measured (no balloon driver in the guest)' : ` ${formatBytes(s.memGuestUsedBytes)} used of ${bytes(s.memGuestTotalBytes)}`}`,
    `Disk read:     ${rate(s.diskReadBps)}, ${iops(s.diskReadIops)} (${bytes(s.diskReadBytes)} since start)`,
    `Disk write:    ${rate(s.diskWriteBps)}, ${iops(s.diskWriteIops)} (${bytes(s.diskWriteBytes)} since start)`,
    `Network:       ${s.netRxBps === null ? 'not measured (only bridged NICs have byte counters; NAT and internal networks have none)' : `${rate(s.netRxBps)} in, ${rate(s.netTxBps)} out`}`,
  ].join('\n');
}

export function usageTable(r: UsageReport): string {
  if (!r.rows.length) return `No usage between ${r.from} and ${r.to} (${r.timezone}).`;
  const rows = r.rows.map((u) => [u.customerName ?? '-', u.vmName, ...(r.rows.some((x) => x.from !== r.from) ? [u.from.slice(0, 10)] : []), hours(u.poweredOnSec), hours(u.vcpuSec), hours(u.gibRamSec), u.diskGibHours.toFixed(3), u.netRxBytes === null ? 'n/m' : formatBytes(u.netRxBytes), u.netTxBytes === null ? 'n/m' : formatBytes(u.netTxBytes)]);
  const header = ['CUSTOMER', 'VM', ...(r.rows.some((x) => x.from !== r.from) ? ['DAY'] : []), 'HOURS ON', 'VCPU-H', 'GIB-RAM-H', 'DISK GIB-H', 'NET IN', 'NET OUT'];
  return `Usage ${r.from} → ${r.to} (${r.timezone}); n/m = not measured\n${table(rows, header)}`;
}

const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function usageCsv(r: UsageReport): string {
  const rows: Array<Array<string | number | null>> = [['customer', 'vm', 'from', 'to', 'powered_on_seconds', 'vcpu_seconds', 'gib_ram_seconds', 'disk_gib_hours', 'net_rx_bytes', 'net_tx_bytes']];
  for (const u of r.rows) rows.push([u.customerName, u.vmName, u.from, u.to, u.poweredOnSec, u.vcpuSec, u.gibRamSec, u.diskGibHours, u.netRxBytes, u.netTxBytes]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

export function registerStatsCommands(program: Command): void {
  program
    .command('stats <vm>')
    .description('Live statistics of a running machine: CPU %, memory, disk throughput and IOPS, network ("not measured" where there is no source).')
    .option('--json', 'print JSON (null = not measured)')
    .action(async (vm: string, o: { json?: boolean }) => {
      const s = await withClient((c) => c.call('metrics.current', { vm }));
      print(!!o.json, s, () => statsText(vm, s));
    });

  program
    .command('usage')
    .description('Metered usage per VM (powered-on hours, vCPU-hours, GiB-RAM-hours, disk GiB-hours, network) for a period; default: this month so far.')
    .option('--period <YYYY-MM>', 'a calendar month in the time zone')
    .option('--from <iso>', 'start (ISO date-time, e.g. 2026-11-01T00:00:00Z)')
    .option('--to <iso>', 'end, exclusive (default: now)')
    .option('--customer <name>', 'only this customer’s VMs')
    .option('--tz <zone>', 'IANA time zone for month and day boundaries (default: the customer’s, else UTC)')
    .option('--daily', 'one row per VM per day (split exactly at midnight in the time zone)')
    .option('--csv', 'print CSV')
    .option('--json', 'print JSON')
    .action(async (o: { period?: string; from?: string; to?: string; customer?: string; tz?: string; daily?: boolean; csv?: boolean; json?: boolean }) => {
      const r = await withClient((c) =>
        c.call('usage.report', {
          ...(o.period ? { period: o.period } : {}),
          ...(o.from ? { from: o.from } : {}),
          ...(o.to ? { to: o.to } : {}),
          ...(o.customer ? { customer: o.customer } : {}),
          ...(o.tz ? { timezone: o.tz } : {}),
          splitBy: o.daily ? 'day' : 'none',
        }),
      );
      if (o.csv) process.stdout.write(usageCsv(r));
      else print(!!o.json, r, () => usageTable(r));
    });
}
