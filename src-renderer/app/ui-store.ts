import { create } from 'zustand';

/** Which modal is open. One at a time: modals on top of modals confuse keyboard users. */
export type DialogState =
  | { kind: 'wizard' }
  | { kind: 'settings'; vmId: string }
  | { kind: 'delete'; vmId: string }
  | { kind: 'preferences' }
  | { kind: 'shortcuts' }
  | { kind: 'hosts' }
  | { kind: 'confirm'; title: string; message: string; confirmLabel: string; onConfirm(): void }
  | null;

interface UiState {
  dialog: DialogState;
  taskPanelOpen: boolean;
  openDialog(d: Exclude<DialogState, null>): void;
  closeDialog(): void;
  toggleTaskPanel(open?: boolean): void;
}

export const useUi = create<UiState>()((set) => ({
  dialog: null,
  taskPanelOpen: false,
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: null }),
  toggleTaskPanel: (open) => set((s) => ({ taskPanelOpen: open ?? !s.taskPanelOpen })),
}));
