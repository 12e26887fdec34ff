import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';

export function scheduleHandlers(e: Engine) {
  return {
    'schedule.list': async () => e.scheduler.list(),
    'schedule.add': async (i) => e.scheduler.add(i),
    'schedule.update': async (i) => e.scheduler.update(i),
    'schedule.remove': async (i) => e.scheduler.remove(i.schedule),
    'schedule.setEnabled': async (i) => e.scheduler.setEnabled(i.schedule, i.enabled),
    'schedule.runs': async (i) => e.scheduler.runs(i.schedule, i.limit),
    'schedule.runNow': async (i) => e.scheduler.runNow(i.schedule),
    'autostart.list': async () => e.autostart.list(),
    'autostart.set': async (i) => e.autostart.set(i),
  } satisfies Partial<Handlers>;
}
