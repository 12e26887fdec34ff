import type { Migration } from './index';

export const metricsBilling004: Migration = {
  version: 4,
  name: 'metrics rollups, billing plans, customers, VM assignments',
  sql: `
    -- Metrics rollups: 60 s rows kept 7 days, 3600 s rows kept a year. subject = VM id or 'host:<id>'.
    -- Byte columns are sums over the bucket; NULL means "not measured", never 0.
    CREATE TABLE metric_rollups (
      subject TEXT NOT NULL,
      resolution INTEGER NOT NULL CHECK (resolution IN (60, 3600)),
      ts INTEGER NOT NULL,
      samples INTEGER NOT NULL,
      cpu_pct REAL,
      mem_rss_bytes REAL,
      mem_guest_used_bytes REAL,
      mem_guest_total_bytes REAL,
      mem_total_bytes REAL,
      disk_read_bytes REAL,
      disk_write_bytes REAL,
      disk_read_ops REAL,
      disk_write_ops REAL,
      net_rx_bytes REAL,
      net_tx_bytes REAL,
      disk_used_bytes REAL,
      disk_total_bytes REAL,
      PRIMARY KEY (subject, resolution, ts)
    ) WITHOUT ROWID;

    -- Rates are integer micros (10^-6) of the plan currency's major unit.
    CREATE TABLE billing_plans (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      currency TEXT NOT NULL,
      per_hour_on INTEGER NOT NULL DEFAULT 0,
      per_vcpu_hour INTEGER NOT NULL DEFAULT 0,
      per_gib_ram_hour INTEGER NOT NULL DEFAULT 0,
      per_gb_transferred INTEGER NOT NULL DEFAULT 0,
      per_disk_gib_hour INTEGER NOT NULL DEFAULT 0,
      flat_monthly INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL
    );

    CREATE TABLE billing_customers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      timezone TEXT NOT NULL DEFAULT 'UTC',
      plan_id TEXT REFERENCES billing_plans(id),
      created_at TEXT NOT NULL
    );

    -- One row per VM ever assigned. No foreign key to vms: the row (with the last known name and
    -- size) outlives a deleted VM, so past periods can still be invoiced.
    CREATE TABLE billing_vms (
      vm_id TEXT PRIMARY KEY,
      vm_name TEXT NOT NULL,
      cpus INTEGER NOT NULL,
      memory_mib INTEGER NOT NULL,
      disk_bytes INTEGER NOT NULL DEFAULT 0,
      vm_created_at TEXT NOT NULL,
      deleted_at TEXT,
      customer_id TEXT REFERENCES billing_customers(id) ON DELETE SET NULL,
      plan_id TEXT REFERENCES billing_plans(id)
    );
  `,
};
