import { randomUUID } from 'node:crypto';
import { HangarError } from '../api/errors';
import type { Db } from '../db/database';
import { nowIso } from '../db/repositories/vms';
import { isAlive, selfIdentity } from '../hosts/process-identity';

/**
 * The per-VM lock, held around every state change of a VM (start, shutdown, force-off, pause,
 * resume, reset, settings, delete, snapshots, disks, migration), across every Hangar process
 * that shares this home: CLIs, `hangar serve`, the desktop app.
 *
 * Why a row in SQLite and not flock or an O_EXCL lock file: Node has no flock (spawning
 * `flock` would tie the lock to a helper process and a pipe), and an O_EXCL file needs a
 * "stale owner" takeover that is itself racy (two processes see the same dead owner, one removes
 * the other's fresh lock). Every process that can change a VM already shares hangar.db, whose
 * write lock makes check-and-take one atomic step (BEGIN IMMEDIATE): a lock whose owner
 * (pid + start time, hosts/process-identity.ts) is dead is taken over in the same transaction,
 * so a crash never leaves a VM locked, and a reused pid is not mistaken for the owner. It also
 * covers VMs on LAN hosts, whose rows live in the same database.
 */
export type VmLockAction = 'start' | 'stop' | 'kill' | 'pause' | 'resume' | 'reset' | 'update' | 'delete' | 'snapshot' | 'disks' | 'migrate' | 'move' | 'clone';

const DOING: Record<VmLockAction, string> = {
  start: 'starting',
  stop: 'shutting down',
  kill: 'forcing off',
  pause: 'pausing',
  resume: 'resuming',
  reset: 'resetting',
  update: 'changing the settings of',
  delete: 'deleting',
  snapshot: 'taking or restoring a snapshot of',
  disks: 'changing the disks of',
  migrate: 'migrating',
  move: 'moving',
  clone: 'cloning',
};

interface LockRow {
  vm_id: string;
  owner_pid: number;
  owner_start: number;
  token: string;
  action: VmLockAction;
  since: string;
}

/** The sentence for a VM whose lock is held (pure; unit-tested). */
export function busyMessage(vmName: string, held: { action: VmLockAction; pid: number }, wanted: VmLockAction, selfPid: number): string {
  const who = held.pid === selfPid ? 'this Hangar process' : `another Hangar process (pid ${held.pid})`;
  if (held.action === 'start' && wanted === 'start') return `VM "${vmName}" is already starting: ${who} is starting it.`;
  return `VM "${vmName}" is busy: ${who} is ${DOING[held.action]} it. Try again when that has finished.`;
}

export class VmLocks {
  constructor(private readonly db: Db) {}

  /**
   * Take the lock of one VM or throw INVALID_STATE saying who holds it. Returns the release
   * function (idempotent). Never waits: a second start of the same VM is refused at once.
   */
  acquire(vm: { id: string; name: string }, action: VmLockAction): () => void {
    const me = selfIdentity();
    const token = randomUUID();
    const take = this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM vm_locks WHERE vm_id = ?').get(vm.id) as LockRow | undefined;
      if (row && isAlive({ pid: row.owner_pid, start: row.owner_start })) return row;
      this.db
        .prepare('INSERT OR REPLACE INTO vm_locks (vm_id, owner_pid, owner_start, token, action, since) VALUES (?, ?, ?, ?, ?, ?)')
        .run(vm.id, me.pid, me.start, token, action, nowIso());
      return null;
    });
    const held = take.immediate();
    if (held) throw new HangarError('INVALID_STATE', busyMessage(vm.name, { action: held.action, pid: held.owner_pid }, action, me.pid), { lockedBy: held.owner_pid, action: held.action });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      try {
        this.db.prepare('DELETE FROM vm_locks WHERE vm_id = ? AND token = ?').run(vm.id, token);
      } catch {
        // database closed (engine quitting): the lock dies with this process anyway
      }
    };
  }

  /** Is this VM locked by ANOTHER live process (whose half-done change must not be judged now)? */
  heldElsewhere(vmId: string): boolean {
    const row = this.db.prepare('SELECT owner_pid, owner_start FROM vm_locks WHERE vm_id = ?').get(vmId) as Pick<LockRow, 'owner_pid' | 'owner_start'> | undefined;
    if (!row || row.owner_pid === selfIdentity().pid) return false;
    return isAlive({ pid: row.owner_pid, start: row.owner_start });
  }
}
