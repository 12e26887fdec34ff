import { randomUUID } from 'node:crypto';
import type { ParsedInput, RunTrigger, ScheduleInfo, ScheduleRun } from '../api/contract';
import { HangarError, notFound } from '../api/errors';
import { runScheduleAction } from './actions';
import { MAX_TIMER_MS, type Clock } from './clock';
import { dueBetween, latestDue, nextDue, validateCron } from './cron';
import type { SchedulerPorts } from './ports';
import { ScheduleRepository, type ScheduleRecord } from './schedule-repo';
import { say, sayText } from '../api/messages';

/** Missed runs are counted exactly up to this many; beyond, the record says "more than". */
const MISSED_COUNT_CAP = 100;

/**
 * Schedules: cron + IANA time zone + action. Every engine can add, list, remove and "run now";
 * only a long-lived engine (`start()`) arms timers.
 *
 * Missed runs (no long-lived engine was running when a run was due): at start-up, the latest
 * missed due instant runs once if it is at most `graceSec` old (default 15 min, per schedule);
 * older ones, and all but the latest, are recorded as one "missed" run. Never more than one
 * catch-up run per schedule: starting the same VM three times after a weekend helps nobody.
 */
export class Scheduler {
  readonly repo: ScheduleRepository;
  private readonly timers = new Map<string, unknown>();
  private readonly inFlight = new Set<string>();
  private running = false;

  constructor(
    private readonly engine: SchedulerPorts,
    readonly clock: Clock,
  ) {
    this.repo = new ScheduleRepository(engine.db);
  }

  // ---------------------------------------------------------------- queries and changes (any engine)

  list(): ScheduleInfo[] {
    return this.repo.list().map((s) => this.info(s));
  }

  get(ref: string): ScheduleInfo {
    return this.info(this.record(ref));
  }

  add(input: ParsedInput<'schedule.add'>): ScheduleInfo {
    if (this.repo.find(input.name)) throw new HangarError('CONFLICT', `A schedule named "${input.name}" already exists. Choose another name.`, { field: 'name' });
    const now = this.clock.now();
    const record: ScheduleRecord = {
      ...this.checked({ ...input, vm: input.vm ?? null, timezone: input.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone }),
      id: randomUUID(),
      enabled: input.enabled,
      // due instants before the schedule existed are not "missed"
      lastDueAt: now,
      createdAt: new Date(now).toISOString(),
    };
    this.repo.insert(record);
    this.changed(record.id);
    return this.get(record.id);
  }

  update(input: ParsedInput<'schedule.update'>): ScheduleInfo {
    const s = this.record(input.schedule);
    if (input.name !== undefined && this.repo.find(input.name) && this.repo.find(input.name)!.id !== s.id)
      throw new HangarError('CONFLICT', `A schedule named "${input.name}" already exists. Choose another name.`, { field: 'name' });
    const action = input.action ?? s.action;
    const next = this.checked({
      name: input.name ?? s.name,
      action,
      // a VM change, or none for a command; otherwise the VM it had
      vm: input.vm !== undefined ? input.vm : action === 'command' ? null : s.vmId,
      cron: input.cron ?? s.cron,
      timezone: input.timezone ?? s.timezone,
      shutdownTimeoutSec: input.shutdownTimeoutSec ?? s.params.shutdownTimeoutSec,
      forceAfterTimeout: input.forceAfterTimeout ?? s.params.forceAfterTimeout,
      keepSnapshots: input.keepSnapshots ?? s.params.keepSnapshots,
      argv: input.argv ?? s.params.argv,
      backupFolder: input.backupFolder !== undefined ? input.backupFolder : s.params.backupFolder,
      backupMode: input.backupMode ?? s.params.backupMode,
      keepDaily: input.keepDaily ?? s.params.keepDaily,
      keepWeekly: input.keepWeekly ?? s.params.keepWeekly,
      graceSec: input.graceSec ?? s.graceSec,
    });
    const enabled = input.enabled ?? s.enabled;
    // a new expression, zone or a resumed schedule counts from now: its past instants were never promised
    const recount = next.cron !== s.cron || next.timezone !== s.timezone || (enabled && !s.enabled);
    this.repo.update({ ...s, ...next, enabled, lastDueAt: recount ? this.clock.now() : s.lastDueAt });
    this.changed(s.id);
    return this.get(s.id);
  }

