import type { MethodInput, VmInfo } from '../../../src-main/api/contract';
import { rowsFrom, stepIssues, stepOfField, toPortForwards, type Issues, type ValidationContext, type VmDraft } from '../wizard/form-logic';

/** The settings dialog's logic: a VM → an editable draft → the minimal vm.update input. Pure; unit-tested. */
export const SETTINGS_SECTIONS = ['general', 'system', 'media', 'network', 'shares', 'guest'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

export function draftFromVm(vm: VmInfo): VmDraft {
  const s = vm.spec;
  const nic = s.nics[0];
  return {
    name: s.name, description: s.description, family: s.os.family, variant: s.os.variant,
    media: s.cdrom ? 'iso' : 'none', isoPath: s.cdrom ?? '',
    kernelEnabled: false, kernelPath: '', initrdPath: '', append: '',
    cpus: s.cpus, memoryMiB: s.memoryMiB, firmware: s.firmware, machine: s.machine, display: s.display,
    secureBoot: s.secureBoot, tpm: s.tpm,
    guestAgent: s.guestAgent !== false, clipboard: s.clipboard === true, video: s.video ?? 'std',
    diskEnabled: false, diskSize: '', diskFormat: 'qcow2', diskBus: 'virtio',
    network: nic ? 'nat' : 'none', nicModel: nic?.model ?? 'virtio-net-pci', portForwards: rowsFrom(nic?.portForwards ?? []),
    autostart: s.autostart, startAfterCreate: false,
  };
}

/** Internal-network and bridged NICs keep their mode when another setting is saved (NAT is the default). */
const keepMode = (n: VmInfo['spec']['nics'][number]) => (n.mode === 'user' ? {} : { mode: n.mode, ...(n.network !== undefined && { network: n.network }), ...(n.bridge !== undefined && { bridge: n.bridge }) });

const sameForwards = (a: ReturnType<typeof toPortForwards>, b: ReturnType<typeof toPortForwards>) => JSON.stringify(a) === JSON.stringify(b);

/** Only what changed (absent fields stay as they are in the engine). */
export function toUpdateInput(d: VmDraft, vm: VmInfo): MethodInput<'vm.update'> {
  const s = vm.spec;
  const out: MethodInput<'vm.update'> = { vm: vm.id };
  if (d.name !== s.name) out.name = d.name;
  if (d.description !== s.description) out.description = d.description;
  if (d.family !== s.os.family || d.variant !== s.os.variant) out.os = { family: d.family, variant: d.variant };
  if (d.cpus !== s.cpus) out.cpus = d.cpus;
  if (d.memoryMiB !== s.memoryMiB) out.memoryMiB = d.memoryMiB;
  if (d.firmware !== s.firmware) out.firmware = d.firmware;
  if (d.machine !== s.machine) out.machine = d.machine;
  if (!!d.secureBoot !== s.secureBoot) out.secureBoot = !!d.secureBoot;
  if (!!d.tpm !== s.tpm) out.tpm = !!d.tpm;
  if (d.display !== s.display) out.display = d.display;
  if (d.autostart !== s.autostart) out.autostart = d.autostart;
  if (d.guestAgent !== undefined && d.guestAgent !== (s.guestAgent !== false)) out.guestAgent = d.guestAgent;
  if (d.clipboard !== undefined && d.clipboard !== (s.clipboard === true)) out.clipboard = d.clipboard;
  if (d.video !== undefined && d.video !== (s.video ?? 'std')) out.video = d.video;
  const iso = d.media === 'iso' && d.isoPath.trim() ? d.isoPath.trim() : null;
  if (iso !== s.cdrom) out.isoPath = iso;

  const first = s.nics[0];
  const keepRest = s.nics.slice(1).map((n) => ({ model: n.model, mac: n.mac, ...keepMode(n), portForwards: n.portForwards }));
  if (d.network === 'none') {
    if (s.nics.length > 0) out.nics = [];
  } else {
    const forwards = toPortForwards(d.portForwards);
    if (!first || first.model !== d.nicModel || !sameForwards(forwards, first.portForwards)) {
      out.nics = [{ model: d.nicModel, ...(first ? { mac: first.mac, ...keepMode(first) } : {}), portForwards: forwards }, ...keepRest];
    }
  }
  return out;
}

export const hasChanges = (input: MethodInput<'vm.update'>) => Object.keys(input).length > 1;

export function settingsIssues(d: VmDraft, ctx: ValidationContext): Issues {
  return { ...stepIssues('name', d, ctx), ...stepIssues('media', d, ctx), ...stepIssues('hardware', d, ctx), ...stepIssues('network', d, ctx) };
}

export function sectionOfField(field: string): SettingsSection {
  const step = stepOfField(field);
  if (step === 'hardware') return 'system';
  if (step === 'media') return 'media';
  if (step === 'network') return 'network';
  return 'general';
}
