import { create } from 'zustand';
import type { VmInfo } from '../../../src-main/api/contract';
import { api, ApiError, errorMessage } from '../../api';
import { loadPref, savePref } from '../../app/storage';
import { SORT_KEYS, type SortKey } from './list-logic';

interface MachinesState {
  byId: Record<string, VmInfo>;
  loaded: boolean;
  loadError: string | null;
  selectedId: string | null;
  filter: string;
  sort: SortKey;
  sortDescending: boolean;
  /** Action in flight per VM id ("start", "stop"...), for spinners and to avoid double clicks. */
  busy: Record<string, string>;
  setAll(list: VmInfo[]): void;
  upsert(vm: VmInfo): void;
  remove(id: string): void;
  select(id: string | null): void;
  setFilter(text: string): void;
  setSort(key: SortKey, descending?: boolean): void;
  setBusy(id: string, action: string | null): void;
  load(): Promise<void>;
  refetch(id: string): Promise<void>;
}

const isSortKey = (v: unknown): v is SortKey => SORT_KEYS.includes(v as SortKey);
const isString = (v: unknown): v is string => typeof v === 'string';

/** The machine list and the selection. Kept current by vm.state / vm.changed events. */
export const useMachines = create<MachinesState>()((set, get) => ({
  byId: {},
  loaded: false,
  loadError: null,
  selectedId: loadPref<string | null>('selectedVm', null, isString),
  filter: '',
  sort: loadPref('sort', 'name', isSortKey),
  sortDescending: loadPref('sortDescending', false, (v): v is boolean => typeof v === 'boolean'),
  busy: {},

  setAll(list) {
    const byId: Record<string, VmInfo> = {};
    for (const vm of list) byId[vm.id] = vm;
    const { selectedId } = get();
    // keep the remembered selection when it still exists, else pick the first machine by name
    // (one pass, not a sort: with 1,000 machines this runs before the first paint)
    const keep = selectedId && byId[selectedId] ? selectedId : (list.reduce<VmInfo | null>((min, vm) => (min === null || vm.name.localeCompare(min.name) < 0 ? vm : min), null)?.id ?? null);
    set({ byId, loaded: true, loadError: null });
    if (keep !== selectedId) get().select(keep);
  },
  upsert: (vm) => set((s) => ({ byId: { ...s.byId, [vm.id]: vm } })),
  remove(id) {
    const { [id]: _gone, ...rest } = get().byId;
    set({ byId: rest });
    if (get().selectedId === id) get().select(null);
  },
  select(id) {
    savePref('selectedVm', id);
    set({ selectedId: id });
  },
  setFilter: (filter) => set({ filter }),
  setSort(sort, descending = false) {
    savePref('sort', sort);
    savePref('sortDescending', descending);
    set({ sort, sortDescending: descending });
  },
  setBusy: (id, action) =>
    set((s) => {
      const busy = { ...s.busy };
      if (action) busy[id] = action;
      else delete busy[id];
      return { busy };
    }),

  async load() {
    try {
      get().setAll(await api.call('vm.list', {}));
    } catch (e) {
      set({ loadError: errorMessage(e) });
    }
  },
  async refetch(id) {
    try {
      get().upsert(await api.call('vm.get', { vm: id }));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_FOUND') get().remove(id);
    }
  },
}));

/** Subscribe the store to engine events and to reconnects. Call once at start. */
export function startMachinesSync(): void {
  const store = useMachines.getState;
  api.on('vm.state', (ev) => {
    const vm = store().byId[ev.id];
    if (!vm) return void store().refetch(ev.id);
    store().upsert({ ...vm, state: ev.state, stateReason: ev.reason });
    // Live fields (pid, accel, lastSerialLines) come with the full record, fetched once the VM
    // settles. Not mid-transition: vm.get then makes the engine probe a QEMU that is still
    // starting or exiting, which can misjudge it (see the report on VmService.refresh).
    if (ev.state !== 'starting' && ev.state !== 'stopping') void store().refetch(ev.id);
  });
  api.on('vm.changed', (ev) => {
    if (ev.deleted) store().remove(ev.id);
    else void store().refetch(ev.id);
  });
  api.onConnectionChange((state) => {
    if (state === 'connected') void store().load();
  });
  if (api.connection === 'connected') void store().load();
}

export const selectSelectedVm = (s: MachinesState): VmInfo | null => (s.selectedId ? (s.byId[s.selectedId] ?? null) : null);
