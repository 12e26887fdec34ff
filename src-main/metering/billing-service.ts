import type { CustomerInfo, Invoice, ParsedInput, PlanInfo, PlanRates, UsageReport, UsageRow, VmBillingInfo } from '../api/contract';
import { ROUNDING_RULE } from '../api/contract';
import { HangarError, notFound } from '../api/errors';
import type { VmService } from '../compute/vm-service';
import type { HostRegistry } from '../hosts/registry';
import { BillingStore, type BillingVmRow } from './billing-store';
import { billVm, invoiceTotals, type BillableVm } from './invoice';
import { overlapMs, poweredOnIntervals, splitAt, type Interval } from './ledger';
import { isKnownCurrency, parseRateMicros } from './money';
import { assertTimeZone, dayBoundaries, resolvePeriod } from './periods';

const GiB = 1024 ** 3;

/**
 * Metering and billing: plans, customers, who owns which VM, usage for any period (from the
 * lifecycle events, so it is right across restarts and while the app is closed) and invoices.
 */
export class BillingService {
  readonly store: BillingStore;

  constructor(
    store: BillingStore,
    private readonly vms: VmService,
    private readonly hosts: HostRegistry,
  ) {
    this.store = store;
  }

  // ------------------------------------------------------------ plans and customers

  createPlan(input: ParsedInput<'plan.create'>): PlanInfo {
    if (!isKnownCurrency(input.currency)) throw new HangarError('INVALID_INPUT', `"${input.currency}" is not an ISO 4217 currency code (such as EUR, USD, JPY).`, { field: 'currency' });
    if (this.store.findPlan(input.name)) throw new HangarError('CONFLICT', `A plan named "${input.name}" already exists. Choose another name.`, { field: 'name' });
    const micros = Object.fromEntries(Object.entries(input.rates).map(([k, v]) => [k, parseRateMicros(v)])) as Record<keyof PlanRates, bigint>;
    return this.store.insertPlan(input.name, input.currency, micros);
  }

  deletePlan(ref: string): void {
    const plan = this.plan(ref);
    const users = this.store.planUsers(plan.id);
    if (users.length) throw new HangarError('CONFLICT', `Plan "${plan.name}" is in use by ${users.join(', ')}: give them another plan first.`);
    this.store.deletePlan(plan.id);
  }

  plan(ref: string): PlanInfo {
    const p = this.store.findPlan(ref);
    if (!p) throw notFound('plan', ref);
    return p;
  }

  customer(ref: string): CustomerInfo {
    const c = this.store.findCustomer(ref);
    if (!c) throw notFound('customer', ref);
    return c;
  }

  createCustomer(input: ParsedInput<'customer.create'>): CustomerInfo {
    if (this.store.findCustomer(input.name)) throw new HangarError('CONFLICT', `A customer named "${input.name}" already exists.`, { field: 'name' });
    const tz = assertTimeZone(input.timezone);
    return this.store.insertCustomer(input.name, tz, input.plan ? this.plan(input.plan).id : null);
  }

  updateCustomer(input: ParsedInput<'customer.update'>): CustomerInfo {
    const c = this.customer(input.customer);
    const tz = input.timezone === undefined ? c.timezone : assertTimeZone(input.timezone);
    const planId = input.plan === undefined ? c.planId : input.plan === null ? null : this.plan(input.plan).id;
    this.store.updateCustomer(c.id, tz, planId);
    return this.customer(c.id);
  }

  deleteCustomer(ref: string): void {
    this.store.deleteCustomer(this.customer(ref).id);
  }

  async assign(input: ParsedInput<'billing.assign'>): Promise<VmBillingInfo> {
    const vm = this.vms.resolve(input.vm);
    await this.sync();
    const row = this.store.vmRows().find((r) => r.vm_id === vm.id)!;
    const customerId = input.customer === undefined ? row.customer_id : input.customer === null ? null : this.customer(input.customer).id;
    const planId = input.plan === undefined ? row.plan_id : input.plan === null ? null : this.plan(input.plan).id;
    this.store.assign(vm.id, customerId, planId);
    return (await this.vmBilling()).find((v) => v.vmId === vm.id)!;
  }

  async vmBilling(): Promise<VmBillingInfo[]> {
    await this.sync();
    const customers = new Map(this.store.customers().map((c) => [c.id, c]));
    const plans = new Map(this.store.plans().map((p) => [p.id, p]));
    return this.store
      .vmRows()
      .filter((r) => !r.deleted_at)
      .map((r) => {
        const customer = r.customer_id ? customers.get(r.customer_id) ?? null : null;
        const effective = r.plan_id ?? customer?.planId ?? null;
        return {
          vmId: r.vm_id,
          vmName: r.vm_name,
          customerId: customer?.id ?? null,
          customerName: customer?.name ?? null,
          planId: r.plan_id,
          effectivePlanId: effective,
          effectivePlanName: effective ? plans.get(effective)?.name ?? null : null,
        };
      })
      .sort((a, b) => a.vmName.localeCompare(b.vmName));
  }

  /** Bring the per-VM snapshots (name, vCPUs, memory, disk bytes) in line with the inventory. */
  async sync(): Promise<void> {
    const live = this.vms.list();
    for (const vm of live) {
      let diskBytes = 0;
      const host = this.hosts.get(vm.hostId);
      for (const d of vm.spec.disks) diskBytes += (await host.fs.stat(d.path).catch(() => null))?.size ?? 0;
      this.store.upsertVm({ vm_id: vm.id, vm_name: vm.name, cpus: vm.spec.cpus, memory_mib: vm.spec.memoryMiB, disk_bytes: diskBytes, vm_created_at: vm.createdAt });
    }
    const ids = new Set(live.map((v) => v.id));
    for (const r of this.store.vmRows()) if (!r.deleted_at && !ids.has(r.vm_id)) this.store.markDeleted(r.vm_id, this.store.lastEventAt(r.vm_id) ?? new Date().toISOString());
  }

