import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';

/** Appliance methods (contract/appliances.ts) → ApplianceService. */
export function applianceHandlers(e: Engine) {
  return {
    'appliance.inspect': async (i) => e.appliances.inspect(i.hostId, i.path),
    'appliance.import': async (i) => ({ task: e.appliances.startImport(i).task }),
    'appliance.export': async (i) => {
      // a stopped VM and a free, writable path, checked before the task: errors come back on their field
      await e.appliances.checkExport(i);
      return { task: e.appliances.startExport(i).task };
    },
  } satisfies Partial<Handlers>;
}
