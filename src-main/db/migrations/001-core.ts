import type { Migration } from './index';

export const core001: Migration = {
  version: 1,
  name: 'core: hosts, vms, vm lifecycle events, tasks',
  sql: `
    CREATE TABLE hosts (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('local', 'ssh')),
      config_json TEXT NOT NULL DEFAULT '{}',
      created_at TEXT NOT NULL
    );
    INSERT INTO hosts (id, name, kind, created_at) VALUES ('local', 'This computer', 'local', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

    CREATE TABLE vms (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      host_id TEXT NOT NULL REFERENCES hosts(id),
      spec_json TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'stopped',
      state_reason TEXT,
      accel TEXT,
      pid INTEGER,
      started_at TEXT,
      last_serial_lines TEXT NOT NULL DEFAULT '[]',
      dir TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    -- Every lifecycle transition, in order: the metering ledger derives powered-on time from it.
    CREATE TABLE vm_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      vm_id TEXT NOT NULL,
      at TEXT NOT NULL,
      from_state TEXT,
      to_state TEXT NOT NULL,
      reason TEXT
    );
    CREATE INDEX vm_events_vm_at ON vm_events (vm_id, at);

    CREATE TABLE tasks (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      title TEXT NOT NULL,
      state TEXT NOT NULL,
      progress REAL,
      message TEXT,
      error_json TEXT,
      result_json TEXT,
      cancellable INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      finished_at TEXT
    );
  `,
};
