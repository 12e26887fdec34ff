import { z } from 'zod';
import { method } from './define';
import { objectRef } from './common';
import type { TaskInfo } from './tasks';
import { MOVE_STORAGE } from './move-storage';

/**
 * `vm.move`: one verb for "put this VM on that host", the Move… dialog and `hangar vm move`.
 * Offline (stopped VM: copy + verify + switch, hosts/vm-move.ts) or live (hosts/vm-migrate.ts,
 * any direction, with its storage when its disks are in its own folder).
 */
export { MOVE_STORAGE } from './move-storage';

export const VmMoveInput = z
  .object({
    vm: objectRef('VM'),
    /** A host's name or id, or "local" for this computer. */
    toHost: objectRef('host'),
    /** Move it running (live migration); otherwise it must be stopped (or stopFirst). */
    live: z.boolean().default(false),
    /**
     * Live only. auto: copy the disks that live in the VM's folder, expect the others on shared
     * storage; copy: the same, but say so explicitly; shared: copy nothing (all disks shared).
     */
    storage: z.enum(MOVE_STORAGE, { error: 'Storage is one of auto, copy or shared.' }).default('auto'),
    /** Offline only: shut a running VM down first (ACPI, up to stopTimeoutSec), then move it. */
    stopFirst: z.boolean().default(false),
    stopTimeoutSec: z.number().int().min(5, { error: 'Give the guest at least 5 s to shut down.' }).max(3600).default(120),
    /** After a successful move, remove the VM's old folder on the source host (kept by default). */
    deleteSource: z.boolean().default(false),
  })
  .strict();

export const moveMethods = {
  'vm.move': method<TaskInfo>()(
    VmMoveInput,
    'Move a VM to another host ("local" = this computer): offline (stopped; copied, verified, switched) or live (running; RAM, and disks in its folder mirrored over). A task with progress.',
  ),
} as const;
