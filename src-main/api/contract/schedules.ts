import { z } from 'zod';
import { method } from './define';
import { absolutePath, empty, objectName, objectRef } from './common';

/**
 * Schedules (cron expression + IANA time zone) and autostart. The scheduler runs only in
 * long-lived engines (serve, desktop); every engine can list, add, remove and run one now.
 */
export const SCHEDULE_ACTIONS = ['start', 'shutdown', 'snapshot', 'command', 'backup'] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'missed', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunTrigger = 'timer' | 'catch-up' | 'manual';

/** True when the runtime knows this IANA zone ("Europe/Paris", "UTC"). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const ScheduleAddInput = z
  .object({
    name: objectName('schedule'),
    /** The VM the action applies to (not for "command"). */
    vm: objectRef('VM').optional(),
    cron: z.string({ error: 'A cron expression is required, e.g. "0 8 * * 1-5".' }).trim().min(1, { error: 'A cron expression is required, e.g. "0 8 * * 1-5".' }).max(200),
    /** IANA time zone the expression is read in; defaults to the engine's own zone. */
    timezone: z
      .string()
      .min(1)
      .max(64)
      .refine(isTimeZone, { error: (iss) => `Unknown time zone "${String(iss.input)}": use an IANA name such as "Europe/Berlin", "America/New_York" or "UTC".` })
      .optional(),
    action: z.enum(SCHEDULE_ACTIONS, { error: 'The action must be start, shutdown, snapshot, command or backup.' }),
    /** shutdown: how long to wait for the guest after the ACPI request. */
    shutdownTimeoutSec: z.number().int().min(0).max(3600, { error: 'The shutdown timeout is at most 3600 s.' }).default(120),
    /** shutdown: force the VM off when it ignored the ACPI request for shutdownTimeoutSec. */
    forceAfterTimeout: z.boolean().default(true),
    /** snapshot: keep this many of this schedule's snapshots, deleting the oldest. */
    keepSnapshots: z.number().int().min(1, { error: 'Keep at least 1 snapshot.' }).max(1000).default(7),
    /** command: arguments of `hangar` (e.g. ["vm", "stop", "web"]), run without a shell. */
    argv: z.array(z.string().min(1).max(4096)).max(64).default([]),
    /** backup: the backup folder on the VM's host (as backup.create takes it; default $HANGAR_HOME/backups). */
    backupFolder: absolutePath('Backup folder').optional(),
    /** backup: auto = incremental when the chain allows, else full; full = always a full backup. */
    backupMode: z.enum(['auto', 'full'], { error: 'The backup mode must be auto or full.' }).default('auto'),
    /** backup: after a successful backup, keep the newest of each of the last N days (backups/retention.ts)... */
    keepDaily: z.number().int().min(0).max(3650, { error: 'Keep at most 3650 daily backups.' }).default(7),
    /** ...and of each of the last N ISO weeks; the rest of this VM's backups are pruned. */
    keepWeekly: z.number().int().min(0).max(520, { error: 'Keep at most 520 weekly backups.' }).default(4),
    /** Missed while no engine ran: run once at start-up if it was due at most this long ago. */
    graceSec: z.number().int().min(0).max(7 * 86400, { error: 'The grace window is at most 7 days.' }).default(900),
    enabled: z.boolean().default(true),
  })
  .strict();
export type ScheduleAddInput = z.input<typeof ScheduleAddInput>;

/** Changes to a schedule; absent fields stay as they are (no defaults here, on purpose). */
const addShape = ScheduleAddInput.shape;
export const ScheduleUpdateInput = z
  .object({
    schedule: objectRef('schedule'),
    name: addShape.name.optional(),
    vm: objectRef('VM').nullable().optional(),
    cron: addShape.cron.optional(),
    timezone: addShape.timezone,
    action: addShape.action.optional(),
    shutdownTimeoutSec: addShape.shutdownTimeoutSec.unwrap().optional(),
    forceAfterTimeout: z.boolean().optional(),
    keepSnapshots: addShape.keepSnapshots.unwrap().optional(),
    argv: z.array(z.string().min(1).max(4096)).max(64).optional(),
    /** null: back to the default folder. */
    backupFolder: absolutePath('Backup folder').nullable().optional(),
    backupMode: addShape.backupMode.unwrap().optional(),
    keepDaily: addShape.keepDaily.unwrap().optional(),
    keepWeekly: addShape.keepWeekly.unwrap().optional(),
    graceSec: addShape.graceSec.unwrap().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export interface ScheduleInfo {
  id: string;
  name: string;
  vmId: string | null;
  vmName: string | null;
  cron: string;
  timezone: string;
  action: ScheduleAction;
  shutdownTimeoutSec: number;
  forceAfterTimeout: boolean;
  keepSnapshots: number;
  argv: string[];
  /** backup: the folder (null = $HANGAR_HOME/backups of the VM's host), mode and retention. */
  backupFolder: string | null;
  backupMode: 'auto' | 'full';
  keepDaily: number;
  keepWeekly: number;
  graceSec: number;
  enabled: boolean;
  /** Next due instant (ISO, UTC), or null when disabled or the expression never fires again. */
  nextRunAt: string | null;
  lastRun: ScheduleRun | null;
  createdAt: string;
}

export interface ScheduleRun {
  id: number;
  scheduleId: string;
  scheduleName: string;
  /** The instant the run was due (null for "run now"). */
  dueAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  trigger: RunTrigger;
  status: RunStatus;
  message: string | null;
}

export interface AutostartEntry {
  vmId: string;
  vmName: string;
  enabled: boolean;
  order: number;
  delaySec: number;
}

const scheduleRef = z.object({ schedule: objectRef('schedule') }).strict();

export const scheduleMethods = {
  'schedule.list': method<ScheduleInfo[]>()(empty, 'Schedules with their next run and last result.'),
  'schedule.add': method<ScheduleInfo>()(ScheduleAddInput, 'Add a schedule: a cron expression in a time zone and an action.'),
  'schedule.update': method<ScheduleInfo>()(ScheduleUpdateInput, 'Change a schedule (its expression, zone, action or options).'),
  'schedule.remove': method<{ removed: string }>()(scheduleRef, 'Remove a schedule and its run history.'),
  'schedule.setEnabled': method<ScheduleInfo>()(
    z.object({ schedule: objectRef('schedule'), enabled: z.boolean() }).strict(),
    'Pause or resume a schedule.',
  ),
  'schedule.runs': method<ScheduleRun[]>()(
    z.object({ schedule: objectRef('schedule').optional(), limit: z.number().int().min(1).max(1000).default(50) }).strict(),
    'Run history, newest first.',
  ),
  'schedule.runNow': method<ScheduleRun>()(scheduleRef, "Run a schedule's action now and wait for its result."),
  'autostart.list': method<AutostartEntry[]>()(empty, 'VMs that start with a long-lived engine, in start order.'),
  'autostart.set': method<AutostartEntry>()(
    z
      .object({
        vm: objectRef('VM'),
        enabled: z.boolean(),
        /** Lower starts first. */
        order: z.number().int().min(0).max(10000).optional(),
        /** Wait this long before starting this VM (after the previous one). */
        delaySec: z.number().int().min(0).max(3600, { error: 'The autostart delay is at most 3600 s.' }).optional(),
      })
      .strict(),
    'Mark a VM to start (or not) when a long-lived engine starts.',
  ),
} as const;
