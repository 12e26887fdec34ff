import type { VmState } from '../../../src-main/api/contract';
import { actionAllowed } from '../../../src-main/shared/vm-state';

/**
 * Which toolbar actions a VM state allows: the engine's own table (src-main/shared/vm-state.ts),
 * so buttons are disabled exactly when the engine would refuse.
 */
export const VM_ACTIONS = ['start', 'stop', 'kill', 'pause', 'resume', 'reset', 'update', 'delete'] as const;
export type VmActionName = (typeof VM_ACTIONS)[number];

export function canDo(action: VmActionName, state: VmState | undefined): boolean {
  return state !== undefined && actionAllowed(action, state);
}

/** Settings can be changed (fields editable) only when the VM is down. */
export const isEditable = (state: VmState) => canDo('update', state);
