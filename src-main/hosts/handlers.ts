import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';
import { HostRepository } from './host-repository';
import { LiveMigration } from './vm-migrate';
import { VmMover } from './vm-mover';

/** The hosts domain's methods (LAN hosts over SSH). */
export function hostHandlers(e: Engine) {
  const hostRows = new HostRepository(e.db);
  const migrations = new LiveMigration(e.db, e.hosts, e.tasks, e.vms, (id) => hostRows.find(id)?.name ?? id);
  const mover = new VmMover({ db: e.db, vms: e.vms, hostService: e.hostService, migrations, stop: (vm, timeoutSec) => e.call('vm.stop', { vm, timeoutSec, wait: true }) });
  return {
    'host.list': async () => e.hostService.listFresh(),
    'host.add': async (i) => e.hostService.add(i),
    'host.connect': async (i) => e.hostService.connect(i.host, i.passphrase),
    'host.probe': async (i) => e.hostService.probe(i.host),
    'host.remove': async (i) => e.hostService.remove(i.host),
    'host.copyFile': async (i) => e.hostService.copyFile(i).task,
    'host.moveVm': async (i) => (await e.hostService.moveVm(i)).task,
    'host.migrateVm': async (i) => (await migrations.start(i)).task,
    'vm.move': async (i) => mover.start(i),
  } satisfies Partial<Handlers>;
}
