import type { VmState } from '../api/contract';
import { HangarError } from '../api/errors';

/**
 * The VM lifecycle. `transitions` lists what may follow each state; `actions` lists the states
 * each user action is allowed from, with the sentence shown when it is not.
 *
 *   stopped ─start→ starting ─→ running ⇄ paused
 *      ↑                          │ stop(ACPI)
 *      └──────── stopping ←───────┘      any running state ─(QEMU dies)→ crashed
 */
export const transitions: Record<VmState, readonly VmState[]> = {
  stopped: ['starting'],
  crashed: ['starting', 'stopped'],
  starting: ['running', 'paused', 'stopped', 'crashed'],
  running: ['paused', 'stopping', 'stopped', 'crashed'],
  paused: ['running', 'stopping', 'stopped', 'crashed'],
  stopping: ['stopped', 'crashed', 'running', 'paused'],
};

export function canTransition(from: VmState, to: VmState): boolean {
  return from === to || transitions[from].includes(to);
}

export type VmAction = 'start' | 'stop' | 'kill' | 'pause' | 'resume' | 'reset' | 'update' | 'delete' | 'console';

const allowedFrom: Record<VmAction, readonly VmState[]> = {
  start: ['stopped', 'crashed'],
  stop: ['running', 'stopping'],
  kill: ['starting', 'running', 'paused', 'stopping'],
  pause: ['running'],
  resume: ['paused'],
  reset: ['running', 'paused'],
  update: ['stopped', 'crashed'],
  delete: ['stopped', 'crashed'],
  console: ['starting', 'running', 'paused', 'stopping'],
};

const refusal: Record<VmAction, (name: string, state: VmState) => string> = {
  start: (n, s) => `VM "${n}" is already ${s}.`,
  stop: (n, s) => (s === 'paused' ? `VM "${n}" is paused: resume it before asking the guest to shut down, or force it off.` : `VM "${n}" is not running (it is ${s}).`),
  kill: (n, s) => `VM "${n}" is not running (it is ${s}).`,
  pause: (n, s) => `VM "${n}" can only be paused while running (it is ${s}).`,
  resume: (n, s) => `VM "${n}" is not paused (it is ${s}).`,
  reset: (n, s) => `VM "${n}" is not running (it is ${s}).`,
  update: (n, s) => `VM "${n}" is ${s}: shut it down before changing its settings.`,
  delete: (n, s) => `VM "${n}" is ${s}: shut it down or force it off before deleting it.`,
  console: (n, s) => `VM "${n}" is ${s}: start it to use its console.`,
};

/** Pure and Node-free: the renderer uses it too, so buttons are disabled exactly when the engine would refuse. */
export function actionAllowed(action: VmAction, state: VmState): boolean {
  return allowedFrom[action].includes(state);
}

export function assertAction(action: VmAction, name: string, state: VmState): void {
  if (!actionAllowed(action, state)) throw new HangarError('INVALID_STATE', refusal[action](name, state));
}

export function isActive(state: VmState): boolean {
  return state === 'starting' || state === 'running' || state === 'paused' || state === 'stopping';
}
