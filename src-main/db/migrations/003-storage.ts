import type { Migration } from './index';

export const storage003: Migration = {
  version: 3,
  name: 'storage: pools, volumes, snapshot tree',
  sql: `
    CREATE TABLE storage_pools (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      host_id TEXT NOT NULL,
      path TEXT NOT NULL,
      is_default INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      UNIQUE (host_id, path)
    );

    -- A volume row is 'pending' while its file is being made (create, clone): a crash leaves a
    -- pending row that the next start removes together with its partial file.
    CREATE TABLE volumes (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      pool_id TEXT NOT NULL REFERENCES storage_pools(id),
      file_name TEXT NOT NULL,
      format TEXT NOT NULL CHECK (format IN ('qcow2', 'raw')),
      state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('pending', 'ready')),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    -- QEMU keeps the snapshots themselves inside the qcow2 files; this table keeps what QEMU
    -- does not: descriptions, the tree (parent) and which snapshot the VM currently descends from.
    CREATE TABLE vm_snapshots (
      id TEXT PRIMARY KEY,
      vm_id TEXT NOT NULL,
      name TEXT NOT NULL COLLATE NOCASE,
      description TEXT NOT NULL DEFAULT '',
      parent_id TEXT,
      has_ram INTEGER NOT NULL DEFAULT 0,
      vm_state_bytes INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      UNIQUE (vm_id, name)
    );
    CREATE TABLE vm_snapshot_current (
      vm_id TEXT PRIMARY KEY,
      snapshot_id TEXT
    );
  `,
};
