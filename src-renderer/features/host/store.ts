import { create } from 'zustand';
import type { HostCapabilities } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';

interface HostState {
  caps: HostCapabilities | null;
  error: string | null;
  load(refresh?: boolean): Promise<void>;
}

/** What the local host can run (QEMU, KVM/TCG, CPUs, memory, disk): bounds the wizard's sliders. */
export const useHost = create<HostState>()((set) => ({
  caps: null,
  error: null,
  async load(refresh = false) {
    try {
      set({ caps: await api.call('host.capabilities', { refresh }), error: null });
    } catch (e) {
      set({ error: errorMessage(e) });
    }
  },
}));

export function startHostSync(): void {
  api.onConnectionChange((state) => {
    if (state === 'connected') void useHost.getState().load();
  });
  if (api.connection === 'connected') void useHost.getState().load();
}

/** Host memory in whole MiB (the unit VM memory is set in). */
export const hostMemoryMiB = (caps: HostCapabilities | null): number | null => (caps ? Math.floor(caps.memoryBytes / (1024 * 1024)) : null);
