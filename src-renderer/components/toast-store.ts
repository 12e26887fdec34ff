import { create } from 'zustand';

export interface ToastAction {
  label: string;
  run(): void;
}

export interface Toast {
  id: number;
  level: 'info' | 'success' | 'warning' | 'error';
  title?: string;
  message: string;
  /** Extra lines (e.g. files kept after a delete). */
  items?: string[];
  action?: ToastAction;
  /** ms before it goes away by itself; 0 = stays until dismissed. */
  timeoutMs: number;
}

interface ToastState {
  toasts: Toast[];
  push(t: Omit<Toast, 'id' | 'timeoutMs'> & { timeoutMs?: number }): number;
  dismiss(id: number): void;
}

let nextId = 1;
const DEFAULT_TIMEOUT: Record<Toast['level'], number> = { info: 6000, success: 5000, warning: 10000, error: 0 };
const MAX_TOASTS = 5;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(t) {
    const id = nextId++;
    const toast: Toast = { ...t, id, timeoutMs: t.timeoutMs ?? DEFAULT_TIMEOUT[t.level] };
    set((s) => ({ toasts: [...s.toasts, toast].slice(-MAX_TOASTS) }));
    if (toast.timeoutMs > 0) setTimeout(() => get().dismiss(id), toast.timeoutMs);
    return id;
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

/** Shorthand for feature code outside React. */
export const toast = (t: Parameters<ToastState['push']>[0]) => useToasts.getState().push(t);
