import type { Command } from 'commander';
import * as path from 'node:path';
import type { BackupInfo, TaskInfo } from '../../api/contract';
import { HangarError } from '../../api/errors';
import { formatBytes } from '../../util/units';
import { UsageError, parseInteger, print, withClient } from '../common';
import { table } from '../output';
import { runTask } from './images';

/** `hangar backup ...`: full and incremental backups, restore, verify, retention. */

function backupTable(list: BackupInfo[]): string {
  if (list.length === 0) return 'No backups yet. Make one with: hangar backup create VM';
  return table(
    list.map((b) => [b.id.slice(0, 8), b.vmName, b.kind, b.createdAt.replace('T', ' ').slice(0, 19), formatBytes(b.bytes), b.status, b.parentId ? b.parentId.slice(0, 8) : '-']),
    ['ID', 'VM', 'KIND', 'CREATED (UTC)', 'SIZE', 'STATUS', 'PARENT'],
  );
}

function outcome(t: TaskInfo): Record<string, unknown> {
  if (t.state !== 'succeeded') throw new HangarError((t.error?.code as 'IO_ERROR') ?? 'INTERNAL', t.error?.message ?? `${t.title}: ${t.state}.`);
  return t.result ?? {};
}

export function registerBackupCommands(program: Command): void {
  const backup = program.command('backup').description('Full and incremental backups of VMs into a backup folder; restore, verify, prune.');

  backup
    .command('create <vm>')
    .description('Back up a running or stopped VM: incremental when possible (dirty bitmaps), else full.')
    .option('--full', 'always a full backup')
    .option('--incremental', 'incremental or fail (say why)')
    .option('--folder <dir>', 'backup folder on the VM\u2019s host (default: $HANGAR_HOME/backups)')
    .option('--json', 'print JSON')
    .action(async (vm: string, o: { full?: boolean; incremental?: boolean; folder?: string; json?: boolean }) => {
      if (o.full && o.incremental) throw new UsageError('Choose --full or --incremental, not both.');
      const r = await withClient(async (c) => outcome(await runTask(c, () => c.call('backup.create', { vm, mode: o.full ? 'full' : o.incremental ? 'incremental' : 'auto', ...(o.folder ? { folder: path.resolve(o.folder) } : {}) }), !!o.json)));
      print(!!o.json, r, () => `${r.kind === 'full' ? 'Full' : 'Incremental'} backup ${String(r.backupId).slice(0, 8)} of "${vm}": ${formatBytes(Number(r.bytes))}${r.fullBecause ? ` (full because ${String(r.fullBecause)})` : ''}.`);
    });

  backup
    .command('list [vm]')
    .description('Backups, newest first.')
    .option('--json', 'print JSON')
    .action(async (vm: string | undefined, o: { json?: boolean }) => {
      const list = await withClient((c) => c.call('backup.list', vm ? { vm } : {}));
      print(!!o.json, list, () => backupTable(list));
    });

  backup
    .command('restore <backup>')
    .description('Restore a backup and the chain it needs: as a new VM (default), or over the stopped VM it came from.')
    .option('--name <name>', 'the new VM\u2019s name (default: <vm>-restored)')
    .option('--in-place', 'overwrite the disks of the VM the backup came from')
    .option('-y, --yes', 'confirm --in-place')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { name?: string; inPlace?: boolean; yes?: boolean; json?: boolean }) => {
      if (o.inPlace && !o.yes) throw new UsageError('--in-place overwrites the VM\u2019s disks: add --yes to confirm.');
      const r = await withClient(async (c) => outcome(await runTask(c, () => c.call('backup.restore', { backup: ref, ...(o.name ? { name: o.name } : {}), inPlace: !!o.inPlace, confirm: !!o.yes }), !!o.json)));
      print(!!o.json, r, () => (r.inPlace ? `Restored "${String(r.vmName)}" in place.` : `Restored as the new VM "${String(r.vmName)}".`));
    });

  backup
    .command('verify <backup>')
    .description('Re-hash the backup\u2019s files and qemu-img check them (exit 1 when damaged).')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const r = await withClient(async (c) => outcome(await runTask(c, () => c.call('backup.verify', { backup: ref }), !!o.json)));
      print(!!o.json, r, () => `Backup ${ref} is intact.`);
    });

  backup
    .command('prune <vm>')
    .description('Retention: keep the newest backup of each of the last N days and N weeks (and the chains they need).')
    .option('--keep-daily <n>', 'days to keep', parseInteger('--keep-daily'), 7)
    .option('--keep-weekly <n>', 'weeks to keep', parseInteger('--keep-weekly'), 4)
    .option('--dry-run', 'only say what would be removed')
    .option('--json', 'print JSON')
    .action(async (vm: string, o: { keepDaily: number; keepWeekly: number; dryRun?: boolean; json?: boolean }) => {
      const r = await withClient((c) => c.call('backup.prune', { vm, keepDaily: o.keepDaily, keepWeekly: o.keepWeekly, dryRun: !!o.dryRun }));
      print(!!o.json, r, () => `${o.dryRun ? 'Would remove' : 'Removed'} ${r.deleted.length} backup${r.deleted.length === 1 ? '' : 's'}${r.deleted.length ? ` (${r.deleted.map((d) => d.slice(0, 8)).join(', ')})` : ''}; kept ${r.kept.length}.`);
    });
}
