import type { Command } from 'commander';
import type { PoolInfo, SnapshotInfo, TaskInfo, VolumeInfo } from '../../api/contract';
import { formatBytes } from '../../util/units';
import { print, withClient } from '../common';
import { table } from '../output';
import * as path from 'node:path';

/** `hangar pool|volume|snapshot ...`: the storage domain (pools, volumes, attach, snapshots). */
export function registerStorageCommands(program: Command): void {
  registerPoolCommands(program);
  registerVolumeCommands(program);
  registerSnapshotCommands(program);
}

const pct = (used: number, total: number) => (total > 0 ? `${Math.round((used / total) * 100)}%` : '—');

function poolTable(pools: PoolInfo[]): string {
  return table(
    pools.map((p) => [p.name + (p.isDefault ? ' *' : ''), p.path, `${formatBytes(p.usedBytes)} / ${formatBytes(p.capacityBytes)} (${pct(p.usedBytes, p.capacityBytes)})`, formatBytes(p.freeBytes), `${formatBytes(p.allocatedBytes)} / ${formatBytes(p.virtualBytes)}`, String(p.volumeCount), p.problem ?? '']),
    ['POOL', 'PATH', 'USED', 'FREE', 'ALLOCATED/VIRTUAL', 'VOLUMES', 'PROBLEM'],
  );
}

function volumeTable(vols: VolumeInfo[]): string {
  if (vols.length === 0) return 'No volumes yet. Create one with: hangar volume create NAME --size 10G';
  return table(
    vols.map((v) => [v.name, v.poolName, v.format, formatBytes(v.virtualBytes), v.actualBytes === null ? 'missing' : formatBytes(v.actualBytes), v.attachedTo ? `${v.attachedTo.vmName} (${v.attachedTo.vmState})` : '-']),
    ['VOLUME', 'POOL', 'FORMAT', 'SIZE', 'ON DISK', 'ATTACHED TO'],
  );
}

function volumeDetails(v: VolumeInfo): string {
  const lines = [
    `Name:        ${v.name}`,
    `ID:          ${v.id}`,
    `Pool:        ${v.poolName}`,
    `File:        ${v.path}`,
    `Format:      ${v.format}`,
    `Size:        ${formatBytes(v.virtualBytes)} (${formatBytes(v.actualBytes ?? 0)} on disk)`,
    `Attached to: ${v.attachedTo ? `${v.attachedTo.vmName} (${v.attachedTo.vmState})` : '-'}`,
  ];
  if (v.backingChain.length > 1) lines.push('Backing chain:', ...v.backingChain.map((l, i) => `  ${'  '.repeat(i)}${l.path} (${l.format}, ${formatBytes(l.virtualBytes)})`));
  return lines.join('\n');
}

/** The snapshot tree as indented text, current one marked. */
export function snapshotTreeText(snaps: SnapshotInfo[]): string {
  if (snaps.length === 0) return 'No snapshots.';
  const byParent = new Map<string | null, SnapshotInfo[]>();
  const ids = new Set(snaps.map((s) => s.id));
  for (const s of snaps) {
    const parent = s.parentId && ids.has(s.parentId) ? s.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), s]);
  }
  const lines: string[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const s of byParent.get(parent) ?? []) {
      lines.push(`${'  '.repeat(depth)}${s.current ? '* ' : '- '}${s.name}  ${s.createdAt.replace('T', ' ').slice(0, 19)}  ${s.hasRam ? `RAM ${formatBytes(s.vmStateBytes)}` : 'disk only'}${s.description ? `  "${s.description}"` : ''}`);
      walk(s.id, depth + 1);
    }
  };
  walk(null, 0);
  return lines.join('\n') + '\n(* = current: the state the VM descends from)';
}

const taskLine = (t: TaskInfo) => `${t.title}: ${t.state}${t.error ? ` (${t.error.message})` : ''}`;

