import type { RunStatus, RunTrigger, ScheduleAction, ScheduleRun } from '../api/contract';
import type { Db } from '../db/database';
import { say } from '../api/messages';

/** A schedule as stored (the action's parameters live in params_json). */
export interface ScheduleRecord {
  id: string;
  name: string;
  vmId: string | null;
  cron: string;
  timezone: string;
  action: ScheduleAction;
  params: ScheduleParams;
  enabled: boolean;
  graceSec: number;
  lastDueAt: number | null;
  createdAt: string;
}

export interface ScheduleParams {
  shutdownTimeoutSec: number;
  forceAfterTimeout: boolean;
  keepSnapshots: number;
  argv: string[];
  /** backup (issue 17): folder (null = the default one), mode and retention after each backup. */
  backupFolder: string | null;
  backupMode: 'auto' | 'full';
  keepDaily: number;
  keepWeekly: number;
}

/** What a schedule stored before backup schedules existed lacks (its params_json has no backup fields). */
const PARAM_DEFAULTS: Pick<ScheduleParams, 'backupFolder' | 'backupMode' | 'keepDaily' | 'keepWeekly'> = { backupFolder: null, backupMode: 'auto', keepDaily: 7, keepWeekly: 4 };

interface Row {
  id: string;
  name: string;
  vm_id: string | null;
  cron: string;
  timezone: string;
  action: ScheduleAction;
  params_json: string;
  enabled: number;
  grace_sec: number;
  last_due_at: string | null;
  created_at: string;
}

interface RunRow {
  id: number;
  schedule_id: string;
  schedule_name: string;
  due_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  trigger: RunTrigger;
  status: RunStatus;
  message: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Runs kept per schedule (the newest ones); older rows are removed as new runs are recorded. */
export const RUNS_KEPT = 500;

export class ScheduleRepository {
  constructor(private readonly db: Db) {}

  list(): ScheduleRecord[] {
    return (this.db.prepare('SELECT * FROM schedules ORDER BY name COLLATE NOCASE').all() as Row[]).map(toRecord);
  }

  find(ref: string): ScheduleRecord | null {
    const row = this.db.prepare('SELECT * FROM schedules WHERE id = ? OR name = ? COLLATE NOCASE').get(ref, ref) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  insert(s: ScheduleRecord): void {
    this.db
      .prepare('INSERT INTO schedules (id, name, vm_id, cron, timezone, action, params_json, enabled, grace_sec, last_due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.id, s.name, s.vmId, s.cron, s.timezone, s.action, JSON.stringify(s.params), s.enabled ? 1 : 0, s.graceSec, iso(s.lastDueAt), s.createdAt);
  }

  update(s: ScheduleRecord): void {
    this.db
      .prepare('UPDATE schedules SET name = ?, vm_id = ?, cron = ?, timezone = ?, action = ?, params_json = ?, enabled = ?, grace_sec = ?, last_due_at = ? WHERE id = ?')
      .run(s.name, s.vmId, s.cron, s.timezone, s.action, JSON.stringify(s.params), s.enabled ? 1 : 0, s.graceSec, iso(s.lastDueAt), s.id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM schedules WHERE id = ?').run(id);
  }

  setEnabled(id: string, enabled: boolean, lastDueAt: number): void {
    this.db.prepare('UPDATE schedules SET enabled = ?, last_due_at = ? WHERE id = ?').run(enabled ? 1 : 0, iso(lastDueAt), id);
  }

  /** Record that every due instant up to `dueAt` has been handled. */
  setLastDue(id: string, dueAt: number): void {
    this.db.prepare('UPDATE schedules SET last_due_at = ? WHERE id = ?').run(iso(dueAt), id);
  }

  addRun(scheduleId: string, run: { dueAt: number | null; startedAt: number | null; finishedAt?: number | null; trigger: RunTrigger; status: RunStatus; message?: string | null }): number {
    const r = this.db
      .prepare('INSERT INTO schedule_runs (schedule_id, due_at, started_at, finished_at, trigger, status, message) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(scheduleId, iso(run.dueAt), iso(run.startedAt), iso(run.finishedAt ?? null), run.trigger, run.status, run.message ?? null);
    // bounded history (issue 12: a per-second schedule wrote a row a second for ever)
    this.db
      .prepare('DELETE FROM schedule_runs WHERE schedule_id = ? AND id <= (SELECT id FROM schedule_runs WHERE schedule_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)')
      .run(scheduleId, scheduleId, RUNS_KEPT);
    return Number(r.lastInsertRowid);
  }

  finishRun(id: number, status: RunStatus, message: string | null, finishedAt: number): void {
    this.db.prepare('UPDATE schedule_runs SET status = ?, message = ?, finished_at = ? WHERE id = ?').run(status, message, iso(finishedAt), id);
  }

  /** Runs left "running" by an engine that stopped mid-run. */
  failInterruptedRuns(at: number): number {
    return this.db
      .prepare("UPDATE schedule_runs SET status = 'failed', message = ?, finished_at = ? WHERE status = 'running'")
      .run(say('schedule.interrupted'), iso(at)).changes;
  }

  runs(scheduleId: string | null, limit: number): ScheduleRun[] {
    const sql = `SELECT r.*, s.name AS schedule_name FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id ${scheduleId ? 'WHERE r.schedule_id = ?' : ''} ORDER BY r.id DESC LIMIT ?`;
    const rows = (scheduleId ? this.db.prepare(sql).all(scheduleId, limit) : this.db.prepare(sql).all(limit)) as RunRow[];
    return rows.map(toRun);
  }

  run(id: number): ScheduleRun | null {
    const row = this.db.prepare('SELECT r.*, s.name AS schedule_name FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id WHERE r.id = ?').get(id) as RunRow | undefined;
    return row ? toRun(row) : null;
  }
}

function toRecord(r: Row): ScheduleRecord {
  return {
    id: r.id,
    name: r.name,
    vmId: r.vm_id,
    cron: r.cron,
    timezone: r.timezone,
    action: r.action,
    params: { ...PARAM_DEFAULTS, ...(JSON.parse(r.params_json) as Partial<ScheduleParams>) } as ScheduleParams,
    enabled: r.enabled === 1,
    graceSec: r.grace_sec,
    lastDueAt: r.last_due_at ? Date.parse(r.last_due_at) : null,
    createdAt: r.created_at,
  };
}

function toRun(r: RunRow): ScheduleRun {
  return {
    id: r.id,
    scheduleId: r.schedule_id,
    scheduleName: r.schedule_name,
    dueAt: r.due_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    trigger: r.trigger,
    status: r.status,
    message: r.message,
  };
}
