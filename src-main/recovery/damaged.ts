import type { VmInfo } from '../api/contract';
import { HangarError } from '../api/errors';

/**
 * A damaged VM (its stored settings cannot be read) may only be repaired or deleted: starting it
 * would boot a placeholder, and saving would overwrite the good vm.json with that placeholder.
 */
export function refuseDamaged(vm: VmInfo, action: string): void {
  if (!vm.damaged) return;
  throw new HangarError(
    'INVALID_STATE',
    `Cannot ${action} "${vm.name}": ${vm.damaged}. Repair it from its vm.json (hangar vm repair "${vm.name}") or delete it (its files are kept).`,
    { damaged: vm.damaged },
  );
}
