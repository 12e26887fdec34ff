import type { VmState } from '../api/contract';

/**
 * The usage ledger's core: powered-on intervals derived from the recorded lifecycle events
 * (vm_events), never from a UI being open. A VM is "on" from the moment it enters starting,
 * running, paused or stopping until it enters stopped or crashed; the exit time is the keeper's
 * record when QEMU ended while no engine ran (VmService.finish passes it as the event time).
 * A VM still on is counted up to `now`. Usage for any [from, to) is an interval intersection.
 */
export interface Interval {
  from: number;
  to: number;
}

const ON_STATES: ReadonlySet<VmState> = new Set(['starting', 'running', 'paused', 'stopping']);

export function isOnState(state: VmState): boolean {
  return ON_STATES.has(state);
}

/** Events in recording order (vm_events.id); `at` is an ISO instant. */
export function poweredOnIntervals(events: ReadonlyArray<{ at: string; to: VmState }>, now: number): Interval[] {
  const out: Interval[] = [];
  let onSince: number | null = null;
  for (const e of events) {
    const at = Date.parse(e.at);
    if (isOnState(e.to)) {
      if (onSince === null) onSince = at;
    } else if (onSince !== null) {
      const end = exitInstant(at, now);
      // a stop recorded with an earlier time than its start (clock step) counts as zero, never negative
      if (end > onSince) out.push({ from: onSince, to: end });
      onSince = null;
    }
  }
  if (onSince !== null && now > onSince) out.push({ from: onSince, to: now });
  return out;
}

/**
 * Exit times taken from the keeper's record are whole unix seconds (`date +%s`), so the real exit
 * lies somewhere in [s, s + 1 s). Taking the middle of that second halves the worst error (to
 * 0.5 s); times the engine stamps itself carry milliseconds and are a whole second only by chance
 * (1 in 1000, then off by at most 0.5 s too).
 */
export function exitInstant(at: number, now: number): number {
  return at % 1000 === 0 ? Math.min(at + 500, now) : at;
}

/** Milliseconds of `intervals` inside [from, to). */
export function overlapMs(intervals: readonly Interval[], from: number, to: number): number {
  let total = 0;
  for (const i of intervals) {
    const a = Math.max(i.from, from);
    const b = Math.min(i.to, to);
    if (b > a) total += b - a;
  }
  return total;
}

/** Split [from, to) at the given instants (sorted, strictly inside) into consecutive buckets. */
export function splitAt(from: number, to: number, boundaries: readonly number[]): Interval[] {
  const cuts = [from, ...boundaries.filter((b) => b > from && b < to), to];
  const out: Interval[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) out.push({ from: cuts[i]!, to: cuts[i + 1]! });
  return out;
}
