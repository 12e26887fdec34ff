import type { Db } from '../db/database';
import { nowIso } from '../db/repositories/vms';
import type { VolumeFormat } from '../api/contract';

/** Rows of the storage tables (migration 003). Plain data; the services add files and QEMU. */
export interface PoolRow {
  id: string;
  name: string;
  hostId: string;
  path: string;
  isDefault: boolean;
  createdAt: string;
}

export interface VolumeRow {
  id: string;
  name: string;
  poolId: string;
  fileName: string;
  format: VolumeFormat;
  state: 'pending' | 'ready';
  createdAt: string;
  updatedAt: string;
}

export interface SnapshotRow {
  id: string;
  vmId: string;
  name: string;
  description: string;
  parentId: string | null;
  hasRam: boolean;
  vmStateBytes: number;
  createdAt: string;
  /** Guest file systems frozen by the agent during the snapshot (migration 013); null: not recorded. */
  consistency?: 'consistent' | 'crash-consistent' | null;
}

interface RawPool {
  id: string;
  name: string;
  host_id: string;
  path: string;
  is_default: number;
  created_at: string;
}
interface RawVolume {
  id: string;
  name: string;
  pool_id: string;
  file_name: string;
  format: VolumeFormat;
  state: 'pending' | 'ready';
  created_at: string;
  updated_at: string;
}
interface RawSnapshot {
  id: string;
  vm_id: string;
  name: string;
  description: string;
  parent_id: string | null;
  has_ram: number;
  vm_state_bytes: number;
  created_at: string;
  consistency?: string | null;
}

