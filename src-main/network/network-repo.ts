import type { Db } from '../db/database';
import { nowIso } from '../db/repositories/vms';

/** The SQL of internal networks (network-service.ts has the rules). */
export interface NetworkRow {
  id: string;
  name: string;
  description: string;
  mcast_group: string;
  mcast_port: number;
  created_at: string;
}

export class NetworkRepository {
  constructor(private readonly db: Db) {}

  list(): NetworkRow[] {
    return this.db.prepare('SELECT * FROM networks ORDER BY name COLLATE NOCASE').all() as NetworkRow[];
  }

  /** By id, or by name (case-insensitive). */
  find(ref: string): NetworkRow | null {
    return (this.db.prepare('SELECT * FROM networks WHERE id = ? OR name = ? COLLATE NOCASE').get(ref, ref) as NetworkRow | undefined) ?? null;
  }

  /** Throws the UNIQUE violation (name, or the multicast group and port) for the caller to judge. */
  insert(row: Omit<NetworkRow, 'created_at'>): void {
    this.db
      .prepare('INSERT INTO networks (id, name, description, mcast_group, mcast_port, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, row.name, row.description, row.mcast_group, row.mcast_port, nowIso());
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
  }
}
