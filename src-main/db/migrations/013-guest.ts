import type { Migration } from './index';

export const guest013: Migration = {
  version: 13,
  name: 'snapshot consistency (guest agent freeze/thaw)',
  sql: `
    -- "consistent": the guest agent froze the guest's file systems during the snapshot (or the VM
    -- was stopped); "crash-consistent": taken like a power cut. NULL: taken before this was recorded.
    ALTER TABLE vm_snapshots ADD COLUMN consistency TEXT CHECK (consistency IN ('consistent', 'crash-consistent'));
  `,
};
