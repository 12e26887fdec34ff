import type { Db } from '../db/database';
import { nowIso } from '../db/repositories/vms';
import type { SshTarget } from './ssh-host';

/** One row of the hosts table: "local" or an SSH host with its pinned key. */
export interface HostRecord {
  id: string;
  name: string;
  kind: 'local' | 'ssh';
  target: SshTarget | null;
  fingerprint: string | null;
  keyType: string | null;
  createdAt: string;
}

interface HostRow {
  id: string;
  name: string;
  kind: 'local' | 'ssh';
  config_json: string;
  host_key_fingerprint: string | null;
  host_key_type: string | null;
  created_at: string;
}

const toRecord = (r: HostRow): HostRecord => {
  const cfg = JSON.parse(r.config_json || '{}') as Partial<SshTarget>;
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    target:
      r.kind === 'ssh'
        ? { name: r.name, address: cfg.address ?? '', port: cfg.port ?? 22, user: cfg.user ?? '', keyPath: cfg.keyPath ?? null, remoteHome: cfg.remoteHome ?? null }
        : null,
    fingerprint: r.host_key_fingerprint,
    keyType: r.host_key_type,
    createdAt: r.created_at,
  };
};

export class HostRepository {
  constructor(private readonly db: Db) {}

  list(): HostRecord[] {
    return (this.db.prepare("SELECT * FROM hosts ORDER BY kind = 'ssh', name COLLATE NOCASE").all() as HostRow[]).map(toRecord);
  }

  /** By id, or by name (case-insensitive). */
  find(ref: string): HostRecord | null {
    const row = (this.db.prepare('SELECT * FROM hosts WHERE id = ?').get(ref) ?? this.db.prepare('SELECT * FROM hosts WHERE name = ? COLLATE NOCASE').get(ref)) as HostRow | undefined;
    return row ? toRecord(row) : null;
  }

  nameTaken(name: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM hosts WHERE name = ? COLLATE NOCASE').get(name);
  }

  insertSsh(id: string, target: SshTarget, fingerprint: string, keyType: string): HostRecord {
    const { name, ...config } = target;
    this.db
      .prepare("INSERT INTO hosts (id, name, kind, config_json, host_key_fingerprint, host_key_type, created_at) VALUES (?, ?, 'ssh', ?, ?, ?, ?)")
      .run(id, name, JSON.stringify(config), fingerprint, keyType, nowIso());
    return this.find(id)!;
  }

  delete(id: string): void {
    this.db.prepare("DELETE FROM hosts WHERE id = ? AND kind = 'ssh'").run(id);
  }

  vmCount(id: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM vms WHERE host_id = ?').get(id) as { n: number }).n;
  }
}
