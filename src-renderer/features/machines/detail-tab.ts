import { create } from 'zustand';

/** A request from outside the details pane to show one of its tabs (double-click → console). */
export type DetailTab = 'details' | 'console' | 'storage' | 'snapshots' | 'performance';
export const useDetailTab = create<{ request: { tab: DetailTab; seq: number } | null; show(tab: DetailTab): void }>()((set, get) => ({
  request: null,
  show: (tab) => set({ request: { tab, seq: (get().request?.seq ?? 0) + 1 } }),
}));
