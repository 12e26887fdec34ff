import type { BackupInfo, VmSpec } from '../api/contract';
import type { Db } from '../db/database';

interface Row {
  id: string;
  vm_id: string;
  vm_name: string;
  host_id: string;
  kind: BackupInfo['kind'];
  parent_id: string | null;
  folder: string;
  created_at: string;
  quiesced: number;
  /** Migration 015; null on older rows. */
  consistent: number | null;
  files_json: string;
  spec_json: string;
  status: BackupInfo['status'];
  verified_at: string | null;
}

const toInfo = (r: Row): BackupInfo => {
  const files = JSON.parse(r.files_json) as BackupInfo['files'];
  return {
    id: r.id, vmId: r.vm_id, vmName: r.vm_name, hostId: r.host_id, kind: r.kind, parentId: r.parent_id, folder: r.folder, createdAt: r.created_at,
    quiesced: r.quiesced === 1, consistency: (r.consistent ?? r.quiesced) === 1 ? 'consistent' : 'crash-consistent', bytes: files.reduce((s, f) => s + f.bytes, 0), files, status: r.status, verifiedAt: r.verified_at,
  };
};

/** The backups table (migration 014). */
export class BackupRepository {
  constructor(private readonly db: Db) {}

  list(vmId?: string): BackupInfo[] {
    const rows = (vmId ? this.db.prepare('SELECT * FROM backups WHERE vm_id = ? ORDER BY created_at DESC, rowid DESC').all(vmId) : this.db.prepare('SELECT * FROM backups ORDER BY created_at DESC, rowid DESC').all()) as Row[];
    return rows.map(toInfo);
  }

  get(ref: string): BackupInfo | null {
    const row = this.db.prepare('SELECT * FROM backups WHERE id = ? OR id LIKE ? ORDER BY created_at DESC LIMIT 2').all(ref, `${ref}%`) as Row[];
    return row.length === 1 || row[0]?.id === ref ? toInfo(row[0]!) : null;
  }

  spec(id: string): VmSpec {
    return JSON.parse((this.db.prepare('SELECT spec_json FROM backups WHERE id = ?').get(id) as { spec_json: string }).spec_json) as VmSpec;
  }

  insert(b: BackupInfo, spec: VmSpec): void {
    this.db
      .prepare('INSERT INTO backups (id, vm_id, vm_name, host_id, kind, parent_id, folder, created_at, quiesced, consistent, files_json, spec_json, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(b.id, b.vmId, b.vmName, b.hostId, b.kind, b.parentId, b.folder, b.createdAt, b.quiesced ? 1 : 0, b.consistency === undefined ? null : b.consistency === 'consistent' ? 1 : 0, JSON.stringify(b.files), JSON.stringify(spec), b.status);
  }

  setStatus(id: string, status: BackupInfo['status'], verifiedAt: string): void {
    this.db.prepare('UPDATE backups SET status = ?, verified_at = ? WHERE id = ?').run(status, verifiedAt, id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM backups WHERE id = ?').run(id);
  }
}
