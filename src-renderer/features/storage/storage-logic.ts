import type { SnapshotInfo, VolumeInfo } from '../../../src-main/api/contract';

/** Pure helpers of the storage views (unit-tested in test/unit/storage-renderer.test.ts). */
export const VOLUME_SORT_KEYS = ['name', 'pool', 'size', 'actual', 'attached'] as const;
export type VolumeSortKey = (typeof VOLUME_SORT_KEYS)[number];

export function filterVolumes(volumes: VolumeInfo[], text: string): VolumeInfo[] {
  const q = text.trim().toLowerCase();
  if (!q) return volumes;
  return volumes.filter((v) => [v.name, v.poolName, v.format, v.attachedTo?.vmName ?? ''].some((f) => f.toLowerCase().includes(q)));
}

export function sortVolumes(volumes: VolumeInfo[], key: VolumeSortKey, descending: boolean): VolumeInfo[] {
  const value = (v: VolumeInfo): string | number => {
    switch (key) {
      case 'name':
        return v.name.toLowerCase();
      case 'pool':
        return v.poolName.toLowerCase();
      case 'size':
        return v.virtualBytes;
      case 'actual':
        return v.actualBytes ?? -1;
      case 'attached':
        return v.attachedTo?.vmName.toLowerCase() ?? '';
    }
  };
  const sorted = [...volumes].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? c : a.name.localeCompare(b.name);
  });
  return descending ? sorted.reverse() : sorted;
}

export interface SnapshotNode {
  snapshot: SnapshotInfo;
  depth: number;
  /** Path of ancestors is current (the "you are here" line). */
  onCurrentPath: boolean;
}

/**
 * The snapshot tree flattened depth-first for rendering (children by creation time). Snapshots
 * whose parent is gone become roots. `onCurrentPath` marks the current snapshot and its ancestors.
 */
export function flattenSnapshotTree(snapshots: SnapshotInfo[]): SnapshotNode[] {
  const ids = new Set(snapshots.map((s) => s.id));
  const children = new Map<string | null, SnapshotInfo[]>();
  for (const s of [...snapshots].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    const parent = s.parentId && ids.has(s.parentId) ? s.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const byId = new Map(snapshots.map((s) => [s.id, s]));
  const onPath = new Set<string>();
  for (let s = snapshots.find((x) => x.current); s; s = s.parentId ? byId.get(s.parentId) : undefined) onPath.add(s.id);
  const out: SnapshotNode[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      out.push({ snapshot: s, depth, onCurrentPath: onPath.has(s.id) });
      walk(s.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** 0..1 for a usage bar; 0 when the total is unknown. */
export const usageFraction = (used: number, total: number): number => (total > 0 ? Math.min(1, Math.max(0, used / total)) : 0);

/** A name the engine will accept (the contract's own rule), for inline errors before sending. */
export { NAME_RE } from '../../../src-main/shared/names';
