import type { Migration } from './index';

export const backups014: Migration = {
  version: 14,
  name: 'backups (full and incremental chains in backup folders)',
  sql: `
    -- One row per backup; its files sit in folder/. vm_id is not a foreign key: backups outlive their VM.
    CREATE TABLE backups (
      id TEXT PRIMARY KEY,
      vm_id TEXT NOT NULL,
      vm_name TEXT NOT NULL,
      host_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
      parent_id TEXT REFERENCES backups(id),
      folder TEXT NOT NULL,
      created_at TEXT NOT NULL,
      quiesced INTEGER NOT NULL DEFAULT 0,
      files_json TEXT NOT NULL,
      spec_json TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'ready' CHECK (status IN ('ready', 'corrupt')),
      verified_at TEXT
    );
    CREATE INDEX backups_vm ON backups(vm_id, created_at);
  `,
};
