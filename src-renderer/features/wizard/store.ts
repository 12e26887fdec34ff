import { create } from 'zustand';
import type { ImageInfo, OsFamily, VmInfo } from '../../../src-main/api/contract';
import { api, ApiError, errorMessage } from '../../api';
import { useUi } from '../../app/ui-store';
import { useHost } from '../host/store';
import { useWizardHost } from '../hosts/WizardHostField';
import { useMachines } from '../machines/store';
import { normalizeField, stepIssues, stepOfField, stepsFor, allIssues, toCreateInput, type VmDraft, type WizardStep } from './form-logic';
import { newCloudDraft, toCloudInit } from '../cloudinit/cloud-logic';
import { defaultPresetFor, presetById, presetDefaults } from './presets';
import { draftPatchFor } from '../os/os-logic';

interface WizardState {
  draft: VmDraft;
  step: WizardStep;
  /** Fields the user changed: their issues show live. */
  touched: Record<string, true>;
  /** Steps the user tried to leave: all their issues show. */
  attempted: Partial<Record<WizardStep, true>>;
  /** What the engine refused, per field, until the field changes. */
  serverIssues: Record<string, string>;
  generalError: string | null;
  creating: boolean;
  /** The preset chose UEFI but the host has no OVMF: BIOS was picked instead. */
  firmwareDowngraded: boolean;
  reset(): void;
  set(patch: Partial<VmDraft>): void;
  choosePreset(family: OsFamily, variant?: string): void;
  goTo(step: WizardStep): void;
  next(): boolean;
  back(): void;
  create(): Promise<VmInfo | null>;
}

function initialDraft(): { draft: VmDraft; firmwareDowngraded: boolean } {
  const preset = defaultPresetFor('linux');
  const d = presetDefaults(preset, useHost.getState().caps);
  return {
    firmwareDowngraded: d.firmwareDowngraded,
    draft: {
      name: '', description: '', family: preset.family, variant: preset.id,
      media: 'iso', isoPath: '', kernelEnabled: false, kernelPath: '', initrdPath: '', append: '',
      cpus: d.cpus, memoryMiB: d.memoryMiB, firmware: d.firmware, machine: d.machine, display: 'vnc',
      diskEnabled: true, diskSize: d.diskSize, diskFormat: 'qcow2', diskBus: d.diskBus,
      network: 'nat', nicModel: d.nicModel, portForwards: [], autostart: false, startAfterCreate: false,
    },
  };
}

/** Keys in the draft → the field keys issues use. */
const FIELD_OF: Partial<Record<keyof VmDraft, string[]>> = {
  name: ['name'], isoPath: ['isoPath'], media: ['isoPath'], kernelPath: ['kernel.path'], initrdPath: ['kernel.initrd'], kernelEnabled: ['kernel.path'],
  cpus: ['cpus'], memoryMiB: ['memoryMiB'], firmware: ['firmware'], diskSize: ['diskSizeBytes'], diskEnabled: ['diskSizeBytes'], diskFormat: ['diskSizeBytes'],
  cloud: ['cloudInit.user', 'cloudInit.hostname', 'cloudInit.sshKeys', 'cloudInit.userData', 'cloudInit.networkConfig'],
};

export const validationContext = () => ({ existing: Object.values(useMachines.getState().byId), caps: useHost.getState().caps });

