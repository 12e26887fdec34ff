import { HangarError } from '../api/errors';

/**
 * Names are unique per kind (VMs, images, volumes, networks, ...), and the services check a name
 * before they insert. Several Hangar processes share one database, though, so two of them may both
 * pass the check and race to insert: the loser's INSERT then fails with SQLite's
 * "UNIQUE constraint failed: vms.name". This turns that into the sentence a person should read
 * ("A VM named "web" already exists."), never the raw SQLite message. Used by the repositories
 * that know the name, and as a safety net by Engine.call and the task runner for every other place.
 */

const NOUNS: Record<string, { noun: string; article: 'A' | 'An'; where?: string }> = {
  'vms.name': { noun: 'VM', article: 'A' },
  'hosts.name': { noun: 'host', article: 'A' },
  'storage_pools.name': { noun: 'storage pool', article: 'A' },
  'volumes.name': { noun: 'volume', article: 'A' },
  'vm_snapshots.vm_id,vm_snapshots.name': { noun: 'snapshot', article: 'A', where: ' for this VM' },
  'images.host_id,images.name': { noun: 'image', article: 'An', where: ' in the library' },
  'networks.name': { noun: 'internal network', article: 'An' },
  'schedules.name': { noun: 'schedule', article: 'A' },
  'billing_plans.name': { noun: 'billing plan', article: 'A' },
  'billing_customers.name': { noun: 'customer', article: 'A' },
};

const OTHER: Record<string, string> = {
  'storage_pools.host_id,storage_pools.path': 'That folder is already a storage pool on this host.',
  'networks.mcast_group,networks.mcast_port': 'Another internal network was created at the same moment and took the same multicast address. Try again.',
};

/** The columns of a UNIQUE/PRIMARY KEY failure ("vms.name", "images.host_id,images.name"), or null. */
export function uniqueColumns(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return null;
  const m = /UNIQUE constraint failed: (.+)$/.exec(err.message);
  return m ? m[1]!.replace(/\s+/g, '') : '';
}

/**
 * A CONFLICT HangarError for a UNIQUE violation (null when `err` is something else).
 * `name` is the name the caller tried (from the call's input), when known.
 */
export function uniqueConflict(err: unknown, name?: unknown): HangarError | null {
  const columns = uniqueColumns(err);
  if (columns === null) return null;
  const known = NOUNS[columns];
  if (known) {
    const what = typeof name === 'string' && name !== '' ? `${known.article} ${known.noun} named "${name}"` : `${known.article} ${known.noun} with this name`;
    return new HangarError('CONFLICT', `${what} already exists${known.where ?? ''}. Choose another name.`, { field: 'name', constraint: columns });
  }
  const other = OTHER[columns];
  if (other) return new HangarError('CONFLICT', other, { constraint: columns });
  return new HangarError('CONFLICT', 'Something with the same name or id was created at the same moment by another Hangar process. Try again.', { constraint: columns });
}

/** Run `fn`; a UNIQUE violation becomes the CONFLICT sentence for `name`. */
export function mapUnique<T>(fn: () => T, name?: string): T {
  try {
    return fn();
  } catch (e) {
    throw uniqueConflict(e, name) ?? e;
  }
}
