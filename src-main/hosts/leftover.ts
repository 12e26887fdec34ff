import * as path from 'node:path';
import { HangarError } from '../api/errors';
import type { FileStat, Host } from './host';

/**
 * The folder a move leaves behind. An offline move keeps the source folder unless asked to delete
 * it, and a live migration keeps the source's folder; both then write a record into it
 * (`moved-away.json`: which VM, to which host, when, and the size and mtime of every file). When
 * the same VM later comes back to that host, the folder is in the way. Why a record instead of
 * just overwriting: only a folder Hangar itself left there for THIS VM id, and whose files nobody
 * changed since, may be replaced; any other folder (a user's, or a kept copy someone booted or
 * edited) is refused with a sentence saying what was found, and never deleted.
 *
 * Replacing is done safely: the leftover is renamed aside (`<dir>.moved-away`) before the new copy
 * is made, removed only after the move switched the VM's row, and renamed back if the move fails.
 */

export const LEFT_BEHIND_FILE = 'moved-away.json';
/** Where a claimed leftover waits while the move runs (restored if the move fails or is interrupted). */
export const asidePath = (dir: string) => `${dir}.moved-away`;

/** Files that describe a past run (QEMU/swtpm runtime), not the VM: they may change after the record. */
const RUNTIME = new Set(['qemu.pid', 'exit-status', 'stop-intent', 'exit-status.tmp', 'swtpm.pid', '.lock', 'qemu.log', LEFT_BEHIND_FILE]);

interface LeftBehind {
  vmId: string;
  vmName: string;
  movedToHostId: string;
  at: string;
  files: Record<string, { size: number; mtimeMs: number }>;
}

async function listFiles(host: Host, dir: string): Promise<Map<string, FileStat>> {
  const out = new Map<string, FileStat>();
  const walk = async (rel: string) => {
    for (const name of await host.fs.readdir(path.posix.join(dir, rel))) {
      const relName = rel ? `${rel}/${name}` : name;
      if (RUNTIME.has(name) || name.endsWith('.tmp')) continue;
      const st = await host.fs.stat(path.posix.join(dir, relName));
      if (st?.isDirectory) await walk(relName);
      else if (st) out.set(relName, st);
    }
  };
  await walk('');
  return out;
}

/** Record that `dir` on `host` is the copy Hangar kept when VM `vmId` moved to `toHostId`. */
export async function markLeftBehind(host: Host, dir: string, vm: { id: string; name: string }, toHostId: string): Promise<void> {
  const files: LeftBehind['files'] = {};
  for (const [name, st] of await listFiles(host, dir)) files[name] = { size: st.size, mtimeMs: Math.trunc(st.mtimeMs / 1000) * 1000 };
  const rec: LeftBehind = { vmId: vm.id, vmName: vm.name, movedToHostId: toHostId, at: new Date().toISOString(), files };
  await host.fs.writeFileAtomic(path.posix.join(dir, LEFT_BEHIND_FILE), JSON.stringify(rec, null, 2) + '\n', 0o600);
}

export interface TargetClaim {
  /** A leftover of this VM was set aside for the move (null: the folder was free). */
  leftoverAside: string | null;
  /** The move switched: the set-aside leftover (Hangar's own stale copy) is removed. */
  commit(): Promise<void>;
  /** The move failed: the half-made folder is already gone; put the leftover back. */
  rollback(): Promise<void>;
}

/**
 * Make `dir` on `host` free for VM `vmId` arriving. Free already: nothing to do. Hangar's own,
 * unchanged leftover of this VM: set aside (see above). Anything else: CONFLICT naming what was found.
 */
export async function claimTargetDir(host: Host, dir: string, vm: { id: string; name: string }, hostName: string): Promise<TargetClaim> {
  const none: TargetClaim = { leftoverAside: null, commit: async () => undefined, rollback: async () => undefined };
  const aside = asidePath(dir);
  // an earlier move interrupted while its leftover was aside: put it back first, then judge it
  if ((await host.fs.stat(aside)) && !(await host.fs.stat(dir))) await host.fs.rename(aside, dir);
  if (!(await host.fs.stat(dir))) return none;

  const foreign = `${dir} already exists on ${hostName} and is not a copy Hangar kept of "${vm.name}" (it has no record of a finished move of this VM): look at what is in it and remove or rename it yourself, then try again.`;
  let rec: LeftBehind;
  try {
    rec = JSON.parse((await host.fs.readFile(path.posix.join(dir, LEFT_BEHIND_FILE))).toString('utf8')) as LeftBehind;
  } catch {
    throw new HangarError('CONFLICT', foreign, { path: dir });
  }
  if (rec.vmId !== vm.id || typeof rec.files !== 'object' || rec.files === null) throw new HangarError('CONFLICT', foreign, { path: dir });

  const now = await listFiles(host, dir);
  const changed: string[] = [];
  for (const [name, st] of now) {
    const was = rec.files[name];
    if (!was || was.size !== st.size || was.mtimeMs !== Math.trunc(st.mtimeMs / 1000) * 1000) changed.push(name);
  }
  if (changed.length > 0)
    throw new HangarError(
      'CONFLICT',
      `${dir} on ${hostName} is the copy Hangar kept when "${vm.name}" moved away (${rec.at}), but ${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ` and ${changed.length - 3} more` : ''} changed since then, so Hangar will not replace it: move that folder aside or remove it yourself, then try again.`,
      { path: dir, changed },
    );

  if (await host.fs.stat(aside)) throw new HangarError('CONFLICT', `Both ${dir} and ${aside} exist on ${hostName}: remove the one you do not need, then try again.`, { path: aside });
  await host.fs.rename(dir, aside);
  return {
    leftoverAside: aside,
    commit: async () => {
      await host.fs.rm(aside, { recursive: true });
    },
    rollback: async () => {
      if (!(await host.fs.stat(dir))) await host.fs.rename(aside, dir);
    },
  };
}

/** After an interrupted move (engine died): a leftover still set aside goes back where it was. */
export async function restoreAside(host: Host, dir: string): Promise<void> {
  const aside = asidePath(dir);
  if ((await host.fs.stat(aside)) && !(await host.fs.stat(dir))) await host.fs.rename(aside, dir);
}
