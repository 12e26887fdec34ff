import type { Db } from '../db/database';
import type { VmSpec } from '../api/contract';

/**
 * The rows a database rebuild writes (recovery/rebuild.ts decides what they hold, from the files
 * on disk): all of its SQL, in one place like every other repository.
 */
export type RecoverableTable = 'vms' | 'images' | 'storage_pools' | 'volumes';

export interface RecoveredImage {
  id: string;
  name: string;
  format: string;
  path: string;
  virtualSize: number;
  actualSize: number;
  sha256: string;
  volumeLabel: string | null;
  createdAt: string;
}

export class RebuildRepository {
  constructor(
    private readonly db: Db,
    /** One timestamp for every row of this rebuild. */
    private readonly now: string,
  ) {}

  /** `wanted`, or `wanted (2)`, `(3)`…: the first name no row of `table` has (names are unique, case aside). */
  uniqueName(table: RecoverableTable, wanted: string): string {
    const taken = (n: string) => !!this.db.prepare(`SELECT 1 FROM ${table} WHERE name = ? COLLATE NOCASE`).get(n);
    if (!taken(wanted)) return wanted;
    for (let i = 2; ; i++) if (!taken(`${wanted} (${i})`)) return `${wanted} (${i})`;
  }

  insertImage(i: RecoveredImage): void {
    this.db
      .prepare(
        `INSERT INTO images (id, name, host_id, format, source_format, status, status_reason, path, virtual_size, actual_size, sha256, stored_sha256,
           volume_label, description, source, created_at, verified_at) VALUES (?, ?, 'local', ?, ?, 'ready', NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(i.id, i.name, i.format, i.format, i.path, i.virtualSize, i.actualSize, i.sha256, i.sha256, i.volumeLabel, 'Recovered from the library folder after the database was rebuilt.', i.path, i.createdAt, this.now);
  }

  hasVm(id: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM vms WHERE id = ?').get(id);
  }

  /** The VM's row from its vm.json; a QEMU found alive makes it running, with an event that says why. */
  insertVm(spec: VmSpec, dir: string, livePid: number | null): void {
    const reason = 'found running when the database was rebuilt';
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO vms (id, name, host_id, spec_json, state, state_reason, pid, dir, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(spec.id, spec.name, 'local', JSON.stringify(spec), livePid !== null ? 'running' : 'stopped', livePid !== null ? reason : null, livePid, dir, this.now, this.now);
      if (livePid !== null) this.db.prepare('INSERT INTO vm_events (vm_id, at, from_state, to_state, reason) VALUES (?, ?, NULL, ?, ?)').run(spec.id, this.now, 'running', reason);
    })();
  }

  linkDiskToImage(vmId: string, diskPath: string, imageId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO image_disks (vm_id, disk_path, image_id, linked) VALUES (?, ?, ?, 1)').run(vmId, diskPath, imageId);
  }

  insertPool(id: string, name: string, dir: string, isDefault: boolean): void {
    this.db.prepare('INSERT INTO storage_pools (id, name, host_id, path, is_default, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, name, 'local', dir, isDefault ? 1 : 0, this.now);
  }

  insertVolume(id: string, name: string, poolId: string, fileName: string, format: string): void {
    this.db.prepare('INSERT INTO volumes (id, name, pool_id, file_name, format, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(id, name, poolId, fileName, format, 'ready', this.now, this.now);
  }
}
