import { useEffect } from 'react';
import { create } from 'zustand';
import type { GuestInfo, VmInfo } from '../../../src-main/api/contract';
import { api } from '../../api';

/**
 * What each running VM's guest agent says (guest.info), polled while a row or the details show it.
 * One request per VM at a time; the engine keeps its own cache, so vm.list carries the last answer.
 */
interface GuestState {
  byId: Record<string, GuestInfo>;
  inFlight: Record<string, boolean>;
  fetch(vmId: string): Promise<void>;
}

export const useGuest = create<GuestState>((set, get) => ({
  byId: {},
  inFlight: {},
  async fetch(vmId) {
    if (get().inFlight[vmId]) return;
    set((s) => ({ inFlight: { ...s.inFlight, [vmId]: true } }));
    try {
      const info = await api.call('guest.info', { vm: vmId });
      set((s) => ({ byId: { ...s.byId, [vmId]: info } }));
    } catch {
      // the VM went away or its host is offline: keep the last answer
    } finally {
      set((s) => ({ inFlight: { ...s.inFlight, [vmId]: false } }));
    }
  },
}));

const POLL_MS = 15000;

/** The guest's info for a VM, refreshed every 15 s while it runs (and soon after it starts). */
export function useGuestInfo(vm: VmInfo): GuestInfo | undefined {
  const info = useGuest((s) => s.byId[vm.id]) ?? vm.guest;
  const running = vm.state === 'running';
  useEffect(() => {
    if (!running) return;
    void useGuest.getState().fetch(vm.id);
    // until the agent answers, ask more often (a booting guest starts it a few seconds in)
    const connected = useGuest.getState().byId[vm.id]?.agent === 'connected';
    const timer = setInterval(() => void useGuest.getState().fetch(vm.id), connected ? POLL_MS : 5000);
    return () => clearInterval(timer);
  }, [vm.id, running]);
  if (!running) return vm.spec.guestAgent === false ? { agent: 'disabled', hostname: null, os: null, interfaces: [], ips: [], installHint: null, checkedAt: '' } : undefined;
  return info;
}
