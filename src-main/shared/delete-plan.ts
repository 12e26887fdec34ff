import type { VmSpec } from '../api/contract';

/**
 * What "Delete" removes and keeps: disks Hangar created (owned) inside the VM folder go only when
 * "delete disks" is ticked; attached disks (owned: false) and the ISO are always kept. Pure and shared:
 * the engine deletes by it (compute/vm-inventory.ts) and the renderer shows it before the user
 * confirms, so the dialog says exactly what will happen. Unit-tested.
 */
export interface DeletePlan {
  removed: string[];
  kept: string[];
}

export function deletePlan(spec: Pick<VmSpec, 'disks' | 'cdrom'>, dir: string, deleteDisks: boolean): DeletePlan {
  const removed: string[] = [];
  const kept: string[] = [];
  for (const d of spec.disks) {
    if (deleteDisks && d.owned && d.path.startsWith(dir + '/')) removed.push(d.path);
    else kept.push(d.path);
  }
  if (spec.cdrom) kept.push(spec.cdrom);
  return { removed, kept };
}
