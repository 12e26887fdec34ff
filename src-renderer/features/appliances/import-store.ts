import { create } from 'zustand';

/** Whether the appliance import dialog is open (its own module: the dialog's code loads when first opened). */
export const useApplianceImport = create<{ open: boolean; show(open: boolean): void }>()((set) => ({ open: false, show: (open) => set({ open }) }));