  /** Validate an action and its options; resolve the VM. Throws HangarError on the failing field. */
  private checked(i: {
    name: string;
    action: ScheduleRecord['action'];
    vm: string | null;
    cron: string;
    timezone: string;
    shutdownTimeoutSec: number;
    forceAfterTimeout: boolean;
    keepSnapshots: number;
    argv: string[];
    backupFolder?: string | null;
    backupMode: 'auto' | 'full';
    keepDaily: number;
    keepWeekly: number;
    graceSec: number;
  }): Pick<ScheduleRecord, 'name' | 'vmId' | 'cron' | 'timezone' | 'action' | 'params' | 'graceSec'> {
    validateCron(i.cron, i.timezone, this.clock.now());
    let vmId: string | null = null;
    if (i.action === 'command') {
      if (i.argv.length === 0) throw new HangarError('INVALID_INPUT', 'A command schedule needs the hangar arguments to run, e.g. ["vm", "stop", "web"].', { field: 'argv' });
      if (['serve', 'completion', 'vm console'].some((c) => i.argv.join(' ').startsWith(c)))
        throw new HangarError('INVALID_INPUT', `"hangar ${i.argv.join(' ')}" does not end by itself and cannot be scheduled.`, { field: 'argv' });
      if (i.vm) throw new HangarError('INVALID_INPUT', 'A command schedule does not take a VM: put it in the command arguments.', { field: 'vm' });
    } else {
      if (!i.vm) throw new HangarError('INVALID_INPUT', `A ${i.action} schedule needs a VM.`, { field: 'vm' });
      vmId = this.engine.vms.resolve(i.vm).id;
    }
    return {
      name: i.name,
      vmId,
      cron: i.cron,
      timezone: i.timezone,
      action: i.action,
      params: {
        shutdownTimeoutSec: i.shutdownTimeoutSec,
        forceAfterTimeout: i.forceAfterTimeout,
        keepSnapshots: i.keepSnapshots,
        argv: i.action === 'command' ? i.argv : [],
        backupFolder: i.action === 'backup' ? (i.backupFolder ?? null) : null,
        backupMode: i.backupMode,
        keepDaily: i.keepDaily,
        keepWeekly: i.keepWeekly,
      },
      graceSec: i.graceSec,
    };
  }

  remove(ref: string): { removed: string } {
    const s = this.record(ref);
    this.disarm(s.id);
    this.repo.delete(s.id);
    this.engine.events.emit('schedule.changed', { id: s.id, deleted: true });
    return { removed: s.name };
  }

  setEnabled(ref: string, enabled: boolean): ScheduleInfo {
    const s = this.record(ref);
    // a paused schedule's due instants are not "missed": count from now when it is resumed
    this.repo.setEnabled(s.id, enabled, enabled && !s.enabled ? this.clock.now() : (s.lastDueAt ?? this.clock.now()));
    this.changed(s.id);
    return this.get(s.id);
  }

  runs(ref: string | undefined, limit: number): ScheduleRun[] {
    return this.repo.runs(ref ? this.record(ref).id : null, limit);
  }

  /** Run the action now, wait for it, and return the recorded run. */
  async runNow(ref: string): Promise<ScheduleRun> {
    const s = this.record(ref);
    const id = await this.execute(s, null, 'manual');
    return this.repo.run(id)!;
  }

  // ---------------------------------------------------------------- timers (long-lived engines only)

