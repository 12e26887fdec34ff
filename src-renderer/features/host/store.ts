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
  startFreeDiskSync();
}

const FREE_DISK_POLL_MS = 30_000;

/**
 * "Free disk" follows the disk: host capabilities are probed once (QEMU, KVM), so the free space is
 * updated from the host's statistics: the samples the engine pushes while the host is watched,
 * and a light `metrics.hostCurrent` (one statfs) every 30 s while the window is visible.
 */
function startFreeDiskSync(): void {
  const apply = (used: number | null, total: number | null) => {
    const caps = useHost.getState().caps;
    if (!caps || used === null || total === null) return;
    const free = total - used;
    if (free !== caps.diskFreeBytes || total !== caps.diskTotalBytes) useHost.setState({ caps: { ...caps, diskFreeBytes: free, diskTotalBytes: total } });
  };
  api.on('metrics.sample', (e) => {
    if (e.vmId === null && e.hostId === 'local' && 'diskUsedBytes' in e.sample) apply(e.sample.diskUsedBytes, e.sample.diskTotalBytes);
  });
  setInterval(() => {
    if (document.visibilityState !== 'visible' || api.connection !== 'connected' || !useHost.getState().caps) return;
    api.call('metrics.hostCurrent', { hostId: 'local' }).then(
      (s) => apply(s.diskUsedBytes, s.diskTotalBytes),
      () => undefined, // a passing failure: the next tick tries again
    );
  }, FREE_DISK_POLL_MS);
}

/** Host memory in whole MiB (the unit VM memory is set in). */
export const hostMemoryMiB = (caps: HostCapabilities | null): number | null => (caps ? Math.floor(caps.memoryBytes / (1024 * 1024)) : null);
