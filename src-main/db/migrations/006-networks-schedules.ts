import type { Migration } from './index';

export const networksSchedules006: Migration = {
  version: 6,
  name: 'internal networks, schedules and their runs, autostart order',
  sql: `
    -- Internal networks: each is one UDP multicast group + port on loopback (see network/network-service.ts).
    CREATE TABLE networks (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      description TEXT NOT NULL DEFAULT '',
      mcast_group TEXT NOT NULL,
      mcast_port INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (mcast_group, mcast_port)
    );

    CREATE TABLE schedules (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      vm_id TEXT REFERENCES vms(id) ON DELETE CASCADE,
      cron TEXT NOT NULL,
      timezone TEXT NOT NULL,
      action TEXT NOT NULL CHECK (action IN ('start', 'shutdown', 'snapshot', 'command')),
      params_json TEXT NOT NULL DEFAULT '{}',
      enabled INTEGER NOT NULL DEFAULT 1,
      grace_sec INTEGER NOT NULL DEFAULT 900,
      -- The last due instant that was handled (run, skipped or recorded as missed): missed runs
      -- are the due instants after it, found when a long-lived engine starts.
      last_due_at TEXT,
      created_at TEXT NOT NULL
    );

    CREATE TABLE schedule_runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      schedule_id TEXT NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
      due_at TEXT,
      started_at TEXT,
      finished_at TEXT,
      trigger TEXT NOT NULL CHECK (trigger IN ('timer', 'catch-up', 'manual')),
      status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'missed', 'skipped')),
      message TEXT
    );
    CREATE INDEX schedule_runs_schedule ON schedule_runs (schedule_id, id);

    -- Start order and delay of autostart VMs (the on/off flag is spec.autostart).
    CREATE TABLE vm_autostart (
      vm_id TEXT PRIMARY KEY REFERENCES vms(id) ON DELETE CASCADE,
      sort_order INTEGER NOT NULL DEFAULT 0,
      delay_sec INTEGER NOT NULL DEFAULT 0
    );
  `,
};
