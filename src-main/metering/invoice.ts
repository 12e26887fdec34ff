import type { InvoiceLine, LineKind, PlanRates } from '../api/contract';
import { chargeMinor, minorDigits, parseRateMicros, type Fraction } from './money';
import { overlapMs, type Interval } from './ledger';
import { monthSlices } from './periods';

/**
 * Pure invoice arithmetic: one VM's exact usage in a period × its plan → line items in minor
 * units. Quantities stay exact fractions (integer ms and bytes) until each line is rounded
 * half-up; invoice totals are sums of rounded lines.
 */
export interface BillablePlan {
  name: string;
  currency: string;
  rates: PlanRates;
}

export interface BillableVm {
  vmId: string;
  vmName: string;
  cpus: number;
  memoryMiB: number;
  diskBytes: number;
  /** Powered-on intervals (any span; clipped to the period here). */
  on: Interval[];
  /** When the VM existed (created → deleted or open-ended). */
  exists: Interval;
  /** Bytes in and out during the period; null when not measured. */
  netRxBytes: number | null;
  netTxBytes: number | null;
}

const HOUR_MS = 3_600_000n;
const GIB = 1024n ** 3n;

export function billVm(vm: BillableVm, plan: BillablePlan, period: Interval, tz: string): InvoiceLine[] {
  const digits = minorDigits(plan.currency);
  const onMs = BigInt(overlapMs(vm.on, period.from, period.to));
  const existsMs = BigInt(overlapMs([vm.exists], period.from, period.to));
  const net = vm.netRxBytes === null || vm.netTxBytes === null ? null : BigInt(vm.netRxBytes + vm.netTxBytes);
  const lines: InvoiceLine[] = [];
  const add = (kind: LineKind, rate: string, q: Fraction, unit: string, notMeasured = false) => {
    const micros = parseRateMicros(rate);
    if (micros === 0n) return;
    lines.push({
      vmId: vm.vmId,
      vmName: vm.vmName,
      planName: plan.name,
      currency: plan.currency,
      kind,
      quantity: Number(q.num) / Number(q.den),
      unit,
      rate,
      amountMinor: notMeasured ? 0 : chargeMinor(micros, q, digits),
      notMeasured,
    });
  };
  add('poweredOn', plan.rates.perHourOn, { num: onMs, den: HOUR_MS }, 'h');
  add('vcpu', plan.rates.perVcpuHour, { num: onMs * BigInt(vm.cpus), den: HOUR_MS }, 'vCPU·h');
  add('ram', plan.rates.perGibRamHour, { num: onMs * BigInt(vm.memoryMiB), den: HOUR_MS * 1024n }, 'GiB·h');
  add('transfer', plan.rates.perGbTransferred, { num: net ?? 0n, den: 1_000_000_000n }, 'GB', net === null);
  add('disk', plan.rates.perDiskGibHour, { num: existsMs * BigInt(vm.diskBytes), den: HOUR_MS * GIB }, 'GiB·h');
  add('flat', plan.rates.flatMonthly, monthsCovered(vm.exists, period, tz), 'month');
  return lines;
}

/** Σ over calendar months (in tz) of (time the VM existed in that month ∩ period) / month length. */
export function monthsCovered(exists: Interval, period: Interval, tz: string): Fraction {
  let acc: Fraction = { num: 0n, den: 1n };
  const from = Math.max(exists.from, period.from);
  const to = Math.min(exists.to, period.to);
  if (!(to > from)) return acc;
  for (const s of monthSlices(from, to, tz)) {
    const part: Fraction = { num: BigInt(s.to - s.from), den: BigInt(s.monthTo - s.monthFrom) };
    acc = { num: acc.num * part.den + part.num * acc.den, den: acc.den * part.den };
  }
  return acc;
}

/** Totals per currency: sums of the rounded lines. */
export function invoiceTotals(lines: readonly InvoiceLine[]): Array<{ currency: string; amountMinor: number; minorDigits: number }> {
  const byCurrency = new Map<string, number>();
  for (const l of lines) byCurrency.set(l.currency, (byCurrency.get(l.currency) ?? 0) + l.amountMinor);
  return [...byCurrency].map(([currency, amountMinor]) => ({ currency, amountMinor, minorDigits: minorDigits(currency) }));
}
