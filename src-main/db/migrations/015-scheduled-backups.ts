import type { Migration } from './index';

/**
 * Backup schedules (issue 17): `schedules.action` gets 'backup'. SQLite cannot change a CHECK
 * constraint, so the table is rebuilt (create the new one, copy every row, drop, rename, indexes),
 * all inside the migration's transaction. schedule_runs points at schedules with ON DELETE CASCADE
 * and foreign keys are on (they cannot be switched off inside a transaction): dropping the old
 * schedules table would delete every run through that cascade. So the runs are copied aside first
 * and schedule_runs is rebuilt too, with its ids (AUTOINCREMENT continues after the highest).
 */
export const scheduledBackups015: Migration = {
  version: 15,
  name: 'schedules may back up a VM (action "backup")',
  sql: `
    CREATE TABLE schedule_runs_kept AS SELECT * FROM schedule_runs;
    DROP TABLE schedule_runs;

    CREATE TABLE schedules_new (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      vm_id TEXT REFERENCES vms(id) ON DELETE CASCADE,
      cron TEXT NOT NULL,
      timezone TEXT NOT NULL,
      action TEXT NOT NULL CHECK (action IN ('start', 'shutdown', 'snapshot', 'command', 'backup')),
      params_json TEXT NOT NULL DEFAULT '{}',
      enabled INTEGER NOT NULL DEFAULT 1,
      grace_sec INTEGER NOT NULL DEFAULT 900,
      last_due_at TEXT,
      created_at TEXT NOT NULL
    );
    INSERT INTO schedules_new (id, name, vm_id, cron, timezone, action, params_json, enabled, grace_sec, last_due_at, created_at)
      SELECT id, name, vm_id, cron, timezone, action, params_json, enabled, grace_sec, last_due_at, created_at FROM schedules;
    DROP TABLE schedules;
    ALTER TABLE schedules_new RENAME TO schedules;

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
    INSERT INTO schedule_runs (id, schedule_id, due_at, started_at, finished_at, trigger, status, message)
      SELECT id, schedule_id, due_at, started_at, finished_at, trigger, status, message FROM schedule_runs_kept ORDER BY id;
    DROP TABLE schedule_runs_kept;
    CREATE INDEX schedule_runs_schedule ON schedule_runs (schedule_id, id);
  `,
};
