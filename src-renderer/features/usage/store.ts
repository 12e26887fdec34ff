import { create } from 'zustand';
import type { CustomerInfo, PlanInfo, VmBillingInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { useMachines } from '../machines/store';
import { useOpsPage } from '../schedules/ops-page';
import { useStorage } from '../storage/store';

/** Which of our pages (host overview, usage & billing) replaces the machine details, if any. */
export type UsagePageName = 'host' | 'usage' | null;

interface UsageState {
  page: UsagePageName;
  open(page: UsagePageName): void;
  customers: CustomerInfo[];
  plans: PlanInfo[];
  vms: VmBillingInfo[];
  loaded: boolean;
  error: string | null;
  /** Re-fetch customers, plans and assignments (after any change: the Podman Desktop pattern). */
  load(): Promise<void>;
}

export const useUsage = create<UsageState>()((set) => ({
  page: null,
  open: (page) => set({ page }),
  customers: [],
  plans: [],
  vms: [],
  loaded: false,
  error: null,
  async load() {
    try {
      const [customers, plans, vms] = await Promise.all([api.call('customer.list', {}), api.call('plan.list', {}), api.call('billing.vms', {})]);
      set({ customers, plans, vms, loaded: true, error: null });
    } catch (e) {
      set({ error: errorMessage(e), loaded: true });
    }
  },
}));

// one page at a time: ours, the operations pages and the Storage page replace each other,
// and choosing a machine in the list brings its details back
useMachines.subscribe((s, prev) => {
  if (s.selectedId !== prev.selectedId && useUsage.getState().page) useUsage.setState({ page: null });
});
useOpsPage.subscribe((s, prev) => {
  if (s.page && !prev.page && useUsage.getState().page) useUsage.setState({ page: null });
});
useStorage.subscribe((s, prev) => {
  if (s.pageOpen && !prev.pageOpen && useUsage.getState().page) useUsage.setState({ page: null });
});
useUsage.subscribe((s, prev) => {
  if (s.page && s.page !== prev.page) {
    if (useOpsPage.getState().page) useOpsPage.setState({ page: null });
    if (useStorage.getState().pageOpen) useStorage.setState({ pageOpen: false });
  }
});
