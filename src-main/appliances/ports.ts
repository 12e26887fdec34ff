import type { VmService } from '../compute/vm-service';
import type { EngineCalls } from '../engine/ports';
import type { HostRegistry } from '../hosts/registry';
import type { TaskManager } from '../tasks/task-manager';

/**
 * What ApplianceService uses, and nothing more: the hosts the packages are on, tasks for the long
 * imports and exports, the VM records, and the contract (a VM is created and deleted through
 * `vm.create`/`vm.delete`, with every check of those methods). `Engine` satisfies it.
 */
export interface AppliancePorts extends EngineCalls {
  readonly hosts: Pick<HostRegistry, 'get'>;
  readonly tasks: Pick<TaskManager, 'start'>;
  readonly vms: Pick<VmService, 'list' | 'resolve' | 'resolveFresh' | 'saveSpec'>;
}
