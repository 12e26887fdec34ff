import type { VmService } from '../compute/vm-service';
import type { Db } from '../db/database';
import type { EventBus } from '../engine/event-bus';
import type { HostRegistry } from '../hosts/registry';
import type { TaskManager } from '../tasks/task-manager';
import { AttachService } from './attach';
import type { StorageDeps } from './context';
import { PoolService } from './pools';
import { StorageRepository } from './repository';
import { SnapshotService } from './snapshots';
import { VolumeService } from './volumes';

/** The storage domain: pools, volumes, attach/hot-plug and CD-ROMs, snapshots. */
export class Storage {
  readonly pools: PoolService;
  readonly volumes: VolumeService;
  readonly attach: AttachService;
  readonly snapshots: SnapshotService;

  constructor(db: Db, vms: VmService, hosts: HostRegistry, tasks: TaskManager, events: EventBus) {
    const deps: StorageDeps = { repo: new StorageRepository(db), vms, hosts, tasks, events };
    this.pools = new PoolService(deps);
    this.volumes = new VolumeService(deps, this.pools);
    this.attach = new AttachService(deps, this.volumes);
    this.snapshots = new SnapshotService(deps);
    // a deleted VM took its qcow2 files (and the snapshots inside) with it: forget their rows
    events.subscribe((m) => {
      if (m.topic === 'vm.changed' && m.data.deleted) deps.repo.forgetVm(m.data.id);
    });
  }
}
