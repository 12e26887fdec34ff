import type { TaskInfo } from '../api/contract';
import type { Db } from '../db/database';

/** The SQL of persisted tasks (task-manager.ts runs them). */
export interface TaskRow {
  id: string;
  kind: string;
  title: string;
  state: TaskInfo['state'];
  progress: number | null;
  message: string | null;
  error_json: string | null;
  result_json: string | null;
  cancellable: number;
  created_at: string;
  finished_at: string | null;
  owner_pid: number | null;
  owner_start: number | null;
}

export const toInfo = (r: TaskRow): TaskInfo => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  state: r.state,
  progress: r.progress,
  message: r.message,
  error: r.error_json ? (JSON.parse(r.error_json) as TaskInfo['error']) : null,
  result: r.result_json ? (JSON.parse(r.result_json) as TaskInfo['result']) : null,
  cancellable: r.cancellable === 1,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export class TaskRepository {
  constructor(private readonly db: Db) {}

  /** Running tasks (of one kind, or all). */
  running(kind?: string): TaskRow[] {
    if (kind === undefined) return this.db.prepare("SELECT * FROM tasks WHERE state = 'running'").all() as TaskRow[];
    return this.db.prepare("SELECT * FROM tasks WHERE state = 'running' AND kind = ?").all(kind) as TaskRow[];
  }

  /** Mark a running task failed; false when another process claimed it first. */
  claimInterrupted(id: string): boolean {
    return this.db.prepare("UPDATE tasks SET state = 'failed' WHERE id = ? AND state = 'running'").run(id).changes === 1;
  }

  list(limit: number): TaskRow[] {
    return this.db.prepare('SELECT * FROM tasks ORDER BY created_at DESC LIMIT ?').all(limit) as TaskRow[];
  }

  get(id: string): TaskRow | null {
    return (this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined) ?? null;
  }

  insert(info: TaskInfo, owner: { pid: number; start: number | null }): void {
    this.db
      .prepare('INSERT INTO tasks (id, kind, title, state, progress, message, result_json, cancellable, created_at, owner_pid, owner_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(info.id, info.kind, info.title, 'running', null, null, info.result ? JSON.stringify(info.result) : null, info.cancellable ? 1 : 0, info.createdAt, owner.pid, owner.start);
  }

  setProgress(id: string, progress: number | null, message: string | null): void {
    this.db.prepare('UPDATE tasks SET progress = ?, message = ? WHERE id = ?').run(progress, message, id);
  }

  finish(t: TaskInfo): void {
    this.db
      .prepare('UPDATE tasks SET state = ?, progress = ?, message = ?, error_json = ?, result_json = ?, finished_at = ? WHERE id = ?')
      .run(t.state, t.progress, t.message, t.error ? JSON.stringify(t.error) : null, t.result ? JSON.stringify(t.result) : null, t.finishedAt, t.id);
  }

  clearFinished(): number {
    return this.db.prepare("DELETE FROM tasks WHERE state != 'running'").run().changes;
  }
}
