import * as path from 'node:path';
import { HangarError, type ErrorCode } from '../api/errors';
import type { Clock } from './clock';
import { localExists } from '../hosts/local-fs';
import type { ScheduleActionPorts } from './ports';
import type { ScheduleRecord } from './schedule-repo';
import { say } from '../api/messages';
import { formatBytes } from '../shared/units';

/** What an action did, in words, and whether there was nothing to do (recorded as "skipped"). */
export interface ActionOutcome {
  skipped: boolean;
  message: string;
}

const CTX = { clientId: 'scheduler', origin: 'internal' as const };
/** A command action may run this long before it is ended. */
export const COMMAND_TIMEOUT_MS = 30 * 60 * 1000;

/** Run one schedule's action through the engine's own contract (so every check applies). Throws on failure. */
export async function runScheduleAction(engine: ScheduleActionPorts, s: ScheduleRecord, dueAt: number | null, clock: Pick<Clock, 'now'>): Promise<ActionOutcome> {
  switch (s.action) {
    case 'start':
      return startVm(engine, requireVm(s));
    case 'shutdown':
      return shutdownVm(engine, requireVm(s), s.params.shutdownTimeoutSec, s.params.forceAfterTimeout);
    case 'snapshot':
      return snapshotVm(engine, requireVm(s), s, dueAt ?? clock.now());
    case 'command':
      return runHangarCommand(engine, s.params.argv);
    case 'backup':
      return backUpVm(engine, requireVm(s), s);
  }
}

function requireVm(s: ScheduleRecord): string {
  if (!s.vmId) throw new HangarError('INVALID_STATE', `Schedule "${s.name}" has no VM (it was deleted).`);
  return s.vmId;
}

async function startVm(engine: ScheduleActionPorts, vm: string): Promise<ActionOutcome> {
  const info = await engine.call('vm.get', { vm }, CTX);
  if (info.state === 'running' || info.state === 'starting') return { skipped: true, message: say('schedule.already', { vm: info.name, state: info.state }) };
  if (info.state === 'paused') {
    await engine.call('vm.resume', { vm }, CTX);
    return { skipped: false, message: say('schedule.resumed', { vm: info.name }) };
  }
  await engine.call('vm.start', { vm }, CTX);
  return { skipped: false, message: say('schedule.started', { vm: info.name }) };
}

/** Guest agent or ACPI power button first (vm.stop picks); when the guest ignores it for `timeoutSec`, force off (if allowed). */
async function shutdownVm(engine: ScheduleActionPorts, vm: string, timeoutSec: number, force: boolean): Promise<ActionOutcome> {
  const info = await engine.call('vm.get', { vm }, CTX);
  if (info.state === 'stopped' || info.state === 'crashed') return { skipped: true, message: say('schedule.already', { vm: info.name, state: info.state }) };
  try {
    const stopped = await engine.call('vm.stop', { vm, timeoutSec, wait: true }, CTX);
    // the engine asks the guest agent first, ACPI when none answers: say which one it was
    const viaAgent = stopped.stateReason === say('vm.guestPoweredOffAgent');
    return { skipped: false, message: say(viaAgent ? 'schedule.shutDownAgent' : 'schedule.shutDown', { vm: info.name }) };
  } catch (e) {
    if (!(e instanceof HangarError) || e.code !== 'TIMEOUT' || !force) throw e;
    await engine.call('vm.kill', { vm }, CTX);
    return { skipped: false, message: say('schedule.forcedOff', { vm: info.name, seconds: timeoutSec }) };
  }
}

