import { randomUUID } from 'node:crypto';
import type { TaskInfo } from '../api/contract';
import { HangarError, toApiError } from '../api/errors';
import { uniqueConflict } from '../db/constraint-errors';
import { noSpaceError } from '../util/no-space';
import type { Db } from '../db/database';
import { nowIso } from '../db/repositories/vms';
import type { EventBus } from '../engine/event-bus';
import { isAlive, selfIdentity } from '../hosts/process-identity';
import { TaskRepository, toInfo } from './task-repo';

export interface TaskContext {
  signal: AbortSignal;
  /** Report progress (0..1 or null when unknown) and a short message. Throttled for events. */
  progress(fraction: number | null, message?: string): void;
}

/**
 * Long operations (import, convert, copy, download, snapshot) as persisted Tasks with progress,
 * cancel and a result. Each task records the process that runs it (pid + start time). Many
 * Hangar processes share one home, so at open only tasks whose owner process is DEAD are marked
 * failed ("interrupted") and cleaned up by the cleanup each domain registers for its kind; a task
 * of another live process (a CLI import while `hangar serve` starts) is left alone.
 */
export class TaskManager {
  private readonly running = new Map<string, { controller: AbortController; info: TaskInfo }>();
  private readonly cleanups = new Map<string, (task: TaskInfo) => Promise<void>>();

  private readonly repo: TaskRepository;

  constructor(
    db: Db,
    private readonly events: EventBus,
  ) {
    this.repo = new TaskRepository(db);
  }

  /** Register what to clean after a task of this kind was interrupted by an engine crash. */
  onInterrupted(kind: string, cleanup: (task: TaskInfo) => Promise<void>): void {
    this.cleanups.set(kind, cleanup);
  }

  /** Mark tasks left running by a dead process as failed, and run their cleanups. */
  async recoverInterrupted(): Promise<void> {
    const rows = this.repo.running();
    for (const row of rows) {
      if (this.running.has(row.id) || isAlive({ pid: row.owner_pid, start: row.owner_start })) continue;
      // claim it first, so two processes opening at once do not both clean it up
      const claimed = this.repo.claimInterrupted(row.id);
      if (!claimed) continue;
      const info = toInfo(row);
      try {
        await this.cleanups.get(info.kind)?.(info);
      } catch {
        // cleanup is best effort; the task is still marked failed
      }
      this.finish(info, 'failed', null, { code: 'CANCELLED', message: 'Interrupted: Hangar stopped while this task was running. Nothing was kept; start it again.' });
    }
  }

  /** Tasks of this kind that another live Hangar process is running now (not ours, not a dead one's). */
  runningElsewhere(kind: string): TaskInfo[] {
    const rows = this.repo.running(kind);
    return rows.filter((r) => !this.running.has(r.id) && isAlive({ pid: r.owner_pid, start: r.owner_start })).map(toInfo);
  }

  list(limit = 200): TaskInfo[] {
    return this.repo.list(limit).map(toInfo);
  }

  get(id: string): TaskInfo | null {
    const row = this.repo.get(id);
    return row ? toInfo(row) : null;
  }

  /**
   * Start a task; returns at once with its info. `done` resolves with the final info
   * (callers that want to wait, like the CLI, await it).
   */
  start<R extends Record<string, unknown>>(
    kind: string,
    title: string,
    run: (ctx: TaskContext) => Promise<R>,
    opts: { cancellable?: boolean; meta?: Record<string, unknown> } = {},
  ): { task: TaskInfo; done: Promise<TaskInfo> } {
    const info: TaskInfo = {
      id: randomUUID(),
      kind,
      title,
      state: 'running',
      progress: null,
      message: null,
      error: null,
      result: opts.meta ?? null,
      cancellable: opts.cancellable ?? true,
      createdAt: nowIso(),
      finishedAt: null,
    };
    const owner = selfIdentity();
    this.repo.insert(info, owner);
    const controller = new AbortController();
    this.running.set(info.id, { controller, info });
    this.events.emit('task.updated', info);

    let lastEmit = 0;
    // a message is a step ("Disk: 1 of 2 GiB copied") whose numbers change: a new step is always
    // sent, even within the 100 ms throttle, so a short step never goes unseen
    const stepOf = (m: string | null) => (m ?? '').replace(/[\d.,]+/g, '#');
    let lastStep = stepOf(info.message);
    const ctx: TaskContext = {
      signal: controller.signal,
      progress: (fraction, message) => {
        info.progress = fraction === null ? null : Math.max(0, Math.min(1, fraction));
        if (message !== undefined) info.message = message;
        const now = Date.now();
        const step = stepOf(info.message);
        if (now - lastEmit >= 100 || fraction === 1 || step !== lastStep) {
          lastStep = step;
          lastEmit = now;
          this.repo.setProgress(info.id, info.progress, info.message);
          this.events.emit('task.updated', { ...info });
        }
      },
    };

    const done = (async () => {
      try {
        const result = await run(ctx);
        if (controller.signal.aborted) throw new HangarError('CANCELLED', 'Cancelled.');
        return this.finish(info, 'succeeded', { ...(info.result ?? {}), ...result }, null);
      } catch (e) {
        const err = controller.signal.aborted ? { code: 'CANCELLED', message: 'Cancelled by the user. Nothing was kept.' } : toApiError(uniqueConflict(e, (info.result as { name?: unknown } | null)?.name) ?? noSpaceError(e, 'the disk') ?? e);
        return this.finish(info, controller.signal.aborted ? 'cancelled' : 'failed', info.result, err);
      } finally {
        this.running.delete(info.id);
      }
    })();
    return { task: { ...info }, done };
  }

  cancel(id: string): TaskInfo {
    const entry = this.running.get(id);
    if (!entry) {
      const row = this.repo.get(id);
      if (!row) throw new HangarError('NOT_FOUND', `No task with id "${id}".`);
      const existing = toInfo(row);
      if (existing.state === 'running' && isAlive({ pid: row.owner_pid, start: row.owner_start }))
        throw new HangarError('INVALID_STATE', `Task "${existing.title}" runs in another Hangar process (pid ${row.owner_pid}); cancel it there, or wait for it to end.`);
      throw new HangarError('INVALID_STATE', `Task "${existing.title}" has already ended (${existing.state}).`);
    }
    if (!entry.info.cancellable) throw new HangarError('INVALID_STATE', `Task "${entry.info.title}" cannot be cancelled.`);
    entry.controller.abort();
    return { ...entry.info };
  }

  clearFinished(): number {
    return this.repo.clearFinished();
  }

  /** Abort everything (engine shutdown). */
  abortAll(): void {
    for (const { controller } of this.running.values()) controller.abort();
  }

  private finish(info: TaskInfo, state: TaskInfo['state'], result: TaskInfo['result'], error: TaskInfo['error']): TaskInfo {
    const finished: TaskInfo = { ...info, state, result, error, finishedAt: nowIso(), progress: state === 'succeeded' ? 1 : info.progress };
    this.repo.finish(finished);
    this.events.emit('task.updated', finished);
    return finished;
  }
}
