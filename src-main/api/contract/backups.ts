import { z } from 'zod';
import { method } from './define';
import { absolutePath, objectName, objectRef } from './common';
import type { TaskInfo } from './tasks';

/**
 * Backups: copies of a VM's disks that live outside the VM (a backup folder), full or incremental.
 * Incremental backups copy only what changed since the previous backup, found through a
 * persistent dirty bitmap in each qcow2 disk ("hangar-backup"), kept by QEMU while the VM runs
 * and stored in the file when it stops. A chain is a full backup and the incrementals after it;
 * each incremental file is a qcow2 whose backing file is the previous one, so a chain restores
 * with one `qemu-img convert`.
 */

export interface BackupInfo {
  id: string;
  vmId: string;
  /** The VM's name when the backup was made (the VM may be gone). */
  vmName: string;
  hostId: string;
  kind: 'full' | 'incremental';
  /** The backup this one builds on (incrementals only). */
  parentId: string | null;
  folder: string;
  createdAt: string;
  /** True when the guest agent froze the filesystems for it (otherwise crash-consistent). */
  quiesced: boolean;
  /** Consistent: the VM was stopped, or its agent froze it; crash-consistent: a running VM unfrozen. */
  consistency?: 'consistent' | 'crash-consistent';
  /** What the files hold on disk (an incremental holds only the changed clusters). */
  bytes: number;
  files: Array<{ diskId: string; file: string; sha256: string; bytes: number }>;
  status: 'ready' | 'corrupt';
  verifiedAt: string | null;
}

export const BackupCreateInput = z
  .object({
    vm: objectRef('VM'),
    /** The backup folder on the VM's host (default: $HANGAR_HOME/backups). */
    folder: absolutePath('Backup folder').optional(),
    /** auto: incremental when a chain exists and every disk still has its bitmap, else full. */
    mode: z.enum(['auto', 'full', 'incremental']).default('auto'),
    /** Limit the copy to this many MiB/s (QEMU's job speed), so a backup does not starve the guest's I/O. */
    bandwidthMiBs: z.number().int().min(1).max(100000).optional(),
  })
  .strict();

export const BackupRestoreInput = z
  .object({
    backup: objectRef('backup'),
    /** Restore as a new VM with this name (the default), or... */
    name: objectName('VM').optional(),
    /** ...over the disks of the VM it came from (stopped), which needs confirm: true. */
    inPlace: z.boolean().default(false),
    confirm: z.boolean().default(false),
  })
  .strict();

export const BackupPruneInput = z
  .object({
    vm: objectRef('VM'),
    /** Keep the newest backup of each of the last N days that have one. */
    keepDaily: z.number().int().min(0).max(3650).default(7),
    /** Keep the newest backup of each of the last N ISO weeks that have one. */
    keepWeekly: z.number().int().min(0).max(520).default(4),
    /** Only say what would be removed. */
    dryRun: z.boolean().default(false),
  })
  .strict();

const backupRef = z.object({ backup: objectRef('backup') }).strict();

export const backupMethods = {
  'backup.create': method<{ task: TaskInfo }>()(BackupCreateInput, 'Back up a running or stopped VM (full or incremental) as a task.'),
  'backup.list': method<BackupInfo[]>()(z.object({ vm: objectRef('VM').optional() }).strict(), 'Backups, newest first (of one VM when given).'),
  'backup.restore': method<{ task: TaskInfo }>()(BackupRestoreInput, 'Restore a backup (with its chain) as a new VM, or in place over a stopped VM.'),
  'backup.verify': method<{ task: TaskInfo }>()(backupRef, 'Re-hash a backup\u2019s files against the checksums taken when it was made.'),
  'backup.prune': method<{ deleted: string[]; kept: string[] }>()(BackupPruneInput, 'Apply retention: keep N daily and N weekly backups (and the chains they need); delete the rest.'),
} as const;
