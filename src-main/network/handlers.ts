import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';
import { hostBridges } from './bridge-check';

export function networkHandlers(e: Engine) {
  return {
    'network.list': async () => e.networks.list(),
    'network.get': async (i) => e.networks.get(i.network),
    'network.create': async (i) => e.networks.create(i.name, i.description),
    'network.delete': async (i) => e.networks.delete(i.network),
    'network.bridges': async (i) => hostBridges(e.hosts.get(i.hostId)),
  } satisfies Partial<Handlers>;
}
