import type { Migration } from './index';

/**
 * Whether a backup is consistent (the VM was stopped, or its guest agent froze the file systems)
 * or crash-consistent (a running VM without an answering agent). `quiesced` alone cannot tell a
 * stopped VM's backup (consistent, nothing to freeze) from a running one's. NULL: a row from
 * before this column, judged by `quiesced` (backups/backup-repo.ts).
 */
export const backupConsistency016: Migration = {
  version: 16,
  name: 'backups: consistent or crash-consistent',
  sql: `ALTER TABLE backups ADD COLUMN consistent INTEGER;`,
};
