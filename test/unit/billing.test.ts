import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PlanRates } from '../../src-main/api/contract';
import { billVm, invoiceTotals, monthsCovered, type BillableVm } from '../../src-main/metering/invoice';
import { invoiceCsv, invoiceHtml } from '../../src-main/metering/invoice-export';
import { overlapMs, poweredOnIntervals, splitAt } from '../../src-main/metering/ledger';
import { chargeMinor, formatMinor, minorDigits, parseRateMicros, roundHalfUp } from '../../src-main/metering/money';
import { dayBoundaries, monthOf, monthPeriod, resolvePeriod } from '../../src-main/metering/periods';

const T = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const rates = (r: Partial<PlanRates>): PlanRates => ({ perHourOn: '0', perVcpuHour: '0', perGibRamHour: '0', perGbTransferred: '0', perDiskGibHour: '0', flatMonthly: '0', ...r });
const vm = (v: Partial<BillableVm>): BillableVm => ({ vmId: 'id', vmName: 'web', cpus: 1, memoryMiB: 1024, diskBytes: 0, on: [], exists: { from: 0, to: Number.MAX_SAFE_INTEGER }, netRxBytes: null, netTxBytes: null, ...v });

describe('money', () => {
  test('rates parse exactly to micros; malformed amounts are refused', () => {
    assert.equal(parseRateMicros('0.045'), 45_000n);
    assert.equal(parseRateMicros('12'), 12_000_000n);
    assert.equal(parseRateMicros('0.000001'), 1n);
    assert.throws(() => parseRateMicros('1.2345678'), /at most 6 decimals/);
    assert.throws(() => parseRateMicros('-1'), /not an amount/);
  });

  test('half-up rounding at exactly half a cent, and just below it', () => {
    assert.equal(roundHalfUp(1n, 2n), 1n);
    assert.equal(roundHalfUp(3n, 2n), 2n);
    assert.equal(roundHalfUp(4999n, 10000n), 0n);
    // 0.015 EUR/h × 1 h = 1.5 cents → 2 cents; 0.0149 → 1 cent
    assert.equal(chargeMinor(parseRateMicros('0.015'), { num: 1n, den: 1n }, 2), 2);
    assert.equal(chargeMinor(parseRateMicros('0.0149'), { num: 1n, den: 1n }, 2), 1);
    // 0.10/h for 90 min = 15 cents exactly
    assert.equal(chargeMinor(parseRateMicros('0.10'), { num: BigInt(90 * 60_000), den: BigInt(H) }, 2), 15);
  });

  test('minor units follow the currency (JPY 0, EUR 2, BHD 3) and format without floats', () => {
    assert.equal(minorDigits('JPY'), 0);
    assert.equal(minorDigits('EUR'), 2);
    assert.equal(minorDigits('BHD'), 3);
    assert.throws(() => minorDigits('XYZ1'), /ISO 4217/);
    assert.equal(formatMinor(5, 2), '0.05');
    assert.equal(formatMinor(123456, 2), '1234.56');
    assert.equal(formatMinor(7, 0), '7');
    assert.equal(formatMinor(1234, 3), '1.234');
  });
});

