import { create } from 'zustand';
import type { PoolInfo, VolumeInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { useMachines } from '../machines/store';
import type { VolumeSortKey } from './storage-logic';

interface StorageState {
  /** The Storage page is shown instead of the machine details. */
  pageOpen: boolean;
  pools: PoolInfo[];
  volumes: VolumeInfo[];
  loaded: boolean;
  loadError: string | null;
  filter: string;
  sort: VolumeSortKey;
  sortDescending: boolean;
  openPage(open: boolean): void;
  setFilter(text: string): void;
  setSort(key: VolumeSortKey): void;
  load(): Promise<void>;
}

/** Pools and volumes, re-fetched when the engine says storage (or a VM's disks) changed. */
export const useStorage = create<StorageState>()((set, get) => ({
  pageOpen: false,
  pools: [],
  volumes: [],
  loaded: false,
  loadError: null,
  filter: '',
  sort: 'name',
  sortDescending: false,
  openPage(open) {
    set({ pageOpen: open });
    if (open) void get().load();
  },
  setFilter: (filter) => set({ filter }),
  setSort: (key) => set((s) => ({ sort: key, sortDescending: s.sort === key ? !s.sortDescending : false })),
  async load() {
    try {
      const [pools, volumes] = await Promise.all([api.call('pool.list', {}), api.call('volume.list', {})]);
      set({ pools, volumes, loaded: true, loadError: null });
    } catch (e) {
      set({ loaded: true, loadError: errorMessage(e) });
    }
  },
}));

let timer: ReturnType<typeof setTimeout> | null = null;
/** Coalesce bursts of events (an attach changes a volume and a VM) into one re-fetch. */
export function reloadStorageSoon(): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    if (useStorage.getState().loaded || useStorage.getState().pageOpen) void useStorage.getState().load();
  }, 150);
}

api.on('storage.changed', reloadStorageSoon);
api.on('vm.changed', reloadStorageSoon);
// choosing a machine in the list brings its details back
useMachines.subscribe((s, prev) => {
  if (s.selectedId !== prev.selectedId && useStorage.getState().pageOpen) useStorage.setState({ pageOpen: false });
});
