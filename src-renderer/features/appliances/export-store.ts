import { create } from 'zustand';

/**
 * Which machine the Export dialog is open for. Its own tiny module: the machine menu opens the
 * dialog without loading its code, which lazy-views.ts loads on first use.
 */
export const useExportDialog = create<{ vmId: string | null; show(vmId: string | null): void }>()((set) => ({ vmId: null, show: (vmId) => set({ vmId }) }));
