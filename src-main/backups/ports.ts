import type { VmService } from '../compute/vm-service';
import type { EngineCalls } from '../engine/ports';
import type { GuestService } from '../guest/guest-service';
import type { HostRegistry } from '../hosts/registry';
import type { TaskManager } from '../tasks/task-manager';

/**
 * What BackupService uses, and nothing more: the hosts, tasks (and their cleanup after a crash),
 * the VMs (their QMP for a live backup), the guest agent (a freeze for a consistent copy), and the
 * contract (a restore creates the VM through `vm.create`). Its SQL is BackupRepository's.
 * `Engine` satisfies it.
 */
export interface BackupPorts extends EngineCalls {
  readonly hosts: Pick<HostRegistry, 'get'>;
  readonly tasks: Pick<TaskManager, 'start' | 'onInterrupted'>;
  readonly vms: Pick<VmService, 'resolve' | 'resolveFresh' | 'paths' | 'withQmp' | 'saveSpec'>;
  readonly guest: Pick<GuestService, 'freeze'>;
}
