import { create } from 'zustand';
import type { MethodInput, OsCatalogItem, VmInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { useUi } from '../../app/ui-store';
import { toast } from '../../components/toast-store';
import { useHost } from '../host/store';
import { useImages } from '../images/store';
import { useMachines } from '../machines/store';
import { useOpsPage } from '../schedules/ops-page';
import { useStorage } from '../storage/store';
import { useTasks } from '../tasks/store';
import { useUsage } from '../usage/store';
import { draftPatchFor } from './os-logic';

/** One "Get" in flight or done: the download task, then the VM made from it. */
export interface Getting {
  phase: 'downloading' | 'creating' | 'done' | 'failed';
  taskId: string | null;
  message: string | null;
  vmId: string | null;
}

interface CatalogState {
  pageOpen: boolean;
  loaded: boolean;
  items: OsCatalogItem[];
  available: boolean | null;
  error: string | null;
  search: string;
  getting: Record<string, Getting>;
  openPage(open: boolean): void;
  setSearch(search: string): void;
  load(): Promise<void>;
  get(item: OsCatalogItem): Promise<void>;
}

export const itemKey = (i: OsCatalogItem) => `${i.os.id}|${i.media.url}`;

const waitTask = (id: string) =>
  new Promise<NonNullable<ReturnType<typeof useTasks.getState>['tasks'][number]>>((resolve) => {
    const check = () => {
      const t = useTasks.getState().tasks.find((x) => x.id === id);
      if (t && t.state !== 'running') {
        unsub();
        clearInterval(poll);
        resolve(t);
      }
    };
    const unsub = useTasks.subscribe(check);
    // events can be missed over a reconnect: look at the list too
    const poll = setInterval(() => void useTasks.getState().load().then(check), 2000);
    check();
  });

function freeName(base: string): string {
  const clean = base.replace(/[^\p{L}\p{N} ._-]/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, 56) || 'VM';
  const taken = new Set(Object.values(useMachines.getState().byId).map((v) => v.name.toLowerCase()));
  for (let n = 1; ; n++) {
    const name = n === 1 ? clean : `${clean} ${n}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/**
 * The "Get an OS" page: osinfo-db's installable media (os.catalog). Getting one downloads it into
 * the library (image.download: resumable, with progress), checks that the file is that OS
 * (the library detects the OS on every ISO), and creates a VM with the OS's defaults.
 */
export const useOsCatalog = create<CatalogState>()((set, get) => ({
  pageOpen: false,
  loaded: false,
  items: [],
  available: null,
  error: null,
  search: '',
  getting: {},
  openPage(open) {
    set({ pageOpen: open });
    if (open && !get().loaded) void get().load();
  },
  setSearch(search) {
    set({ search });
  },
  async load() {
    try {
      const [status, items] = await Promise.all([api.call('os.status', {}), api.call('os.catalog', {})]);
      set({ items, available: status.available, loaded: true, error: null });
    } catch (e) {
      set({ error: errorMessage(e), loaded: true });
    }
  },
  async get(item) {
    const key = itemKey(item);
    const update = (g: Partial<Getting>) => set({ getting: { ...get().getting, [key]: { ...(get().getting[key] ?? { phase: 'downloading', taskId: null, message: null, vmId: null }), ...g } } });
    update({ phase: 'downloading', taskId: null, message: null, vmId: null });
    try {
      const { task } = await api.call('image.download', { url: item.media.downloadUrl, ...(item.media.sha256 ? { sha256: item.media.sha256 } : {}) });
      update({ taskId: task.id });
      const done = await waitTask(task.id);
      if (done.state !== 'succeeded') throw new Error(done.error?.message ?? done.message ?? done.state);
      const image = await api.call('image.get', { image: String(done.result?.imageId) });
      if (image.osId !== item.os.id) throw new Error(`The downloaded file is not ${item.os.name}: osinfo-db recognises it as ${image.osId ?? 'an unknown OS'}. It stays in the library.`);
      update({ phase: 'creating' });
      const { patch } = draftPatchFor(item.os, useHost.getState().caps);
      const d = item.os.defaults;
      const input: MethodInput<'vm.create'> = {
        name: freeName(item.os.name),
        os: { family: item.os.family, variant: '', id: item.os.id, name: item.os.name.slice(0, 100) },
        cpus: patch.cpus ?? d.cpus,
        memoryMiB: patch.memoryMiB ?? d.memoryMiB,
        firmware: patch.firmware ?? d.firmware,
        secureBoot: d.secureBoot && patch.firmware === 'uefi',
        tpm: d.tpm,
        machine: d.machine,
        rtc: d.clock,
        hyperv: d.hyperv,
        ...(d.video === 'virtio' && { video: 'virtio' as const }),
        diskSizeBytes: d.diskBytes,
        diskBus: d.diskBus,
        nics: [{ model: d.nicModel, portForwards: [] }],
        isoPath: image.path,
      };
      const vm: VmInfo = await api.call('vm.create', input);
      useMachines.getState().upsert(vm);
      update({ phase: 'done', vmId: vm.id, message: vm.name });
      toast({ level: 'success', message: `${vm.name}: ${item.os.name}` });
    } catch (e) {
      update({ phase: 'failed', message: errorMessage(e) });
      toast({ level: 'error', message: errorMessage(e) });
    }
  },
}));

export function openOsCatalog(): void {
  useUi.getState().closeDialog();
  useOsCatalog.getState().openPage(true);
}

// one page at a time, as the other pages do
const closeOurs = () => {
  if (useOsCatalog.getState().pageOpen) useOsCatalog.setState({ pageOpen: false });
};
useMachines.subscribe((s, prev) => {
  if (s.selectedId !== prev.selectedId) closeOurs();
});
useImages.subscribe((s, prev) => s.pageOpen && !prev.pageOpen && closeOurs());
useStorage.subscribe((s, prev) => s.pageOpen && !prev.pageOpen && closeOurs());
useOpsPage.subscribe((s, prev) => s.page && !prev.page && closeOurs());
useUsage.subscribe((s, prev) => s.page && s.page !== prev.page && closeOurs());
useOsCatalog.subscribe((s, prev) => {
  if (s.pageOpen && !prev.pageOpen) {
    if (useImages.getState().pageOpen) useImages.setState({ pageOpen: false });
    if (useStorage.getState().pageOpen) useStorage.setState({ pageOpen: false });
    if (useOpsPage.getState().page) useOpsPage.setState({ page: null });
    if (useUsage.getState().page) useUsage.setState({ page: null });
  }
});
