import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';
import { WATCH_LEASE_SEC } from './metrics-service';

/** metrics.* methods. Watching is per client (its lease expires unless renewed). */
export function metricsHandlers(e: Engine) {
  return {
    'metrics.watch': async (i, ctx) => {
      const vm = i.vm ? e.vms.resolve(i.vm) : null;
      e.metrics.watch(vm ? `vm:${vm.id}` : `host:${i.hostId}`, ctx.clientId);
      return { vmId: vm?.id ?? null, intervalSec: 1, leaseSec: WATCH_LEASE_SEC };
    },
    'metrics.unwatch': async (i, ctx) => {
      const vm = i.vm ? e.vms.resolve(i.vm) : null;
      e.metrics.unwatch(vm ? `vm:${vm.id}` : `host:${i.hostId}`, ctx.clientId);
      return null;
    },
    'metrics.current': async (i) => e.metrics.current(await e.vms.resolveFresh(i.vm)),
    'metrics.history': async (i) => e.metrics.history(e.vms.resolve(i.vm), i.range),
    'metrics.hostCurrent': async (i) => e.metrics.hostCurrent(i.hostId),
    'metrics.hostHistory': async (i) => e.metrics.hostHistory(i.hostId, i.range),
  } satisfies Partial<Handlers>;
}
