import { randomUUID } from 'node:crypto';
import type { CustomerInfo, PlanInfo, PlanRates, VmState } from '../api/contract';
import type { Db } from '../db/database';
import { MICROS_PER_UNIT } from './money';

/** SQLite rows of plans, customers and VM assignments (migration 004), and the lifecycle events. */
interface PlanRow {
  id: string;
  name: string;
  currency: string;
  per_hour_on: number;
  per_vcpu_hour: number;
  per_gib_ram_hour: number;
  per_gb_transferred: number;
  per_disk_gib_hour: number;
  flat_monthly: number;
  created_at: string;
}

export interface BillingVmRow {
  vm_id: string;
  vm_name: string;
  cpus: number;
  memory_mib: number;
  disk_bytes: number;
  vm_created_at: string;
  deleted_at: string | null;
  customer_id: string | null;
  plan_id: string | null;
}

const RATE_COLUMNS: Array<[keyof PlanRates, keyof PlanRow]> = [
  ['perHourOn', 'per_hour_on'],
  ['perVcpuHour', 'per_vcpu_hour'],
  ['perGibRamHour', 'per_gib_ram_hour'],
  ['perGbTransferred', 'per_gb_transferred'],
  ['perDiskGibHour', 'per_disk_gib_hour'],
  ['flatMonthly', 'flat_monthly'],
];

