import type { VmInfo, VmSpec, VmState } from '../../api/contract';
import { mapUnique } from '../constraint-errors';
import type { Db } from '../database';
import { placeholderSpec, readSerialLines, readStoredSpec } from './vm-row-check';

interface VmRow {
  id: string;
  name: string;
  host_id: string;
  spec_json: string;
  state: VmState;
  state_reason: string | null;
  accel: 'kvm' | 'tcg' | null;
  pid: number | null;
  started_at: string | null;
  last_serial_lines: string;
  dir: string;
  created_at: string;
  updated_at: string;
}

export interface RuntimeFields {
  state: VmState;
  stateReason: string | null;
  accel?: 'kvm' | 'tcg' | null;
  pid?: number | null;
  startedAt?: string | null;
  lastSerialLines?: string[];
}

const toInfo = (r: VmRow): VmInfo => {
  // one malformed row must not take every list down (issue 12): it becomes a "damaged" VM
  const spec = readStoredSpec(r);
  return {
    id: r.id,
    name: r.name,
    hostId: r.host_id,
    state: r.state,
    stateReason: r.state_reason,
    spec: spec.ok ? spec.spec : placeholderSpec(r),
    accel: r.accel,
    pid: r.pid,
    startedAt: r.started_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastSerialLines: readSerialLines(r.last_serial_lines),
    dir: r.dir,
    ...(!spec.ok && { damaged: spec.reason }),
  };
};

export const nowIso = () => new Date().toISOString();

/** The VM inventory. The row is the source of truth; vm.json in the VM folder is an export. */
export class VmRepository {
  constructor(private readonly db: Db) {}

  list(): VmInfo[] {
    return (this.db.prepare('SELECT * FROM vms ORDER BY name COLLATE NOCASE').all() as VmRow[]).map(toInfo);
  }

  get(id: string): VmInfo | null {
    const row = this.db.prepare('SELECT * FROM vms WHERE id = ?').get(id) as VmRow | undefined;
    return row ? toInfo(row) : null;
  }

  /** By id, or else by name (case-insensitive). */
  find(ref: string): VmInfo | null {
    const row = (this.db.prepare('SELECT * FROM vms WHERE id = ?').get(ref) ?? this.db.prepare('SELECT * FROM vms WHERE name = ? COLLATE NOCASE').get(ref)) as VmRow | undefined;
    return row ? toInfo(row) : null;
  }

  nameTaken(name: string, exceptId?: string): boolean {
    const row = this.db.prepare('SELECT id FROM vms WHERE name = ? COLLATE NOCASE').get(name) as { id: string } | undefined;
    return !!row && row.id !== exceptId;
  }

  insert(spec: VmSpec, hostId: string, dir: string): VmInfo {
    const now = nowIso();
    // another process may have taken the name since the caller checked it: say so in words
    mapUnique(() =>
      this.db
        .prepare('INSERT INTO vms (id, name, host_id, spec_json, state, dir, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(spec.id, spec.name, hostId, JSON.stringify(spec), 'stopped', dir, now, now),
      spec.name,
    );
    return this.get(spec.id)!;
  }

  updateSpec(spec: VmSpec): VmInfo {
    mapUnique(() => this.db.prepare('UPDATE vms SET name = ?, spec_json = ?, updated_at = ? WHERE id = ?').run(spec.name, JSON.stringify(spec), nowIso(), spec.id), spec.name);
    return this.get(spec.id)!;
  }

  /** Record a state change and its event row in one transaction. */
  setRuntime(id: string, fields: RuntimeFields, at = nowIso()): VmInfo | null {
    const before = this.get(id);
    if (!before) return null;
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE vms SET state = ?, state_reason = ?, accel = ?, pid = ?, started_at = ?, last_serial_lines = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          fields.state,
          fields.stateReason,
          fields.accel === undefined ? before.accel : fields.accel,
          fields.pid === undefined ? before.pid : fields.pid,
          fields.startedAt === undefined ? before.startedAt : fields.startedAt,
          JSON.stringify(fields.lastSerialLines ?? before.lastSerialLines),
          at,
          id,
        );
      if (before.state !== fields.state) {
        this.db.prepare('INSERT INTO vm_events (vm_id, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)').run(id, at, before.state, fields.state, fields.stateReason);
      }
    })();
    return this.get(id);
  }

  /**
   * The switch of a live migration: the row names the destination host, folder and QEMU, in the
   * state the destination runs in (the source's STOP at "completed" may have written "paused").
   * Only if the row is still the source's active VM; false otherwise.
   */
  switchHost(id: string, fromHostId: string, to: { hostId: string; dir: string; pid: number; spec: VmSpec; state: 'running' | 'paused' }, at = nowIso()): boolean {
    const before = this.get(id);
    if (!before) return false;
    return this.db.transaction(() => {
      const r = this.db
        .prepare("UPDATE vms SET host_id = ?, dir = ?, pid = ?, spec_json = ?, state = ?, state_reason = NULL, updated_at = ? WHERE id = ? AND host_id = ? AND state IN ('running', 'paused')")
        .run(to.hostId, to.dir, to.pid, JSON.stringify(to.spec), to.state, at, id, fromHostId);
      if (r.changes !== 1) return false;
      if (before.state !== to.state) this.db.prepare('INSERT INTO vm_events (vm_id, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)').run(id, at, before.state, to.state, null);
      return true;
    })();
  }

  /**
   * The switch of an offline move (hosts/vm-move.ts): the row names the new host, folder and disk
   * paths, only while the VM is still stopped or crashed; false otherwise.
   */
  switchHostStopped(id: string, to: { hostId: string; dir: string; spec: VmSpec }, at = nowIso()): boolean {
    return (
      this.db
        .prepare("UPDATE vms SET host_id = ?, dir = ?, spec_json = ?, pid = NULL, updated_at = ? WHERE id = ? AND state IN ('stopped', 'crashed')")
        .run(to.hostId, to.dir, JSON.stringify(to.spec), at, id).changes === 1
    );
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM vms WHERE id = ?').run(id);
  }

  events(id: string): Array<{ at: string; from: string | null; to: VmState; reason: string | null }> {
    return (this.db.prepare('SELECT at, from_state AS "from", to_state AS "to", reason FROM vm_events WHERE vm_id = ? ORDER BY id').all(id) as Array<{
      at: string;
      from: string | null;
      to: VmState;
      reason: string | null;
    }>);
  }
}
