import { create } from 'zustand';
import type { AutostartEntry, ScheduleInfo, ScheduleRun } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';

interface SchedulesState {
  schedules: ScheduleInfo[];
  runs: ScheduleRun[];
  autostart: AutostartEntry[];
  loaded: boolean;
  loadError: string | null;
  load(): Promise<void>;
}

/** Schedules with next run and last result, recent runs, and the autostart list. */
export const useSchedules = create<SchedulesState>()((set) => ({
  schedules: [],
  runs: [],
  autostart: [],
  loaded: false,
  loadError: null,
  async load() {
    try {
      const [schedules, runs, autostart] = await Promise.all([api.call('schedule.list', {}), api.call('schedule.runs', { limit: 30 }), api.call('autostart.list', {})]);
      set({ schedules, runs, autostart, loaded: true, loadError: null });
    } catch (e) {
      set({ loaded: true, loadError: errorMessage(e) });
    }
  },
}));

let timer: ReturnType<typeof setTimeout> | null = null;
function reloadSoon(): void {
  if (timer || !useSchedules.getState().loaded) return;
  timer = setTimeout(() => {
    timer = null;
    void useSchedules.getState().load();
  }, 150);
}
api.on('schedule.changed', reloadSoon);
api.on('vm.changed', reloadSoon);
