import { z } from 'zod';
import { method } from './define';
import { absolutePath, hostId, objectName, objectRef } from './common';
import type { TaskInfo } from './tasks';
import type { OsFamily } from './vm';

/**
 * Appliances: OVA/OVF packages (VirtualBox, VMware, any OVF 1.x/2.x producer) and Hangar's own
 * bundle (qcow2 disks + the VM spec). `appliance.inspect` is the review step: it reads the package
 * and reports what would be created, what is changed and what is not supported, and creates nothing.
 */

/** A part of the appliance Hangar cannot reproduce, or reproduces differently. Shown one by one. */
export interface ApplianceNote {
  /** What the package asked for ("Sound card (ensoniq1371)", "USB controller", "PCnet-FAST III NIC"). */
  item: string;
  /** What Hangar does instead: 'dropped' (left out) or 'changed' (replaced, `reason` says by what). */
  action: 'dropped' | 'changed';
  reason: string;
}

export interface ApplianceReview {
  path: string;
  kind: 'ova' | 'ovf' | 'bundle';
  /** "1.0", "2.0", or "hangar-1" for a bundle. */
  version: string;
  /** Who wrote it, when the file tells (VirtualBox, VMware, Hangar). */
  producer: string | null;
  /** The VM name it suggests (already made a valid Hangar name). */
  name: string;
  description: string;
  cpus: number;
  memoryMiB: number;
  firmware: 'bios' | 'uefi';
  machine: 'q35' | 'pc';
  os: { family: OsFamily; osinfo: string; declared: string };
  disks: Array<{ file: string; format: string; capacityBytes: number; fileBytes: number; bus: 'virtio' | 'sata' | 'ide' | 'scsi' }>;
  nics: Array<{ model: 'virtio-net-pci' | 'e1000' | 'e1000e' | 'rtl8139'; mac: string | null; declared: string }>;
  notes: ApplianceNote[];
  /** The manifest (.mf): which algorithm and how many files it lists. Checked during the import. */
  manifest: { algorithm: 'SHA1' | 'SHA256' | 'SHA512'; files: number } | null;
}

export const ApplianceInspectInput = z.object({ hostId, path: absolutePath('Appliance') }).strict();

export const ApplianceImportInput = z
  .object({
    hostId,
    path: absolutePath('Appliance'),
    /** The new VM's name (default: the one the appliance suggests). */
    name: objectName('VM').optional(),
    cpus: z.number().int().min(1).max(512).optional(),
    memoryMiB: z.number().int().min(16).optional(),
  })
  .strict();

export const ApplianceExportInput = z
  .object({
    vm: objectRef('VM'),
    /** 'ova': OVF 1.0 + streamOptimized VMDK + SHA-256 manifest; 'bundle': a folder with qcow2 disks and the spec. */
    format: z.enum(['ova', 'bundle']),
    /** The .ova file, or the bundle folder (created; must not exist yet), on the VM's host. */
    path: absolutePath('Export'),
    overwrite: z.boolean().default(false),
  })
  .strict();

export const applianceMethods = {
  'appliance.inspect': method<ApplianceReview>()(ApplianceInspectInput, 'Read an OVA, OVF or Hangar bundle and say what an import would create (creates nothing).'),
  'appliance.import': method<{ task: TaskInfo }>()(ApplianceImportInput, 'Import an OVA, OVF or Hangar bundle as a new VM (a task; the manifest is checked first).'),
  'appliance.export': method<{ task: TaskInfo }>()(ApplianceExportInput, 'Export a stopped VM as an OVA or a Hangar bundle (a task).'),
} as const;
