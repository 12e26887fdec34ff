import * as path from 'node:path';
import { contract, type EventMessage, type ParsedInput, type VmInfo } from '../../src-main/api/contract';
import { VmLocks } from '../../src-main/compute/vm-lock';
import { VmService } from '../../src-main/compute/vm-service';
import { openDatabase, type Db } from '../../src-main/db/database';
import { VmRepository } from '../../src-main/db/repositories/vms';
import { EventBus } from '../../src-main/engine/event-bus';
import { HostRegistry } from '../../src-main/hosts/registry';
import { ImageRepository } from '../../src-main/images/image-repo';
import { ImageService } from '../../src-main/images/image-service';
import { Storage } from '../../src-main/storage/storage-service';
import { TaskManager } from '../../src-main/tasks/task-manager';
import { FakeHost } from './fake-host';
import { withQemuTools } from './fake-tools';

/**
 * Domain services wired as the Engine wires them, on a FakeHost and a temp SQLite database
 * (real migrations, real repositories): unit tests of VmService, storage and images without
 * QEMU. `events` records every event the services emitted.
 */
export interface FakeServices {
  host: FakeHost;
  db: Db;
  bus: EventBus;
  events: EventMessage[];
  hosts: HostRegistry;
  tasks: TaskManager;
  vms: VmService;
  storage: Storage;
  images: ImageService;
  /** Events of one topic, data only. */
  eventsOf<T extends EventMessage['topic']>(topic: T): Array<Extract<EventMessage, { topic: T }>['data']>;
  /** vm.create with the contract's defaults (a 1 GiB qcow2 disk, no display) and these overrides. */
  createVm(overrides?: Record<string, unknown>): Promise<VmInfo>;
  close(): void;
}

export function fakeServices(opts: { watch?: boolean; host?: FakeHost } = {}): FakeServices {
  const host = opts.host ?? withQemuTools(new FakeHost());
  const db = openDatabase(path.join(host.root, 'hangar.db'));
  const bus = new EventBus();
  const events: EventMessage[] = [];
  bus.subscribe((m) => events.push(m));
  const hosts = new HostRegistry();
  hosts.add(host);
  const tasks = new TaskManager(db, bus);
  const vms = new VmService(new VmRepository(db), hosts, bus, { watch: opts.watch ?? false, locks: new VmLocks(db) });
  const images = new ImageService(new ImageRepository(db), hosts, tasks, bus);
  vms.imageDisk = (ref, hostId, vmId, dir, full, file) => images.diskForVm(ref, hostId, vmId, dir, full, file);
  const storage = new Storage(db, vms, hosts, tasks, bus);
  return {
    host,
    db,
    bus,
    events,
    hosts,
    tasks,
    vms,
    storage,
    images,
    eventsOf: (topic) => events.filter((m) => m.topic === topic).map((m) => m.data) as never,
    createVm: (overrides = {}) => vms.create(contract['vm.create'].input.parse({ name: 'web', hostId: host.id, diskSizeBytes: 1024 ** 3, display: 'none', ...overrides }) as ParsedInput<'vm.create'>),
    close() {
      vms.closeAll();
      tasks.abortAll();
      db.close();
      void host.close();
      host.cleanup();
    },
  };
}