/** Take a snapshot named after the schedule and the due time, then keep only the newest N of this schedule's. */
async function snapshotVm(engine: ScheduleActionPorts, vm: string, s: ScheduleRecord, at: number): Promise<ActionOutcome> {
  const tree = await engine.call('snapshot.list', { vm }, CTX);
  if (tree.unsupportedReason) throw new HangarError('UNSUPPORTED', `Snapshots are not available for "${tree.vmName}": ${tree.unsupportedReason}`);
  const prefix = `${s.name.slice(0, 40)}-`;
  const name = `${prefix}${new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
  const task = await engine.call('snapshot.create', { vm, name, description: `Taken by schedule "${s.name}".`, wait: true }, CTX);
  if (task.state !== 'succeeded') throw new HangarError('INTERNAL', `The snapshot "${name}" failed: ${task.error?.message ?? task.state}.`);
  const mine = (await engine.call('snapshot.list', { vm }, CTX)).snapshots.filter((x) => x.name.startsWith(prefix)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const old = mine.slice(0, Math.max(0, mine.length - s.params.keepSnapshots));
  for (const snap of old) await engine.call('snapshot.delete', { vm, snapshot: snap.id, wait: true }, CTX);
  return { skipped: false, message: old.length ? say('schedule.snapshotTakenPruned', { name, vm: tree.vmName, count: old.length, keep: s.params.keepSnapshots }) : say('schedule.snapshotTaken', { name, vm: tree.vmName }) };
}

/**
 * A backup through BackupService (the same task as "Back up now", so it shows in the task list with
 * its progress), then this VM's retention: keep N daily / N weekly (backups/retention.ts). A failed
 * backup fails the run and prunes nothing.
 */
async function backUpVm(engine: ScheduleActionPorts, vm: string, s: ScheduleRecord): Promise<ActionOutcome> {
  const p = s.params;
  const { done } = engine.backups.startCreate({ vm, mode: p.backupMode, ...(p.backupFolder ? { folder: p.backupFolder } : {}) });
  const task = await done;
  if (task.state !== 'succeeded') throw new HangarError((task.error?.code as ErrorCode | undefined) ?? 'INTERNAL', task.error?.message ?? `The backup ended: ${task.state}.`);
  const r = task.result ?? {};
  const info = await engine.call('vm.get', { vm }, CTX);
  const consistency = r.consistency === 'crash-consistent' ? say('backup.crashConsistent') : r.quiesced ? say('backup.consistent') : say('backup.consistentStopped');
  const params = { id: String(r.backupId).slice(0, 8), vm: info.name, size: formatBytes(Number(r.bytes)), consistency };
  const full = r.kind === 'full';
  const pruned = await engine.backups.prune({ vm, keepDaily: p.keepDaily, keepWeekly: p.keepWeekly, dryRun: false });
  if (pruned.deleted.length === 0) return { skipped: false, message: say(full ? 'schedule.backupFull' : 'schedule.backupIncremental', params) };
  return { skipped: false, message: say(full ? 'schedule.backupFullPruned' : 'schedule.backupIncrementalPruned', { ...params, count: pruned.deleted.length, daily: p.keepDaily, weekly: p.keepWeekly }) };
}

/**
 * `hangar ARGV...` as a child process: process.execPath + bin/hangar.js + argv, never a shell.
 * The child finds this engine through engine.sock (same HANGAR_HOME) when one is listening.
 */
async function runHangarCommand(engine: ScheduleActionPorts, argv: string[]): Promise<ActionOutcome> {
  const host = engine.hosts.get('local');
  const r = await host.exec(process.execPath, [hangarBin(), ...argv], { timeoutMs: COMMAND_TIMEOUT_MS, env: { HANGAR_HOME: engine.home, ELECTRON_RUN_AS_NODE: '1' } });
  const tail = (text: string) => text.trim().split('\n').slice(-5).join('\n').slice(-2000);
  if (r.code !== 0) throw new HangarError('INTERNAL', `"hangar ${argv.join(' ')}" failed (${r.signal ? `signal ${r.signal}` : `exit ${r.code}`}): ${tail(r.stderr || r.stdout) || 'no output'}`);
  // the output of a successful command is the command's business (it may be a whole table): keep the record short
  return { skipped: false, message: say('schedule.commandOk', { command: argv.join(' ') }) };
}

/** bin/hangar.js of this installation (src-main/scheduler under tsx, dist/main/scheduler when built). */
export function hangarBin(): string {
  for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'bin', 'hangar.js');
    if (localExists(candidate)) return candidate;
  }
  throw new HangarError('MISSING_DEPENDENCY', 'The hangar command (bin/hangar.js) was not found next to this engine.');
}
