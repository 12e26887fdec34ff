import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';

/** Guest integration handlers (guest agent, shared folders). */
export function guestHandlers(e: Engine) {
  return {
    'guest.info': async (i) => (i.refresh ? e.guest.info(i.vm) : (e.guest.cached(e.vms.resolve(i.vm)) ?? e.guest.info(i.vm))),
    'guest.exec': async (i) => e.guest.exec(i.vm, i.command, i.input, i.timeoutSec),
    'guest.setTime': async (i) => e.guest.setTime(i.vm),
    'guest.shares': async (i) => e.shares.list(i.vm),
    'guest.share': async (i) => e.shares.add(i),
    'guest.unshare': async (i) => e.shares.remove(i),
  } satisfies Partial<Handlers>;
}
