import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';

/** Graphical console tickets and thumbnails (serial and shell channels are core `channel.*`). */
export function consoleHandlers(e: Engine) {
  return {
    'vnc.ticket': async (i) => e.consoles.ticket(i.vm),
    'vm.thumbnail': async (i) => e.consoles.thumbnail(i.vm),
  } satisfies Partial<Handlers>;
}
