import { z } from 'zod';
import { method } from './define';
import { empty } from './common';

export const TASK_STATES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A long operation (import, convert, copy, download, snapshot, ...) with progress and cancel. */
export interface TaskInfo {
  id: string;
  kind: string;
  title: string;
  state: TaskState;
  /** 0..1, or null while the size of the work is unknown. */
  progress: number | null;
  /** Short, human text of the current step ("Copying 312 MiB of 1.0 GiB"). */
  message: string | null;
  error: { code: string; message: string } | null;
  /** What the task made (e.g. `{ imageId }`), once it succeeded. */
  result: Record<string, unknown> | null;
  cancellable: boolean;
  createdAt: string;
  finishedAt: string | null;
}

export const taskMethods = {
  'task.list': method<TaskInfo[]>()(empty, 'Recent tasks, newest first.'),
  'task.cancel': method<TaskInfo>()(z.object({ id: z.string().min(1) }).strict(), 'Cancel a running task.'),
  'task.clearFinished': method<{ removed: number }>()(empty, 'Forget finished tasks.'),
} as const;
