import { create } from 'zustand';
import type { HostBridgeReport, NetworkInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';

interface NetworksState {
  networks: NetworkInfo[];
  bridges: HostBridgeReport | null;
  loaded: boolean;
  loadError: string | null;
  load(): Promise<void>;
}

/** Internal networks (with their member VMs) and the host's bridges; re-fetched on network and VM changes. */
export const useNetworks = create<NetworksState>()((set) => ({
  networks: [],
  bridges: null,
  loaded: false,
  loadError: null,
  async load() {
    try {
      const [networks, bridges] = await Promise.all([api.call('network.list', {}), api.call('network.bridges', {})]);
      set({ networks, bridges, loaded: true, loadError: null });
    } catch (e) {
      set({ loaded: true, loadError: errorMessage(e) });
    }
  },
}));

let timer: ReturnType<typeof setTimeout> | null = null;
function reloadSoon(): void {
  if (timer || !useNetworks.getState().loaded) return;
  timer = setTimeout(() => {
    timer = null;
    void useNetworks.getState().load();
  }, 150);
}
api.on('network.changed', reloadSoon);
api.on('vm.changed', reloadSoon);
api.on('vm.state', reloadSoon);
