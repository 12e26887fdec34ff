import type { Migration } from './index';

/**
 * Several Hangar processes share one home (CLIs, `hangar serve`, the desktop app):
 * - a task records the process that runs it (pid + start time, hosts/process-identity.ts), so
 *   another process never marks it interrupted or cleans up its files while it is alive;
 * - `vm_locks` is the per-VM lock held around every state change (compute/vm-lock.ts).
 */
export const processOwnership007: Migration = {
  version: 7,
  name: 'process ownership: task owners, per-VM locks',
  sql: `
    ALTER TABLE tasks ADD COLUMN owner_pid INTEGER;
    ALTER TABLE tasks ADD COLUMN owner_start INTEGER;

    CREATE TABLE vm_locks (
      vm_id TEXT PRIMARY KEY,
      owner_pid INTEGER NOT NULL,
      owner_start INTEGER NOT NULL,
      token TEXT NOT NULL,
      action TEXT NOT NULL,
      since TEXT NOT NULL
    );
  `,
};