/** The New-VM wizard's draft and navigation. Nothing reaches the engine until Create. */
export const useWizard = create<WizardState>()((set, get) => ({
  ...initialDraft(),
  step: 'name',
  touched: {},
  attempted: {},
  serverIssues: {},
  generalError: null,
  creating: false,

  reset: () => set({ ...initialDraft(), step: 'name', touched: {}, attempted: {}, serverIssues: {}, generalError: null, creating: false }),

  set(patch) {
    const touched = { ...get().touched };
    const serverIssues = { ...get().serverIssues };
    for (const k of Object.keys(patch) as Array<keyof VmDraft>) {
      for (const f of FIELD_OF[k] ?? [k]) {
        touched[f] = true;
        delete serverIssues[f];
      }
      if (k === 'portForwards' || k === 'network') for (const f of Object.keys(serverIssues)) if (f.startsWith('nics')) delete serverIssues[f];
    }
    set({ draft: { ...get().draft, ...patch }, touched, serverIssues });
  },

  choosePreset(family, variant) {
    const preset = (variant && presetById(variant)) || defaultPresetFor(family);
    const d = presetDefaults(preset, useHost.getState().caps);
    set({
      firmwareDowngraded: d.firmwareDowngraded,
      draft: { ...get().draft, osInfo: null, family: preset.family, variant: preset.id, cpus: d.cpus, memoryMiB: d.memoryMiB, firmware: d.firmware, machine: d.machine, diskSize: d.diskSize, diskBus: d.diskBus, nicModel: d.nicModel },
    });
  },

  goTo(step) {
    // jumping ahead through the step list is allowed only over steps without issues
    const steps = stepsFor(get().draft);
    const target = steps.indexOf(step);
    for (let i = 0; i < target; i++) {
      const s = steps[i]!;
      if (Object.keys(stepIssues(s, get().draft, validationContext())).length > 0) {
        set({ step: s, attempted: { ...get().attempted, [s]: true } });
        return;
      }
    }
    set({ step });
  },

  next() {
    const { step, draft } = get();
    set({ attempted: { ...get().attempted, [step]: true } });
    if (Object.keys(stepIssues(step, draft, validationContext())).length > 0) return false;
    const steps = stepsFor(draft);
    const i = steps.indexOf(step);
    if (i < steps.length - 1) set({ step: steps[i + 1]! });
    return true;
  },

  back() {
    const steps = stepsFor(get().draft);
    const i = steps.indexOf(get().step);
    if (i > 0) set({ step: steps[i - 1]! });
  },

  async create() {
    const { draft } = get();
    const issues = allIssues(draft, validationContext());
    const first = Object.keys(issues)[0];
    if (first) {
      const step = stepOfField(first);
      set({ step, attempted: { ...get().attempted, [step]: true } });
      return null;
    }
    set({ creating: true, generalError: null });
    try {
      const input = { ...toCreateInput(draft), hostId: useWizardHost.getState().hostId };
      const vm = draft.cloud && draft.image ? await api.call('cloudinit.createVm', { ...input, image: draft.image.id, cloudInit: toCloudInit(draft.cloud) }) : await api.call('vm.create', input);
      set({ creating: false });
      return vm;
    } catch (e) {
      // the engine blames a field: show its sentence there and go to that step
      const field = e instanceof ApiError && e.field ? normalizeField(e.field) : null;
      const step = field ? stepOfField(field) : 'summary';
      set({
        creating: false,
        step,
        serverIssues: field && step !== 'summary' ? { ...get().serverIssues, [field]: errorMessage(e) } : get().serverIssues,
        generalError: field && step !== 'summary' ? null : errorMessage(e),
      });
      return null;
    }
  },
}));

/**
 * Open the wizard pre-filled from a library image: an ISO becomes the install media; a disk
 * image becomes the VM's disk (a linked clone), so no new disk and no install media by default.
 */
export function openNewVmWizardFromImage(image: ImageInfo): void {
  openNewVmWizard();
  const w = useWizard.getState();
  w.choosePreset(image.os.family);
  const { draft } = useWizard.getState();
  const memoryMiB = Math.max(draft.memoryMiB, image.minMemoryMiB);
  useWizard.setState({
    draft:
      image.format === 'iso'
        ? { ...draft, memoryMiB, media: 'iso', isoPath: image.path, image: null }
        : image.cloudImage
          ? // a cloud image: the clone grows to the disk size asked (at least the image minimum), plus the cloud-init step
            { ...draft, memoryMiB, media: 'none', isoPath: '', diskEnabled: true, diskSize: `${Math.max(1, Math.ceil(image.minDiskBytes / 1024 ** 3))}G`, image: { id: image.id, name: image.name }, fullCopy: false, cloud: newCloudDraft(draft.name) }
          : { ...draft, memoryMiB, media: 'none', isoPath: '', diskEnabled: false, image: { id: image.id, name: image.name }, fullCopy: false },
  });
  // the OS osinfo-db detected on the ISO at import: its defaults, as if picked in the wizard
  if (image.osId)
    void api.call('os.get', { id: image.osId }).then(
      (os) => {
        const { patch, firmwareDowngraded } = draftPatchFor(os, useHost.getState().caps);
        useWizard.setState((s) => ({ draft: { ...s.draft, ...patch }, firmwareDowngraded }));
      },
      () => undefined, // without osinfo-db the family guess stays
    );
}

/** Open the wizard on a fresh draft (presets follow the host as it is now). */
export function openNewVmWizard(): void {
  useWizard.getState().reset();
  useWizardHost.getState().reset();
  useUi.getState().openDialog({ kind: 'wizard' });
}