  /** Catch up on missed runs, then arm a timer per enabled schedule. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.clock.now();
    this.repo.failInterruptedRuns(now);
    for (const s of this.repo.list()) {
      if (!s.enabled) continue;
      this.catchUp(s, now);
      this.arm(s.id);
    }
  }

  stop(): void {
    this.running = false;
    for (const id of [...this.timers.keys()]) this.disarm(id);
  }

  private catchUp(s: ScheduleRecord, now: number): void {
    const since = s.lastDueAt ?? Date.parse(s.createdAt);
    const first = nextDue(s.cron, s.timezone, since);
    if (first === null || first > now) return;
    // never walk every missed instant (a minutely schedule missed for a month is 43,200 of them)
    const latest = latestDue(s.cron, s.timezone, now) ?? first;
    const runLatest = now - latest <= s.graceSec * 1000;
    const sample = dueBetween(s.cron, s.timezone, since, now, MISSED_COUNT_CAP + 1);
    const total = sample.length > MISSED_COUNT_CAP ? null : sample.length;
    const notRun = total === null ? null : total - (runLatest ? 1 : 0);
    if (notRun !== 0) {
      const last = runLatest ? (latestDue(s.cron, s.timezone, latest - 1) ?? latest) : latest;
      this.repo.addRun(s.id, {
        dueAt: last,
        startedAt: null,
        finishedAt: now,
        trigger: 'catch-up',
        status: 'missed',
        message: say(notRun === null ? 'schedule.missedMany' : 'schedule.missed', { count: notRun ?? MISSED_COUNT_CAP, due: new Date(last).toISOString(), minutes: Math.round(s.graceSec / 60) }),
      });
    }
    this.repo.setLastDue(s.id, latest);
    if (runLatest) void this.execute(s, latest, 'catch-up');
    else this.changed(s.id);
  }

  private arm(id: string): void {
    this.disarm(id);
    if (!this.running) return;
    const s = this.repo.find(id);
    if (!s || !s.enabled) return;
    const now = this.clock.now();
    const due = nextDue(s.cron, s.timezone, Math.max(now, s.lastDueAt ?? 0));
    if (due === null) return;
    this.timers.set(
      id,
      this.clock.setTimer(() => this.fire(id, due), Math.min(due - now, MAX_TIMER_MS)),
    );
  }

  private fire(id: string, due: number): void {
    this.timers.delete(id);
    const s = this.repo.find(id);
    if (!this.running || !s || !s.enabled) return;
    // long waits are re-armed in steps; timers may also fire a little early
    if (this.clock.now() < due) {
      this.timers.set(id, this.clock.setTimer(() => this.fire(id, due), Math.min(due - this.clock.now(), MAX_TIMER_MS)));
      return;
    }
    // far too late (the computer slept through it): the missed-run policy decides, as at start-up
    if (this.clock.now() - due > Math.max(s.graceSec * 1000, 60_000)) {
      this.catchUp(s, this.clock.now());
      this.arm(id);
      return;
    }
    this.repo.setLastDue(id, due);
    this.arm(id);
    void this.execute(s, due, 'timer');
  }

  private disarm(id: string): void {
    const t = this.timers.get(id);
    if (t !== undefined) this.clock.clearTimer(t);
    this.timers.delete(id);
  }

  /** Record a run, do the action, record its end. Never throws (the result is in the run). */
  private async execute(s: ScheduleRecord, dueAt: number | null, trigger: RunTrigger): Promise<number> {
    if (this.inFlight.has(s.id)) {
      const id = this.repo.addRun(s.id, { dueAt, startedAt: this.clock.now(), finishedAt: this.clock.now(), trigger, status: 'skipped', message: say('schedule.stillRunning') });
      this.changed(s.id);
      return id;
    }
    this.inFlight.add(s.id);
    const runId = this.repo.addRun(s.id, { dueAt, startedAt: this.clock.now(), trigger, status: 'running' });
    this.changed(s.id);
    try {
      const outcome = await runScheduleAction(this.engine, s, dueAt, this.clock);
      this.finish(runId, outcome.skipped ? 'skipped' : 'succeeded', outcome.message);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.finish(runId, 'failed', message);
      if (!this.engine.isClosed) this.engine.events.emit('notice', { level: 'error', ...sayText('schedule.failedNotice', { name: s.name, message }) });
    } finally {
      this.inFlight.delete(s.id);
      if (!this.engine.isClosed) this.changed(s.id);
    }
    return runId;
  }

  private finish(runId: number, status: 'succeeded' | 'skipped' | 'failed', message: string): void {
    // the engine closed mid-run: the row stays "running" and the next start marks it interrupted
    if (this.engine.isClosed) return;
    this.repo.finishRun(runId, status, message, this.clock.now());
  }

  // ---------------------------------------------------------------- helpers

  private changed(id: string): void {
    if (this.running) this.arm(id);
    this.engine.events.emit('schedule.changed', { id });
  }

  private record(ref: string): ScheduleRecord {
    const s = this.repo.find(ref);
    if (!s) throw notFound('schedule', ref);
    return s;
  }

  private info(s: ScheduleRecord): ScheduleInfo {
    const vm = s.vmId ? this.engine.vms.list().find((v) => v.id === s.vmId) : undefined;
    const next = s.enabled ? nextDue(s.cron, s.timezone, Math.max(this.clock.now(), s.lastDueAt ?? 0)) : null;
    return {
      id: s.id,
      name: s.name,
      vmId: s.vmId,
      vmName: vm?.name ?? null,
      cron: s.cron,
      timezone: s.timezone,
      action: s.action,
      ...s.params,
      graceSec: s.graceSec,
      enabled: s.enabled,
      nextRunAt: next === null ? null : new Date(next).toISOString(),
      lastRun: this.repo.runs(s.id, 1)[0] ?? null,
      createdAt: s.createdAt,
    };
  }
}
