import { create } from 'zustand';
import type { HostCapabilities, HostSummary } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';

interface HostsState {
  hosts: HostSummary[];
  loaded: boolean;
  error: string | null;
  /** Probe results by host id (shown on the host's card). */
  probes: Record<string, HostCapabilities>;
  load(): Promise<void>;
  setProbe(id: string, caps: HostCapabilities): void;
}

/** This computer and the LAN hosts; `host.state` events update a host in place, `host.changed` re-fetches. */
export const useHosts = create<HostsState>()((set) => ({
  hosts: [],
  loaded: false,
  error: null,
  probes: {},
  async load() {
    try {
      set({ hosts: await api.call('host.list', {}), loaded: true, error: null });
    } catch (e) {
      set({ error: errorMessage(e), loaded: true });
    }
  },
  setProbe: (id, caps) => set((s) => ({ probes: { ...s.probes, [id]: caps } })),
}));

let started = false;

/** Follow host events; idempotent (called by the components that show hosts). */
export function startHostsSync(): void {
  if (started) return;
  started = true;
  api.on('host.state', (e) => {
    useHosts.setState((s) => ({ hosts: s.hosts.map((h) => (h.id === e.id ? { ...h, state: e.state, stateReason: e.reason } : h)) }));
    if (e.state === 'offline') void useHosts.getState().load(); // e.g. whether it now waits for a passphrase
  });
  api.on('host.changed', () => void useHosts.getState().load());
  api.on('vm.changed', () => void useHosts.getState().load()); // VM counts
  api.onConnectionChange((state) => {
    if (state === 'connected') void useHosts.getState().load();
  });
  if (api.connection === 'connected') void useHosts.getState().load();
}

/** The LAN hosts only (not this computer). */
export const lanHosts = (hosts: HostSummary[]) => hosts.filter((h) => h.kind === 'ssh');
