import type { Migration } from './index';

/**
 * Engine notices that must outlive the process that raised them (issue 12): a database found
 * damaged and rebuilt by a CLI call must still reach the desktop app's banner and `hangar doctor`.
 * Also a bound on schedule run history (one row a second for ever before).
 */
export const notices008: Migration = {
  version: 8,
  name: 'notices: engine notices kept until dismissed',
  sql: `
    CREATE TABLE engine_notices (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      level TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
      code TEXT NOT NULL,
      message TEXT NOT NULL,
      details_json TEXT NOT NULL DEFAULT '{}',
      dismissed_at TEXT
    );
  `,
};
