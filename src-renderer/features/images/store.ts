import { create } from 'zustand';
import type { ImageInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { useMachines } from '../machines/store';
import { useOpsPage } from '../schedules/ops-page';
import { useStorage } from '../storage/store';
import { useUsage } from '../usage/store';
import type { ImageFilters, ImageSortKey } from './image-logic';

interface ImagesState {
  /** The Images page is shown instead of the machine details. */
  pageOpen: boolean;
  images: ImageInfo[];
  loaded: boolean;
  loadError: string | null;
  filters: ImageFilters;
  sort: ImageSortKey;
  sortDescending: boolean;
  view: 'grid' | 'list';
  /** The image whose details drawer is open. */
  selectedId: string | null;
  openPage(open: boolean): void;
  setFilters(patch: Partial<ImageFilters>): void;
  setSort(key: ImageSortKey): void;
  setView(view: 'grid' | 'list'): void;
  select(id: string | null): void;
  load(): Promise<void>;
}

/** The image library, re-fetched when the engine says an image (or a VM using one) changed. */
export const useImages = create<ImagesState>()((set, get) => ({
  pageOpen: false,
  images: [],
  loaded: false,
  loadError: null,
  filters: { text: '', format: '', os: '', tag: '' },
  sort: 'createdAt',
  sortDescending: true,
  view: 'grid',
  selectedId: null,
  openPage(open) {
    set({ pageOpen: open });
    if (open) void get().load();
  },
  setFilters: (patch) => set((s) => ({ filters: { ...s.filters, ...patch } })),
  setSort: (key) => set((s) => ({ sort: key, sortDescending: s.sort === key ? !s.sortDescending : key === 'createdAt' })),
  setView: (view) => set({ view }),
  select: (selectedId) => set({ selectedId }),
  async load() {
    try {
      const images = await api.call('image.list', {});
      set((s) => ({ images, loaded: true, loadError: null, selectedId: s.selectedId && images.some((i) => i.id === s.selectedId) ? s.selectedId : null }));
    } catch (e) {
      set({ loaded: true, loadError: errorMessage(e) });
    }
  },
}));

let timer: ReturnType<typeof setTimeout> | null = null;
/** Coalesce bursts of events into one re-fetch; only when someone shows the library. */
export function reloadImagesSoon(): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    if (useImages.getState().loaded || useImages.getState().pageOpen) void useImages.getState().load();
  }, 150);
}

api.on('image.changed', reloadImagesSoon);
api.on('vm.changed', reloadImagesSoon);

// one page at a time: ours and the other pages replace each other; choosing a machine brings its details back
const closeOurs = () => {
  if (useImages.getState().pageOpen) useImages.setState({ pageOpen: false });
};
useMachines.subscribe((s, prev) => {
  if (s.selectedId !== prev.selectedId) closeOurs();
});
useStorage.subscribe((s, prev) => {
  if (s.pageOpen && !prev.pageOpen) closeOurs();
});
useOpsPage.subscribe((s, prev) => {
  if (s.page && !prev.page) closeOurs();
});
useUsage.subscribe((s, prev) => {
  if (s.page && s.page !== prev.page) closeOurs();
});
useImages.subscribe((s, prev) => {
  if (s.pageOpen && !prev.pageOpen) {
    if (useStorage.getState().pageOpen) useStorage.setState({ pageOpen: false });
    if (useOpsPage.getState().page) useOpsPage.setState({ page: null });
    if (useUsage.getState().page) useUsage.setState({ page: null });
  }
});
