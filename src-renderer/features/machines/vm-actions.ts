import type { VmState } from '../../../src-main/api/contract';
import { actionAllowed } from '../../../src-main/compute/state-machine';

/**
 * Which toolbar actions a VM state allows: the engine's own table (compute/state-machine.ts),
 * so buttons are disabled exactly when the engine would refuse.
 */
export const VM_ACTIONS = ['start', 'stop', 'kill', 'pause', 'resume', 'reset', 'update', 'delete'] as const;
export type VmActionName = (typeof VM_ACTIONS)[number];

export function canDo(action: VmActionName, state: VmState | undefined): boolean {
  return state !== undefined && actionAllowed(action, state);
}

/** Settings can be changed (fields editable) only when the VM is down. */
export const isEditable = (state: VmState) => canDo('update', state);
