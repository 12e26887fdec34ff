import type { ParsedInput, TaskInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Db } from '../db/database';
import type { VmService } from '../compute/vm-service';
import { HostRepository } from './host-repository';
import type { HostService } from './host-service';
import type { LiveMigration } from './vm-migrate';

/**
 * `vm.move` (the Move… dialog and `hangar vm move`): one verb over the two ways a VM changes
 * host. Live: hosts/vm-migrate.ts, any direction, disks in the VM's folder mirrored over unless
 * the user says they are shared. Offline: hosts/vm-move.ts (copy, verify, switch), after an
 * optional ACPI shutdown. It only picks, checks and explains; the work is in those two.
 */
export interface MoverDeps {
  db: Db;
  vms: VmService;
  hostService: HostService;
  migrations: LiveMigration;
  /** vm.stop through the engine (ACPI, waits up to the timeout). */
  stop(vm: string, timeoutSec: number): Promise<unknown>;
}

interface HostRow {
  id: string;
  name: string;
  kind: 'local' | 'ssh';
}

export class VmMover {
  constructor(private readonly d: MoverDeps) {}

  private host(ref: string): HostRow {
    const rows: HostRow[] = new HostRepository(this.d.db).list();
    const wanted = ref.trim().toLowerCase();
    const h = wanted === 'local' ? rows.find((r) => r.kind === 'local') : rows.find((r) => r.id === ref || r.name.toLowerCase() === wanted);
    if (!h) throw new HangarError('NOT_FOUND', `No host named "${ref}". See the Hosts page or "hangar host list"; "local" means this computer.`, { field: 'toHost' });
    return h;
  }

  async start(input: ParsedInput<'vm.move'>): Promise<TaskInfo> {
    const vm = await this.d.vms.resolveFresh(input.vm);
    const to = this.host(input.toHost);
    const from = this.host(vm.hostId);
    if (to.id === vm.hostId) throw new HangarError('INVALID_INPUT', `"${vm.name}" is already on ${to.kind === 'local' ? 'this computer' : to.name}.`, { field: 'toHost' });
    const running = vm.state === 'running' || vm.state === 'paused';
    const where = from.kind === 'local' ? 'this computer' : from.name;

    if (input.live) {
      if (!running) throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state} on ${where}: a live move needs it running. Move it offline instead (without --live; "Live" off in the dialog).`, { field: 'live' });
      const { task } = await this.d.migrations.start({ vm: vm.id, toHost: to.id, copyStorage: input.storage !== 'shared', deleteSource: input.deleteSource });
      return task;
    }

    if (running) {
      if (!input.stopFirst)
        throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state} on ${where}: move it live (--live, or "Live" in the dialog), or let Hangar shut it down first (--stop, or "Shut down first").`, { field: 'live' });
      await this.d.stop(vm.id, input.stopTimeoutSec);
    }
    const { task } = await this.d.hostService.moveVm({ vm: vm.id, toHostId: to.id, deleteSource: input.deleteSource });
    return task;
  }
}
