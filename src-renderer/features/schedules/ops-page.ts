import { create } from 'zustand';
import { useMachines } from '../machines/store';
import { useStorage } from '../storage/store';

/** Which operations page (Networks, Schedules) replaces the machine details, if any. */
export type OpsPage = 'networks' | 'schedules' | null;

export const useOpsPage = create<{ page: OpsPage; open(page: OpsPage): void }>()((set) => ({
  page: null,
  open: (page) => set({ page }),
}));

// choosing a machine in the list brings its details back
useMachines.subscribe((s, prev) => {
  if (s.selectedId !== prev.selectedId && useOpsPage.getState().page) useOpsPage.setState({ page: null });
});

// one page at a time: the Storage page and ours replace each other
useStorage.subscribe((s, prev) => {
  if (s.pageOpen && !prev.pageOpen && useOpsPage.getState().page) useOpsPage.setState({ page: null });
});
useOpsPage.subscribe((s, prev) => {
  if (s.page && !prev.page && useStorage.getState().pageOpen) useStorage.setState({ pageOpen: false });
});
