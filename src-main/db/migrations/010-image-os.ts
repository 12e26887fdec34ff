import type { Migration } from './index';

/** The osinfo-db OS detected on an ISO at import (os/os-detect.ts): its short id, e.g. "win11". */
export const imageOs010: Migration = {
  version: 10,
  name: 'osinfo OS of library images',
  sql: `ALTER TABLE images ADD COLUMN os_id TEXT;`,
};
