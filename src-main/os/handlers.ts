import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';

/** The OS domain's methods (contract/os.ts) → OsService. */
export function osHandlers(e: Engine) {
  return {
    'os.status': async () => e.os.status(),
    'os.list': async (i) => e.os.list(i.search, i.includeEol, i.limit),
    'os.get': async (i) => e.os.get(i.id),
    'os.detect': async (i) => e.os.detect(e.hosts.get(i.hostId), i.path),
    'os.catalog': async (i) => e.os.catalog(i.search, i.arch),
  } satisfies Partial<Handlers>;
}
