import { create } from 'zustand';

/** Which machine the Move… dialog is open for (its own module: the dialog's code loads when first opened). */
export const useMoveDialog = create<{ vmId: string | null; show(vmId: string | null): void }>()((set) => ({ vmId: null, show: (vmId) => set({ vmId }) }));