function registerPoolCommands(program: Command): void {
  const pool = program.command('pool').description('Storage pools: folders that hold volumes.');
  pool.command('list')
    .description('Pools with capacity, free space, and allocated vs virtual size of their volumes.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const pools = await withClient((c) => c.call('pool.list', {}));
      print(!!o.json, pools, () => poolTable(pools));
    });
  pool.command('show <pool>')
    .description('One pool, with orphan files (disk files no VM and no volume refers to).')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const p = await withClient((c) => c.call('pool.get', { pool: name }));
      print(!!o.json, p, () => [poolTable([p]), '', p.orphans.length ? `Orphan files:\n${p.orphans.map((f) => `  ${f.path}  ${formatBytes(f.sizeBytes)}`).join('\n')}` : 'No orphan files.'].join('\n'));
    });
  pool.command('add <name> <folder>')
    .description('Register a folder as a pool.')
    .option('--create', 'create the folder if it does not exist')
    .option('--json', 'print JSON')
    .action(async (name: string, folder: string, o: { create?: boolean; json?: boolean }) => {
      const p = await withClient((c) => c.call('pool.add', { name, path: path.resolve(folder), create: !!o.create }));
      print(!!o.json, p, () => `Added pool "${p.name}" at ${p.path}.`);
    });
  pool.command('remove <pool>')
    .description('Forget an empty pool (its folder stays on disk).')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const r = await withClient((c) => c.call('pool.remove', { pool: name }));
      print(!!o.json, r, () => `Removed pool "${r.removed}" (its folder was left on disk).`);
    });
}

function registerVolumeCommands(program: Command): void {
  const volume = program.command('volume').description('Volumes: disks you can attach to VMs, resize, clone and delete.');
  volume.command('list')
    .description('Volumes with their pool, format, sizes and the VM each is attached to.')
    .option('--pool <pool>', 'only this pool')
    .option('--json', 'print JSON')
    .action(async (o: { pool?: string; json?: boolean }) => {
      const vols = await withClient((c) => c.call('volume.list', o.pool ? { pool: o.pool } : {}));
      print(!!o.json, vols, () => volumeTable(vols));
    });
  volume.command('show <volume>')
    .description('One volume: path, format, virtual and used size, attachment.')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const v = await withClient((c) => c.call('volume.get', { volume: name }));
      print(!!o.json, v, () => volumeDetails(v));
    });
  volume.command('create <name>')
    .description('Create an empty disk volume of --size in a pool.')
    .requiredOption('--size <size>', 'size, like 20G or 512M')
    .option('--format <format>', 'qcow2 (thin, snapshots) or raw', 'qcow2')
    .option('--pool <pool>', 'pool (default: the default pool)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { size: string; format: string; pool?: string; json?: boolean }) => {
      const v = await withClient((c) => c.call('volume.create', { name, size: o.size, format: o.format as 'qcow2' | 'raw', ...(o.pool ? { pool: o.pool } : {}) }));
      print(!!o.json, v, () => `Created volume "${v.name}" (${formatBytes(v.virtualBytes)} ${v.format}) at ${v.path}.`);
    });
  volume.command('resize <volume> <size>')
    .description('Grow a volume to SIZE (shrinking is refused).')
    .option('--json', 'print JSON')
    .action(async (name: string, size: string, o: { json?: boolean }) => {
      const v = await withClient((c) => c.call('volume.resize', { volume: name, size }));
      print(!!o.json, v, () => `"${v.name}" is now ${formatBytes(v.virtualBytes)}.`);
    });
  volume.command('clone <volume> <newName>')
    .description('Copy a volume into a new one (a task with progress).')
    .option('--pool <pool>', 'pool for the copy (default: the same)')
    .option('--json', 'print JSON')
    .action(async (name: string, newName: string, o: { pool?: string; json?: boolean }) => {
      const t = await withClient((c) => c.call('volume.clone', { volume: name, name: newName, wait: true, ...(o.pool ? { pool: o.pool } : {}) }));
      print(!!o.json, t, () => taskLine(t));
    });
  volume.command('rename <volume> <newName>')
    .description('Give a volume a new name (its file keeps its name).')
    .option('--json', 'print JSON')
    .action(async (name: string, newName: string, o: { json?: boolean }) => {
      const v = await withClient((c) => c.call('volume.rename', { volume: name, name: newName }));
      print(!!o.json, v, () => `Renamed to "${v.name}".`);
    });
  volume.command('attach <volume> <vm>')
    .description('Attach to a VM (hot-plugged when it is running).')
    .option('--bus <bus>', 'virtio, sata, ide or scsi (running VMs: virtio)', 'virtio')
    .option('--read-only', 'attach read-only')
    .option('--json', 'print JSON')
    .action(async (name: string, vm: string, o: { bus: string; readOnly?: boolean; json?: boolean }) => {
      const v = await withClient((c) => c.call('volume.attach', { volume: name, vm, bus: o.bus as 'virtio', readOnly: !!o.readOnly }));
      print(!!o.json, v, () => `Attached "${v.name}" to "${v.attachedTo?.vmName ?? vm}".`);
    });
  volume.command('detach <volume> [vm]')
    .description('Detach from its VM (unplugged from a running guest).')
    .option('--json', 'print JSON')
    .action(async (name: string, vm: string | undefined, o: { json?: boolean }) => {
      const v = await withClient((c) => c.call('volume.detach', { volume: name, ...(vm ? { vm } : {}) }));
      print(!!o.json, v, () => `Detached "${v.name}".`);
    });
  volume.command('delete <volume>')
    .description('Delete a volume and its file (needs --yes).')
    .option('-y, --yes', 'yes, erase the disk file')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { yes?: boolean; json?: boolean }) => {
      const r = await withClient((c) => c.call('volume.delete', { volume: name, confirm: !!o.yes }));
      print(!!o.json, r, () => `Deleted "${r.deleted}" (${r.path}).`);
    });
}

