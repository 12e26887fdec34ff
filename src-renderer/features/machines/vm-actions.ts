import type { VmState } from '../../../src-main/api/contract';

/**
 * Which toolbar actions a VM state allows. Mirrors src-main/compute/state-machine.ts
 * (a unit test checks the two agree), so buttons are disabled exactly when the engine would refuse.
 */
export const VM_ACTIONS = ['start', 'stop', 'kill', 'pause', 'resume', 'reset', 'update', 'delete'] as const;
export type VmActionName = (typeof VM_ACTIONS)[number];

const ALLOWED: Record<VmActionName, readonly VmState[]> = {
  start: ['stopped', 'crashed'],
  stop: ['running', 'stopping'],
  kill: ['starting', 'running', 'paused', 'stopping'],
  pause: ['running'],
  resume: ['paused'],
  reset: ['running', 'paused'],
  update: ['stopped', 'crashed'],
  delete: ['stopped', 'crashed'],
};

export function canDo(action: VmActionName, state: VmState | undefined): boolean {
  return state !== undefined && ALLOWED[action].includes(state);
}

/** Settings can be changed (fields editable) only when the VM is down. */
export const isEditable = (state: VmState) => canDo('update', state);
