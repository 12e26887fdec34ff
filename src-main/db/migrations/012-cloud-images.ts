import type { Migration } from './index';

export const cloudImages012: Migration = {
  version: 12,
  name: 'cloud-image flag of library images',
  sql: `
    -- 1 = a cloud image (boots with cloud-init from a NoCloud seed: the wizard asks for a user,
    -- keys and a host name). Set at import from the name or osinfo-db, changeable by the user.
    ALTER TABLE images ADD COLUMN cloud_image INTEGER NOT NULL DEFAULT 0;
  `,
};