function registerSnapshotCommands(program: Command): void {
  const snapshot = program.command('snapshot').description('VM snapshots (with RAM while running), as a tree.');
  snapshot.command('list <vm>')
    .description('A VM\'s snapshots as a tree, the current one marked.')
    .option('--json', 'print JSON')
    .action(async (vm: string, o: { json?: boolean }) => {
      const tree = await withClient((c) => c.call('snapshot.list', { vm }));
      print(!!o.json, tree, () => snapshotTreeText(tree.snapshots) + (tree.unsupportedReason ? `\nNote: ${tree.unsupportedReason}` : ''));
    });
  snapshot.command('create <vm> <name>')
    .description('Take a snapshot (with RAM while the VM runs).')
    .option('-d, --description <text>', 'what this snapshot is for', '')
    .option('--json', 'print JSON')
    .action(async (vm: string, name: string, o: { description: string; json?: boolean }) => {
      const t = await withClient((c) => c.call('snapshot.create', { vm, name, description: o.description, wait: true }));
      print(!!o.json, t, () => taskLine(t));
    });
  snapshot.command('revert <vm> <name>')
    .description('Go back to a snapshot; what happened since is lost (needs --yes).')
    .option('-y, --yes', 'yes, discard the current state')
    .option('--json', 'print JSON')
    .action(async (vm: string, name: string, o: { yes?: boolean; json?: boolean }) => {
      const t = await withClient((c) => c.call('snapshot.revert', { vm, snapshot: name, confirm: !!o.yes, wait: true }));
      print(!!o.json, t, () => taskLine(t));
    });
  snapshot.command('delete <vm> <name>')
    .description('Delete a snapshot; the VM\'s current state is kept.')
    .option('--json', 'print JSON')
    .action(async (vm: string, name: string, o: { json?: boolean }) => {
      const t = await withClient((c) => c.call('snapshot.delete', { vm, snapshot: name, wait: true }));
      print(!!o.json, t, () => taskLine(t));
    });
}
