import { create } from 'zustand';
import type { TaskInfo } from '../../../src-main/api/contract';
import { uploadImage, UploadCancelled } from './upload';

/** Browser uploads in flight (the image library shows each with a progress bar and Cancel). */
export interface UploadEntry {
  id: number;
  name: string;
  loaded: number;
  total: number;
}

interface UploadsState {
  uploads: UploadEntry[];
  /** Upload a file; resolves with the import task, or null when the user cancelled. */
  start(file: File): Promise<TaskInfo | null>;
  cancel(id: number): void;
}

const controllers = new Map<number, AbortController>();
let nextId = 1;

export const useUploads = create<UploadsState>((set) => ({
  uploads: [],
  async start(file) {
    const id = nextId++;
    const controller = new AbortController();
    controllers.set(id, controller);
    set((s) => ({ uploads: [...s.uploads, { id, name: file.name, loaded: 0, total: file.size }] }));
    const progress = (loaded: number, total: number) => set((s) => ({ uploads: s.uploads.map((u) => (u.id === id ? { ...u, loaded, total } : u)) }));
    try {
      return await uploadImage(file, { onProgress: progress, signal: controller.signal });
    } catch (e) {
      if (e instanceof UploadCancelled) return null;
      throw e;
    } finally {
      controllers.delete(id);
      set((s) => ({ uploads: s.uploads.filter((u) => u.id !== id) }));
    }
  },
  cancel(id) {
    controllers.get(id)?.abort();
  },
}));