/** 12_500 micros → "0.0125" (the shortest exact decimal). */
export function microsToDecimal(micros: number): string {
  const whole = Math.floor(micros / Number(MICROS_PER_UNIT));
  const frac = String(micros % Number(MICROS_PER_UNIT)).padStart(6, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

const toPlan = (r: PlanRow): PlanInfo => ({
  id: r.id,
  name: r.name,
  currency: r.currency,
  rates: Object.fromEntries(RATE_COLUMNS.map(([k, c]) => [k, microsToDecimal(r[c] as number)])) as PlanRates,
  createdAt: r.created_at,
});

export class BillingStore {
  constructor(private readonly db: Db) {}

  plans(): PlanInfo[] {
    return (this.db.prepare('SELECT * FROM billing_plans ORDER BY name COLLATE NOCASE').all() as PlanRow[]).map(toPlan);
  }

  findPlan(ref: string): PlanInfo | null {
    const row = (this.db.prepare('SELECT * FROM billing_plans WHERE id = ?').get(ref) ?? this.db.prepare('SELECT * FROM billing_plans WHERE name = ? COLLATE NOCASE').get(ref)) as PlanRow | undefined;
    return row ? toPlan(row) : null;
  }

  insertPlan(name: string, currency: string, micros: Record<keyof PlanRates, bigint>): PlanInfo {
    const id = randomUUID();
    this.db
      .prepare(`INSERT INTO billing_plans (id, name, currency, ${RATE_COLUMNS.map(([, c]) => c).join(', ')}, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(id, name, currency, ...RATE_COLUMNS.map(([k]) => Number(micros[k])), new Date().toISOString());
    return this.findPlan(id)!;
  }

  planUsers(planId: string): string[] {
    const customers = this.db.prepare('SELECT name FROM billing_customers WHERE plan_id = ?').all(planId) as Array<{ name: string }>;
    const vms = this.db.prepare('SELECT vm_name AS name FROM billing_vms WHERE plan_id = ? AND deleted_at IS NULL').all(planId) as Array<{ name: string }>;
    return [...customers.map((c) => `customer ${c.name}`), ...vms.map((v) => `VM ${v.name}`)];
  }

  deletePlan(id: string): void {
    // deleted VMs' rows keep their history but lose the plan (they can no longer be invoiced with it)
    this.db.transaction(() => {
      this.db.prepare('UPDATE billing_vms SET plan_id = NULL WHERE plan_id = ?').run(id);
      this.db.prepare('DELETE FROM billing_plans WHERE id = ?').run(id);
    })();
  }

  customers(): CustomerInfo[] {
    const rows = this.db
      .prepare('SELECT c.*, p.name AS plan_name FROM billing_customers c LEFT JOIN billing_plans p ON p.id = c.plan_id ORDER BY c.name COLLATE NOCASE')
      .all() as Array<{ id: string; name: string; timezone: string; plan_id: string | null; plan_name: string | null; created_at: string }>;
    const vms = this.db.prepare('SELECT vm_id, customer_id FROM billing_vms WHERE customer_id IS NOT NULL AND deleted_at IS NULL').all() as Array<{ vm_id: string; customer_id: string }>;
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      timezone: r.timezone,
      planId: r.plan_id,
      planName: r.plan_name,
      vmIds: vms.filter((v) => v.customer_id === r.id).map((v) => v.vm_id),
      createdAt: r.created_at,
    }));
  }

  findCustomer(ref: string): CustomerInfo | null {
    const lower = ref.toLowerCase();
    return this.customers().find((c) => c.id === ref || c.name.toLowerCase() === lower) ?? null;
  }

  insertCustomer(name: string, timezone: string, planId: string | null): CustomerInfo {
    const id = randomUUID();
    this.db.prepare('INSERT INTO billing_customers (id, name, timezone, plan_id, created_at) VALUES (?, ?, ?, ?, ?)').run(id, name, timezone, planId, new Date().toISOString());
    return this.findCustomer(id)!;
  }

  updateCustomer(id: string, timezone: string, planId: string | null): void {
    this.db.prepare('UPDATE billing_customers SET timezone = ?, plan_id = ? WHERE id = ?').run(timezone, planId, id);
  }

  deleteCustomer(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE billing_vms SET customer_id = NULL WHERE customer_id = ?').run(id);
      this.db.prepare('DELETE FROM billing_customers WHERE id = ?').run(id);
    })();
  }

  vmRows(): BillingVmRow[] {
    return this.db.prepare('SELECT * FROM billing_vms').all() as BillingVmRow[];
  }

  /** Insert or refresh a VM's snapshot (name, size) without touching its assignment. */
  upsertVm(row: Omit<BillingVmRow, 'customer_id' | 'plan_id' | 'deleted_at'>): void {
    this.db
      .prepare(
        `INSERT INTO billing_vms (vm_id, vm_name, cpus, memory_mib, disk_bytes, vm_created_at) VALUES (@vm_id, @vm_name, @cpus, @memory_mib, @disk_bytes, @vm_created_at)
         ON CONFLICT (vm_id) DO UPDATE SET vm_name = excluded.vm_name, cpus = excluded.cpus, memory_mib = excluded.memory_mib, disk_bytes = excluded.disk_bytes, deleted_at = NULL`,
      )
      .run(row);
  }

  markDeleted(vmId: string, at: string): void {
    this.db.prepare('UPDATE billing_vms SET deleted_at = ? WHERE vm_id = ? AND deleted_at IS NULL').run(at, vmId);
  }

  assign(vmId: string, customerId: string | null, planId: string | null): void {
    this.db.prepare('UPDATE billing_vms SET customer_id = ?, plan_id = ? WHERE vm_id = ?').run(customerId, planId, vmId);
  }

  /** Lifecycle events of every VM, in recording order. */
  eventsByVm(): Map<string, Array<{ at: string; to: VmState }>> {
    const out = new Map<string, Array<{ at: string; to: VmState }>>();
    for (const e of this.db.prepare('SELECT vm_id, at, to_state FROM vm_events ORDER BY id').iterate() as IterableIterator<{ vm_id: string; at: string; to_state: VmState }>) {
      let list = out.get(e.vm_id);
      if (!list) out.set(e.vm_id, (list = []));
      list.push({ at: e.at, to: e.to_state });
    }
    return out;
  }

  lastEventAt(vmId: string): string | null {
    return (this.db.prepare('SELECT MAX(at) AS at FROM vm_events WHERE vm_id = ?').get(vmId) as { at: string | null }).at;
  }

  /** Network bytes from the metrics rollups in [from, to); null when no rollup measured them. */
  netBytes(vmId: string, from: number, to: number): { rx: number | null; tx: number | null } {
    const r = this.db
      .prepare('SELECT SUM(net_rx_bytes) AS rx, SUM(net_tx_bytes) AS tx, COUNT(net_rx_bytes) AS n FROM metric_rollups WHERE subject = ? AND resolution = 60 AND ts >= ? AND ts < ?')
      .get(vmId, Math.floor(from / 1000), Math.ceil(to / 1000)) as { rx: number | null; tx: number | null; n: number };
    return r.n > 0 ? { rx: r.rx, tx: r.tx } : { rx: null, tx: null };
  }
}
