import type { VmInfo, VmState } from '../../../src-main/api/contract';

/** Pure list logic for the machine list (filter, sort, keyboard moves); unit-tested. */
export const SORT_KEYS = ['name', 'state', 'created', 'host'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Live machines first: what needs attention sorts to the top when sorting by state. */
const STATE_RANK: Record<VmState, number> = { crashed: 0, running: 1, starting: 2, stopping: 3, paused: 4, stopped: 5 };

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Case-insensitive match of every word of the query against name, description, OS and state,
 * so "deb run" finds running Debian machines.
 */
export function filterVms(list: readonly VmInfo[], query: string): VmInfo[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return list.slice();
  return list.filter((vm) => {
    const hay = `${vm.name}\n${vm.spec.description}\n${vm.spec.os.family}\n${vm.spec.os.variant}\n${vm.state}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export function sortVms(list: VmInfo[], key: SortKey, descending = false): VmInfo[] {
  const byName = (a: VmInfo, b: VmInfo) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id);
  const cmp: Record<SortKey, (a: VmInfo, b: VmInfo) => number> = {
    name: byName,
    state: (a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || byName(a, b),
    created: (a, b) => a.createdAt.localeCompare(b.createdAt) || byName(a, b),
    // groups machines by host, this computer first
    host: (a, b) => (a.hostId === 'local' ? '' : a.hostId).localeCompare(b.hostId === 'local' ? '' : b.hostId) || byName(a, b),
  };
  const sorted = list.sort(cmp[key]);
  return descending ? sorted.reverse() : sorted;
}

export function visibleVms(all: readonly VmInfo[], query: string, key: SortKey, descending = false): VmInfo[] {
  return sortVms(filterVms(all, query), key, descending);
}

/** The id selected after an arrow/Home/End key, clamped to the list. */
export function moveSelection(ids: readonly string[], current: string | null, move: 'up' | 'down' | 'first' | 'last' | 'pageUp' | 'pageDown', page = 10): string | null {
  if (ids.length === 0) return null;
  const i = current === null ? -1 : ids.indexOf(current);
  let next: number;
  switch (move) {
    case 'first':
      next = 0;
      break;
    case 'last':
      next = ids.length - 1;
      break;
    case 'up':
      next = i < 0 ? ids.length - 1 : i - 1;
      break;
    case 'down':
      next = i + 1;
      break;
    case 'pageUp':
      next = i - page;
      break;
    case 'pageDown':
      next = i < 0 ? page - 1 : i + page;
      break;
  }
  return ids[Math.max(0, Math.min(ids.length - 1, next))] ?? null;
}

/** Is the name taken (the engine compares without case, like SQLite's NOCASE)? */
export function nameTaken(all: readonly Pick<VmInfo, 'id' | 'name'>[], name: string, exceptId?: string): boolean {
  const lower = name.trim().toLowerCase();
  return all.some((vm) => vm.id !== exceptId && vm.name.toLowerCase() === lower);
}
