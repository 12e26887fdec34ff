import type { BackupService } from '../backups/backup-service';
import type { VmService } from '../compute/vm-service';
import type { Db } from '../db/database';
import type { EngineCalls } from '../engine/ports';
import type { EventBus } from '../engine/event-bus';
import type { HostRegistry } from '../hosts/registry';

/**
 * What the scheduler and autostart use of the engine, and nothing more. Why: they run actions
 * through the engine's own contract (so every check applies), which made them take the whole
 * `Engine`; with these interfaces a test (or another composition) hands them exactly what they
 * use. `Engine` satisfies both and stays the only composition root.
 */
export type { EngineCalls } from '../engine/ports';

/** What schedule actions (actions.ts) use: the contract, the local host (command actions), the home and backups. */
export interface ScheduleActionPorts extends EngineCalls {
  readonly home: string;
  readonly hosts: Pick<HostRegistry, 'get'>;
  /** backup actions: the task's `done` (the contract returns only the task) and retention. */
  readonly backups: Pick<BackupService, 'startCreate' | 'prune'>;
}

export interface SchedulerPorts extends ScheduleActionPorts {
  readonly db: Db;
  readonly events: Pick<EventBus, 'emit'>;
  readonly vms: Pick<VmService, 'resolve' | 'list'>;
  readonly isClosed: boolean;
}

export interface AutostartPorts extends EngineCalls {
  readonly db: Db;
  readonly events: Pick<EventBus, 'emit'>;
  readonly vms: Pick<VmService, 'resolve' | 'list' | 'saveSpec'>;
}
