import type { Migration } from './index';

export const images002: Migration = {
  version: 2,
  name: 'images: the image library catalogue and the VM disks made from its images',
  sql: `
    CREATE TABLE images (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL COLLATE NOCASE,
      host_id TEXT NOT NULL,
      format TEXT NOT NULL,
      source_format TEXT NOT NULL,
      -- 'pending' while an import runs: never usable, removed by the import's cleanup after a crash
      status TEXT NOT NULL CHECK (status IN ('pending', 'ready', 'corrupt')),
      status_reason TEXT,
      path TEXT NOT NULL,
      virtual_size INTEGER NOT NULL DEFAULT 0,
      actual_size INTEGER NOT NULL DEFAULT 0,
      sha256 TEXT NOT NULL DEFAULT '',
      stored_sha256 TEXT NOT NULL DEFAULT '',
      os_family TEXT NOT NULL DEFAULT 'other',
      os_version TEXT NOT NULL DEFAULT '',
      arch TEXT NOT NULL DEFAULT 'x86_64',
      volume_label TEXT,
      min_disk_bytes INTEGER NOT NULL DEFAULT 0,
      min_memory_mib INTEGER NOT NULL DEFAULT 0,
      tags_json TEXT NOT NULL DEFAULT '[]',
      description TEXT NOT NULL DEFAULT '',
      source TEXT NOT NULL DEFAULT '',
      created_at TEXT NOT NULL,
      verified_at TEXT
    );
    -- one ready image per name and per content on a host (pending rows have no checksum yet)
    CREATE UNIQUE INDEX images_name ON images (host_id, name) WHERE status != 'pending';
    CREATE INDEX images_sha ON images (host_id, sha256);

    -- VM disks that are overlays on (or copies of) a library image. A row whose VM is gone is
    -- ignored (joined with vms), so deleting a VM needs no extra step here.
    CREATE TABLE image_disks (
      vm_id TEXT NOT NULL,
      disk_path TEXT NOT NULL,
      image_id TEXT NOT NULL,
      linked INTEGER NOT NULL,
      PRIMARY KEY (vm_id, disk_path)
    );
    CREATE INDEX image_disks_image ON image_disks (image_id);
  `,
};
