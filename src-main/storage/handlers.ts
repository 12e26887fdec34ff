import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';

/** The storage methods of the contract, mapped to the storage services. */
export function storageHandlers(e: Engine) {
  const s = e.storage;
  return {
    'storage.defaultPool': async () => s.pools.describe(await s.pools.ensureDefault()),
    'pool.list': async (i) => s.pools.list(i.hostId),
    'pool.get': async (i) => s.pools.get(i.pool),
    'pool.add': async (i) => s.pools.add(i),
    'pool.remove': async (i) => s.pools.remove(i.pool),
    'volume.list': async (i) => s.volumes.list(i.pool),
    'volume.get': async (i) => s.volumes.get(i.volume),
    'volume.create': async (i) => s.volumes.create(i),
    'volume.resize': async (i) => s.volumes.resize(i.volume, i.size),
    'volume.clone': async (i) => s.volumes.clone(i),
    'volume.rename': async (i) => s.volumes.rename(i.volume, i.name),
    'volume.delete': async (i) => s.volumes.delete(i.volume, i.confirm),
    'volume.attach': async (i) => s.attach.attach(i),
    'volume.detach': async (i) => s.attach.detach(i),
    'vm.cdrom.eject': async (i) => s.attach.ejectCdrom(i.vm),
    'vm.cdrom.insert': async (i) => s.attach.insertCdrom(i.vm, i.path),
    'snapshot.list': async (i) => s.snapshots.list(i.vm),
    'snapshot.create': async (i) => s.snapshots.create(i),
    'snapshot.revert': async (i) => s.snapshots.revert(i),
    'snapshot.delete': async (i) => s.snapshots.delete(i),
  } satisfies Partial<Handlers>;
}
