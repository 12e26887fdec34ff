import type { VmSpec } from '../../../src-main/api/contract';

/**
 * What "Delete" will remove and keep, shown before the user confirms. Mirrors the engine:
 * disks Hangar created (owned) inside the VM folder go only when "delete disks" is ticked;
 * attached disks (owned: false) and the ISO are always kept. Pure; unit-tested.
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