const pool = (r: RawPool): PoolRow => ({ id: r.id, name: r.name, hostId: r.host_id, path: r.path, isDefault: r.is_default === 1, createdAt: r.created_at });
const volume = (r: RawVolume): VolumeRow => ({
  id: r.id,
  name: r.name,
  poolId: r.pool_id,
  fileName: r.file_name,
  format: r.format,
  state: r.state,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const snapshot = (r: RawSnapshot): SnapshotRow => ({
  id: r.id,
  vmId: r.vm_id,
  name: r.name,
  description: r.description,
  parentId: r.parent_id,
  hasRam: r.has_ram === 1,
  vmStateBytes: r.vm_state_bytes,
  createdAt: r.created_at,
  consistency: r.consistency === 'consistent' || r.consistency === 'crash-consistent' ? r.consistency : null,
});

export class StorageRepository {
  constructor(private readonly db: Db) {}

  // ------------------------------------------------------------ pools

  pools(hostId?: string): PoolRow[] {
    const rows = hostId
      ? (this.db.prepare('SELECT * FROM storage_pools WHERE host_id = ? ORDER BY is_default DESC, name').all(hostId) as RawPool[])
      : (this.db.prepare('SELECT * FROM storage_pools ORDER BY is_default DESC, name').all() as RawPool[]);
    return rows.map(pool);
  }

  findPool(ref: string): PoolRow | null {
    const r = this.db.prepare('SELECT * FROM storage_pools WHERE id = ? OR name = ? COLLATE NOCASE').get(ref, ref) as RawPool | undefined;
    return r ? pool(r) : null;
  }

  defaultPool(hostId: string): PoolRow | null {
    const r = this.db.prepare('SELECT * FROM storage_pools WHERE host_id = ? AND is_default = 1').get(hostId) as RawPool | undefined;
    return r ? pool(r) : null;
  }

  poolByPath(hostId: string, path: string): PoolRow | null {
    const r = this.db.prepare('SELECT * FROM storage_pools WHERE host_id = ? AND path = ?').get(hostId, path) as RawPool | undefined;
    return r ? pool(r) : null;
  }

  insertPool(p: Omit<PoolRow, 'createdAt'>): PoolRow {
    const createdAt = nowIso();
    this.db.prepare('INSERT INTO storage_pools (id, name, host_id, path, is_default, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(p.id, p.name, p.hostId, p.path, p.isDefault ? 1 : 0, createdAt);
    return { ...p, createdAt };
  }

  /**
   * Insert a pool unless one with the same host+path (or name) already exists, in one statement:
   * two requests that both find no default pool (check-then-insert) must not race into a
   * UNIQUE error. Returns the row that is there afterwards.
   */
  insertPoolIfAbsent(p: Omit<PoolRow, 'createdAt'>): PoolRow {
    this.db
      .prepare('INSERT INTO storage_pools (id, name, host_id, path, is_default, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(p.id, p.name, p.hostId, p.path, p.isDefault ? 1 : 0, nowIso());
    const row = this.poolByPath(p.hostId, p.path) ?? this.findPool(p.name);
    if (!row) throw new Error(`pool ${p.name} could not be registered`);
    return row;
  }

  deletePool(id: string): void {
    this.db.prepare('DELETE FROM storage_pools WHERE id = ?').run(id);
  }

  // ------------------------------------------------------------ volumes

  volumes(poolId?: string): VolumeRow[] {
    const rows = poolId
      ? (this.db.prepare("SELECT * FROM volumes WHERE pool_id = ? AND state = 'ready' ORDER BY name").all(poolId) as RawVolume[])
      : (this.db.prepare("SELECT * FROM volumes WHERE state = 'ready' ORDER BY name").all() as RawVolume[]);
    return rows.map(volume);
  }

  /** Every row, pending ones too (orphan detection must not call a file being made an orphan). */
  allVolumeRows(): VolumeRow[] {
    return (this.db.prepare('SELECT * FROM volumes').all() as RawVolume[]).map(volume);
  }

  pendingVolumes(): VolumeRow[] {
    return (this.db.prepare("SELECT * FROM volumes WHERE state = 'pending'").all() as RawVolume[]).map(volume);
  }

  findVolume(ref: string): VolumeRow | null {
    const r = this.db.prepare("SELECT * FROM volumes WHERE state = 'ready' AND (id = ? OR name = ? COLLATE NOCASE)").get(ref, ref) as RawVolume | undefined;
    return r ? volume(r) : null;
  }

  volumeNameTaken(name: string, exceptId?: string): boolean {
    const r = this.db.prepare('SELECT id FROM volumes WHERE name = ? COLLATE NOCASE').get(name) as { id: string } | undefined;
    return !!r && r.id !== exceptId;
  }

  insertVolume(v: Omit<VolumeRow, 'createdAt' | 'updatedAt'>): VolumeRow {
    const now = nowIso();
    this.db
      .prepare('INSERT INTO volumes (id, name, pool_id, file_name, format, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(v.id, v.name, v.poolId, v.fileName, v.format, v.state, now, now);
    return { ...v, createdAt: now, updatedAt: now };
  }

  setFileName(id: string, fileName: string): void {
    this.db.prepare('UPDATE volumes SET file_name = ? WHERE id = ?').run(fileName, id);
  }

  markVolumeReady(id: string): void {
    this.db.prepare("UPDATE volumes SET state = 'ready', updated_at = ? WHERE id = ?").run(nowIso(), id);
  }

  renameVolume(id: string, name: string): void {
    this.db.prepare('UPDATE volumes SET name = ?, updated_at = ? WHERE id = ?').run(name, nowIso(), id);
  }

  touchVolume(id: string): void {
    this.db.prepare('UPDATE volumes SET updated_at = ? WHERE id = ?').run(nowIso(), id);
  }

  deleteVolume(id: string): void {
    this.db.prepare('DELETE FROM volumes WHERE id = ?').run(id);
  }

  countVolumes(poolId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM volumes WHERE pool_id = ?').get(poolId) as { n: number }).n;
  }

  // ------------------------------------------------------------ snapshots

  snapshots(vmId: string): SnapshotRow[] {
    return (this.db.prepare('SELECT * FROM vm_snapshots WHERE vm_id = ? ORDER BY created_at, rowid').all(vmId) as RawSnapshot[]).map(snapshot);
  }

  findSnapshot(vmId: string, ref: string): SnapshotRow | null {
    const r = this.db.prepare('SELECT * FROM vm_snapshots WHERE vm_id = ? AND (id = ? OR name = ? COLLATE NOCASE)').get(vmId, ref, ref) as RawSnapshot | undefined;
    return r ? snapshot(r) : null;
  }

  insertSnapshot(s: Omit<SnapshotRow, 'createdAt'> & { createdAt?: string }): SnapshotRow {
    const createdAt = s.createdAt ?? nowIso();
    this.db
      .prepare('INSERT INTO vm_snapshots (id, vm_id, name, description, parent_id, has_ram, vm_state_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.id, s.vmId, s.name, s.description, s.parentId, s.hasRam ? 1 : 0, s.vmStateBytes, createdAt);
    return { ...s, createdAt };
  }

  setSnapshotConsistency(id: string, consistency: 'consistent' | 'crash-consistent'): void {
    this.db.prepare('UPDATE vm_snapshots SET consistency = ? WHERE id = ?').run(consistency, id);
  }

  /** Remove a snapshot; its children move up to its parent; if it was current, its parent becomes current. */
  deleteSnapshot(s: SnapshotRow): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE vm_snapshots SET parent_id = ? WHERE vm_id = ? AND parent_id = ?').run(s.parentId, s.vmId, s.id);
      this.db.prepare('DELETE FROM vm_snapshots WHERE id = ?').run(s.id);
      if (this.currentSnapshot(s.vmId) === s.id) this.setCurrentSnapshot(s.vmId, s.parentId);
    })();
  }

  currentSnapshot(vmId: string): string | null {
    const r = this.db.prepare('SELECT snapshot_id FROM vm_snapshot_current WHERE vm_id = ?').get(vmId) as { snapshot_id: string | null } | undefined;
    return r?.snapshot_id ?? null;
  }

  setCurrentSnapshot(vmId: string, snapshotId: string | null): void {
    this.db.prepare('INSERT INTO vm_snapshot_current (vm_id, snapshot_id) VALUES (?, ?) ON CONFLICT (vm_id) DO UPDATE SET snapshot_id = excluded.snapshot_id').run(vmId, snapshotId);
  }

  /** Forget a deleted VM's snapshot rows (its qcow2 files, and the snapshots in them, went with it). */
  forgetVm(vmId: string): void {
    this.db.prepare('DELETE FROM vm_snapshots WHERE vm_id = ?').run(vmId);
    this.db.prepare('DELETE FROM vm_snapshot_current WHERE vm_id = ?').run(vmId);
  }
}