  // ------------------------------------------------------------ usage and invoices

  private async billables(now: number): Promise<Array<{ row: BillingVmRow; on: Interval[]; exists: Interval }>> {
    await this.vms.reconcileAll(); // a VM that stopped while no engine ran gets its real stop time first
    await this.sync();
    const events = this.store.eventsByVm();
    return this.store.vmRows().map((row) => ({
      row,
      on: poweredOnIntervals(events.get(row.vm_id) ?? [], now),
      // a live VM exists up to now, never beyond: disk GiB·h and flat fees accrue only for time that has passed
      exists: { from: Date.parse(row.vm_created_at), to: row.deleted_at ? Date.parse(row.deleted_at) : now },
    }));
  }

  async usage(input: ParsedInput<'usage.report'>, now = Date.now()): Promise<UsageReport> {
    const customer = input.customer ? this.customer(input.customer) : null;
    const tz = assertTimeZone(input.timezone ?? customer?.timezone ?? 'UTC');
    const period = resolvePeriod(input, tz, now);
    const customers = new Map(this.store.customers().map((c) => [c.id, c]));
    const rows: UsageRow[] = [];
    for (const b of await this.billables(now)) {
      if (customer && b.row.customer_id !== customer.id) continue;
      if (overlapMs([b.exists], period.from, period.to) === 0) continue;
      const buckets = input.splitBy === 'day' ? splitAt(period.from, period.to, dayBoundaries(period.from, period.to, tz)) : [period];
      for (const bucket of buckets) {
        const onMs = overlapMs(b.on, bucket.from, bucket.to);
        const existsMs = overlapMs([b.exists], bucket.from, bucket.to);
        const net = this.store.netBytes(b.row.vm_id, bucket.from, bucket.to);
        const owner = b.row.customer_id ? customers.get(b.row.customer_id) ?? null : null;
        rows.push({
          vmId: b.row.vm_id,
          vmName: b.row.vm_name,
          customerId: owner?.id ?? null,
          customerName: owner?.name ?? null,
          from: new Date(bucket.from).toISOString(),
          to: new Date(bucket.to).toISOString(),
          poweredOnSec: onMs / 1000,
          vcpuSec: (onMs / 1000) * b.row.cpus,
          gibRamSec: ((onMs / 1000) * b.row.memory_mib) / 1024,
          diskGibHours: ((existsMs / 3_600_000) * b.row.disk_bytes) / GiB,
          netRxBytes: net.rx,
          netTxBytes: net.tx,
        });
      }
    }
    return { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString(), timezone: tz, rows, totalsByCustomer: totals(rows) };
  }

  async invoice(input: ParsedInput<'billing.invoice'>, now = Date.now()): Promise<Invoice> {
    const customer = this.customer(input.customer);
    const tz = assertTimeZone(input.timezone ?? customer.timezone);
    const period = resolvePeriod(input, tz, now);
    const plans = new Map(this.store.plans().map((p) => [p.id, p]));
    const lines: Invoice['lines'] = [];
    const unbilled: string[] = [];
    const billables = (await this.billables(now)).filter((b) => b.row.customer_id === customer.id).sort((a, b) => a.row.vm_name.localeCompare(b.row.vm_name));
    for (const b of billables) {
      if (overlapMs([b.exists], period.from, period.to) === 0) continue;
      const planId = b.row.plan_id ?? customer.planId;
      const plan = planId ? plans.get(planId) : undefined;
      if (!plan) {
        unbilled.push(b.row.vm_name);
        continue;
      }
      const net = this.store.netBytes(b.row.vm_id, period.from, period.to);
      const vm: BillableVm = {
        vmId: b.row.vm_id,
        vmName: b.row.vm_name,
        cpus: b.row.cpus,
        memoryMiB: b.row.memory_mib,
        diskBytes: b.row.disk_bytes,
        on: b.on,
        exists: b.exists,
        netRxBytes: net.rx,
        netTxBytes: net.tx,
      };
      lines.push(...billVm(vm, plan, period, tz));
    }
    return {
      customerId: customer.id,
      customerName: customer.name,
      periodLabel: period.label,
      from: new Date(period.from).toISOString(),
      to: new Date(period.to).toISOString(),
      timezone: tz,
      lines,
      totals: invoiceTotals(lines),
      unbilledVms: unbilled,
      roundingRule: ROUNDING_RULE,
      generatedAt: new Date(now).toISOString(),
    };
  }
}

function totals(rows: UsageRow[]): UsageReport['totalsByCustomer'] {
  const map = new Map<string, UsageReport['totalsByCustomer'][number] & { ids: Set<string> }>();
  for (const r of rows) {
    const key = r.customerId ?? '';
    let t = map.get(key);
    if (!t) map.set(key, (t = { customerId: r.customerId, customerName: r.customerName, poweredOnSec: 0, vcpuSec: 0, gibRamSec: 0, diskGibHours: 0, netRxBytes: null, netTxBytes: null, vms: 0, ids: new Set() }));
    t.ids.add(r.vmId);
    t.vms = t.ids.size;
    t.poweredOnSec += r.poweredOnSec;
    t.vcpuSec += r.vcpuSec;
    t.gibRamSec += r.gibRamSec;
    t.diskGibHours += r.diskGibHours;
    if (r.netRxBytes !== null) t.netRxBytes = (t.netRxBytes ?? 0) + r.netRxBytes;
    if (r.netTxBytes !== null) t.netTxBytes = (t.netTxBytes ?? 0) + r.netTxBytes;
  }
  return [...map.values()].map(({ ids: _ids, ...t }) => t);
}
