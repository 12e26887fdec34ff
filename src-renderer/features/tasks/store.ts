import { create } from 'zustand';
import type { TaskInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { toast } from '../../components/toast-store';

interface TasksState {
  tasks: TaskInfo[];
  load(): Promise<void>;
  apply(task: TaskInfo): void;
  cancel(id: string): Promise<void>;
  clearFinished(): Promise<void>;
}

const newestFirst = (a: TaskInfo, b: TaskInfo) => b.createdAt.localeCompare(a.createdAt);

/** Long operations with progress: task.list snapshot + live task.updated events. */
export const useTasks = create<TasksState>()((set, get) => ({
  tasks: [],
  async load() {
    try {
      set({ tasks: (await api.call('task.list', {})).slice().sort(newestFirst) });
    } catch {
      /* the panel shows what it has; the next reconnect retries */
    }
  },
  apply(task) {
    const others = get().tasks.filter((t) => t.id !== task.id);
    set({ tasks: [task, ...others].sort(newestFirst) });
  },
  async cancel(id) {
    try {
      get().apply(await api.call('task.cancel', { id }));
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  },
  async clearFinished() {
    try {
      await api.call('task.clearFinished', {});
      set({ tasks: get().tasks.filter((t) => t.state === 'running') });
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  },
}));

export function startTasksSync(): void {
  api.on('task.updated', (task) => useTasks.getState().apply(task));
  api.onConnectionChange((state) => {
    if (state === 'connected') void useTasks.getState().load();
  });
  if (api.connection === 'connected') void useTasks.getState().load();
}

export const runningCount = (tasks: readonly TaskInfo[]) => tasks.filter((t) => t.state === 'running').length;