describe('ledger intervals from lifecycle events', () => {
  test('starting → running → paused → running → stopping → stopped is one powered-on interval; crashed ends one too', () => {
    const ev = [
      { at: '2037-11-02T10:00:00.000Z', to: 'starting' as const },
      { at: '2037-11-02T10:00:02.000Z', to: 'running' as const },
      { at: '2037-11-02T11:00:00.000Z', to: 'paused' as const },
      { at: '2037-11-02T11:30:00.000Z', to: 'running' as const },
      { at: '2037-11-02T12:00:00.000Z', to: 'stopping' as const },
      { at: '2037-11-02T12:00:05.250Z', to: 'stopped' as const },
      { at: '2037-11-03T08:00:00.000Z', to: 'starting' as const },
      { at: '2037-11-03T08:00:01.000Z', to: 'running' as const },
      { at: '2037-11-03T09:00:00.125Z', to: 'crashed' as const },
    ];
    const iv = poweredOnIntervals(ev, T('2037-12-01T00:00:00Z'));
    assert.deepEqual(iv, [
      { from: T('2037-11-02T10:00:00Z'), to: T('2037-11-02T12:00:05.250Z') },
      { from: T('2037-11-03T08:00:00Z'), to: T('2037-11-03T09:00:00.125Z') },
    ]);
  });

  test('an exit time from the keeper (whole seconds) counts to the middle of that second', () => {
    const iv = poweredOnIntervals([{ at: '2037-11-02T10:00:00.200Z', to: 'starting' }, { at: '2037-11-02T10:00:07Z', to: 'stopped' }], T('2037-12-01T00:00:00Z'));
    assert.deepEqual(iv, [{ from: T('2037-11-02T10:00:00.200Z'), to: T('2037-11-02T10:00:07.500Z') }]);
  });

  test('a VM still running is counted up to now, and usage for [from, to) intersects', () => {
    const iv = poweredOnIntervals([{ at: '2037-11-02T10:00:00Z', to: 'running' }], T('2037-11-02T13:00:00Z'));
    assert.equal(overlapMs(iv, T('2037-11-02T11:00:00Z'), T('2037-11-02T12:30:00Z')), 1.5 * H);
    assert.equal(overlapMs(iv, T('2037-11-02T14:00:00Z'), T('2037-11-02T15:00:00Z')), 0);
  });
});

describe('periods and time zones', () => {
  test('a month in UTC and in Europe/Paris (CET, UTC+1) starts and ends at local midnight', () => {
    assert.deepEqual(monthPeriod('2030-11', 'UTC'), { from: T('2030-11-01T00:00:00Z'), to: T('2030-12-01T00:00:00Z'), label: '2030-11' });
    const paris = monthPeriod('2030-11', 'Europe/Paris');
    assert.equal(new Date(paris.from).toISOString(), '2030-10-31T23:00:00.000Z');
    assert.equal(new Date(paris.to).toISOString(), '2030-11-30T23:00:00.000Z');
    // December → January crosses the year
    assert.equal(new Date(monthPeriod('2030-12', 'UTC').to).toISOString(), '2031-01-01T00:00:00.000Z');
  });

  test('a month with a DST change: March 2026 in Paris is 31 days minus one hour', () => {
    const p = monthPeriod('2026-03', 'Europe/Paris');
    assert.equal(new Date(p.from).toISOString(), '2026-02-28T23:00:00.000Z');
    assert.equal(new Date(p.to).toISOString(), '2026-03-31T22:00:00.000Z');
    assert.equal(p.to - p.from, 31 * 24 * H - H);
  });

  test('a VM running across midnight is split exactly at local midnight (UTC and New York)', () => {
    const on = [{ from: T('2037-11-02T23:30:00Z'), to: T('2037-11-03T00:45:00Z') }];
    const utcDays = splitAt(T('2037-11-02T00:00:00Z'), T('2037-11-04T00:00:00Z'), dayBoundaries(T('2037-11-02T00:00:00Z'), T('2037-11-04T00:00:00Z'), 'UTC'));
    assert.deepEqual(utcDays.map((d) => overlapMs(on, d.from, d.to)), [30 * 60_000, 45 * 60_000]);
    // New York (UTC-5 in November): midnight is 05:00Z; the same run is all on Nov 2 local
    const ny = monthPeriod('2037-11', 'America/New_York');
    const nyDays = splitAt(ny.from, ny.to, dayBoundaries(ny.from, ny.to, 'America/New_York'));
    assert.equal(nyDays.length, 30);
    const nov2 = nyDays[1]!;
    assert.equal(new Date(nov2.from).toISOString(), '2037-11-02T05:00:00.000Z');
    assert.equal(overlapMs(on, nov2.from, nov2.to), 75 * 60_000);
    // November 1 in New York has the DST fall-back: 25 hours
    assert.equal(nyDays[0]!.to - nyDays[0]!.from, 25 * H);
  });

  test('a VM running across a month end is billed in each month for exactly its part', () => {
    const on = [{ from: T('2037-11-30T22:00:00Z'), to: T('2037-12-01T02:00:00Z') }];
    const plan = { name: 'hourly', currency: 'EUR', rates: rates({ perHourOn: '1' }) };
    const nov = monthPeriod('2037-11', 'UTC');
    const dec = monthPeriod('2037-12', 'UTC');
    assert.equal(billVm(vm({ on }), plan, nov, 'UTC')[0]!.amountMinor, 200);
    assert.equal(billVm(vm({ on }), plan, dec, 'UTC')[0]!.amountMinor, 200);
    // in Paris the month ends at 23:00Z: 1 h in November, 3 h in December
    assert.equal(billVm(vm({ on }), plan, monthPeriod('2037-11', 'Europe/Paris'), 'Europe/Paris')[0]!.amountMinor, 100);
    assert.equal(billVm(vm({ on }), plan, monthPeriod('2037-12', 'Europe/Paris'), 'Europe/Paris')[0]!.amountMinor, 300);
  });

  test('a period needs to > from, and a month excludes from/to', () => {
    assert.throws(() => resolvePeriod({ from: '2037-11-02T00:00:00Z', to: '2037-11-01T00:00:00Z' }, 'UTC'), /after/);
    assert.throws(() => resolvePeriod({ period: '2037-11', from: '2037-11-02T00:00:00Z' }, 'UTC'), /either/);
  });

  test('the current month ends at now; past months are whole (issue 12: disk GiB·h billed to the month end)', () => {
    const now = Date.now(); // any instant: the month is derived from it
    const month = monthOf(now, 'UTC');
    const whole = monthPeriod(month, 'UTC');
    const current = resolvePeriod({ period: month }, 'UTC', now);
    assert.equal(current.from, whole.from);
    assert.equal(current.to, now);
    const before = monthOf(whole.from - 1, 'UTC');
    assert.deepEqual(resolvePeriod({ period: before }, 'UTC', now), monthPeriod(before, 'UTC'));
    // a VM created 10 minutes ago with 1 GiB of disk, billed per disk GiB-hour, up to now: 1/6 GiB·h at most
    const created = now - 10 * 60_000;
    const plan = { name: 'disk', currency: 'EUR', rates: rates({ perDiskGibHour: '6' }) };
    const lines = billVm(vm({ diskBytes: 1024 ** 3, exists: { from: created, to: now } }), plan, current, 'UTC');
    const disk = lines.find((l) => l.kind === 'disk')!;
    assert.ok(disk.quantity <= (now - Math.max(created, current.from)) / H + 1e-9, String(disk.quantity));
  });
});

describe('invoice arithmetic', () => {
  test('combined plan: hours on, vCPU-hours and GiB-RAM-hours, each line rounded half-up', () => {
    // 2 vCPUs, 1536 MiB, on for 10 h 20 min 30 s in November
    const onMs = 10 * H + 20 * 60_000 + 30_000;
    const on = [{ from: T('2037-11-05T08:00:00Z'), to: T('2037-11-05T08:00:00Z') + onMs }];
    const lines = billVm(vm({ cpus: 2, memoryMiB: 1536, on }), { name: 'combo', currency: 'EUR', rates: rates({ perHourOn: '0.05', perVcpuHour: '0.013', perGibRamHour: '0.0071' }) }, monthPeriod('2037-11', 'UTC'), 'UTC');
    const hours = onMs / H; // 10.341666…
    assert.deepEqual(lines.map((l) => l.kind), ['poweredOn', 'vcpu', 'ram']);
    // by hand: 0.05 × 10.341666 = 0.517083 → 52 cents; 0.013 × 20.683333 = 0.268883 → 27; 0.0071 × 15.5125 = 0.110139 → 11
    assert.equal(lines[0]!.amountMinor, 52);
    assert.equal(lines[1]!.amountMinor, 27);
    assert.equal(lines[2]!.amountMinor, 11);
    assert.ok(Math.abs(lines[1]!.quantity - 2 * hours) < 1e-9);
    assert.deepEqual(invoiceTotals(lines), [{ currency: 'EUR', amountMinor: 90, minorDigits: 2 }]);
  });

  test('totals are sums of rounded lines (two half-cent lines make 2 cents, not 1)', () => {
    const on = [{ from: T('2037-11-05T00:00:00Z'), to: T('2037-11-05T01:00:00Z') }];
    const plan = { name: 'tiny', currency: 'USD', rates: rates({ perHourOn: '0.005' }) };
    const a = billVm(vm({ vmId: 'a', on }), plan, monthPeriod('2037-11', 'UTC'), 'UTC');
    const b = billVm(vm({ vmId: 'b', on }), plan, monthPeriod('2037-11', 'UTC'), 'UTC');
    assert.equal(a[0]!.amountMinor, 1);
    assert.deepEqual(invoiceTotals([...a, ...b]), [{ currency: 'USD', amountMinor: 2, minorDigits: 2 }]);
  });

  test('flat monthly fee: a whole month is the fee, half of November is half, prorated across two months', () => {
    const nov = monthPeriod('2037-11', 'UTC');
    const plan = { name: 'flat', currency: 'EUR', rates: rates({ flatMonthly: '30' }) };
    assert.equal(billVm(vm({}), plan, nov, 'UTC')[0]!.amountMinor, 3000);
    assert.equal(billVm(vm({ exists: { from: T('2037-11-16T00:00:00Z'), to: Number.MAX_SAFE_INTEGER } }), plan, nov, 'UTC')[0]!.amountMinor, 1500);
    // 15 Nov → 16 Dec: 16/30 + 15/31 months
    const f = monthsCovered({ from: T('2037-11-15T00:00:00Z'), to: T('2037-12-16T00:00:00Z') }, { from: nov.from, to: T('2038-01-01T00:00:00Z') }, 'UTC');
    assert.ok(Math.abs(Number(f.num) / Number(f.den) - (16 / 30 + 15 / 31)) < 1e-12);
  });

  test('traffic that is not measured is shown as such and charged 0; measured traffic is charged per GB', () => {
    const plan = { name: 'traffic', currency: 'EUR', rates: rates({ perGbTransferred: '0.09' }) };
    const nov = monthPeriod('2037-11', 'UTC');
    const unmeasured = billVm(vm({}), plan, nov, 'UTC')[0]!;
    assert.equal(unmeasured.notMeasured, true);
    assert.equal(unmeasured.amountMinor, 0);
    const measured = billVm(vm({ netRxBytes: 3_000_000_000, netTxBytes: 2_500_000_000 }), plan, nov, 'UTC')[0]!;
    assert.equal(measured.amountMinor, 50); // 5.5 GB × 0.09 = 0.495 → 50 cents (half-up)
  });

  test('JPY has no minor unit: amounts round to whole yen', () => {
    const on = [{ from: T('2037-11-05T00:00:00Z'), to: T('2037-11-05T00:30:00Z') }];
    const line = billVm(vm({ on }), { name: 'yen', currency: 'JPY', rates: rates({ perHourOn: '15' }) }, monthPeriod('2037-11', 'UTC'), 'UTC')[0]!;
    assert.equal(line.amountMinor, 8); // 7.5 → 8
  });

  test('CSV and HTML exports carry every line and the totals; names are escaped', () => {
    const on = [{ from: T('2037-11-05T00:00:00Z'), to: T('2037-11-05T02:00:00Z') }];
    const lines = billVm(vm({ vmName: '=evil, "vm"', on }), { name: 'p', currency: 'EUR', rates: rates({ perHourOn: '1.5' }) }, monthPeriod('2037-11', 'UTC'), 'UTC');
    const inv = { customerId: 'c', customerName: 'ACME <b>', periodLabel: '2037-11', from: '2037-11-01T00:00:00.000Z', to: '2037-12-01T00:00:00.000Z', timezone: 'UTC', lines, totals: invoiceTotals(lines), unbilledVms: [], roundingRule: 'rule', generatedAt: '2037-12-01T00:00:00.000Z' };
    const csv = invoiceCsv(inv);
    assert.match(csv, /"'=evil, ""vm""",p,Powered on,2,h,1.5,EUR,3.00,300,/);
    assert.match(csv, /TOTAL,,,,EUR,3.00,300,/);
    const html = invoiceHtml(inv);
    assert.match(html, /ACME &lt;b&gt;/);
    assert.match(html, /@media print/);
    assert.match(html, /€3\.00/);
  });
});
