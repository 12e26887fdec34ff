import type { HostCapabilities, OsFamily } from '../../../src-main/api/contract';
import type { DISK_BUSES, NIC_MODELS } from '../../../src-main/api/contract';

export type DiskBus = (typeof DISK_BUSES)[number];
export type NicModel = (typeof NIC_MODELS)[number];

/** One choice in the wizard's OS list and the hardware it starts from. Pure; unit-tested. */
export interface OsPreset {
  /** Stored as spec.os.variant. */
  id: string;
  family: OsFamily;
  /** A product name shown as is; null = translated through `os.variant.<id>`. */
  name: string | null;
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  firmware: 'bios' | 'uefi';
  machine: 'q35' | 'pc';
  diskBus: DiskBus;
  nicModel: NicModel;
}

const linux = (id: string, name: string | null, memoryMiB: number, diskGiB: number, cpus = 1): OsPreset => ({
  id, family: 'linux', name, cpus, memoryMiB, diskGiB, firmware: 'bios', machine: 'q35', diskBus: 'virtio', nicModel: 'virtio-net-pci',
});
const bsd = (id: string, name: string, memoryMiB: number, diskGiB: number): OsPreset => ({
  id, family: 'bsd', name, cpus: 1, memoryMiB, diskGiB, firmware: 'bios', machine: 'q35', diskBus: 'virtio', nicModel: 'virtio-net-pci',
});
// Windows has no virtio drivers out of the box: SATA disk and an e1000e NIC work from the installer on.
const windows = (id: string, name: string, memoryMiB: number, diskGiB: number, firmware: 'bios' | 'uefi'): OsPreset => ({
  id, family: 'windows', name, cpus: 2, memoryMiB, diskGiB, firmware, machine: 'q35', diskBus: 'sata', nicModel: 'e1000e',
});

export const OS_PRESETS: readonly OsPreset[] = [
  linux('debian', 'Debian', 1024, 20),
  linux('ubuntu', 'Ubuntu', 2048, 25, 2),
  linux('fedora', 'Fedora', 2048, 25, 2),
  linux('arch', 'Arch Linux', 1024, 20),
  linux('alpine', 'Alpine Linux', 256, 4),
  linux('linux-other', null, 512, 8),
  windows('win11', 'Windows 11', 4096, 64, 'uefi'),
  windows('win10', 'Windows 10', 2048, 50, 'bios'),
  windows('winserver', 'Windows Server', 2048, 40, 'bios'),
  bsd('freebsd', 'FreeBSD', 1024, 20),
  bsd('openbsd', 'OpenBSD', 512, 16),
  { id: 'other', family: 'other', name: null, cpus: 1, memoryMiB: 512, diskGiB: 8, firmware: 'bios', machine: 'q35', diskBus: 'virtio', nicModel: 'virtio-net-pci' },
];

export const presetsFor = (family: OsFamily) => OS_PRESETS.filter((p) => p.family === family);
export const presetById = (id: string): OsPreset | undefined => OS_PRESETS.find((p) => p.id === id);
export const defaultPresetFor = (family: OsFamily): OsPreset => presetsFor(family)[0]!;

/** The preset's hardware, bounded by what this host has (no default a host cannot run). */
export function presetDefaults(preset: OsPreset, caps: Pick<HostCapabilities, 'cpus' | 'memoryBytes' | 'ovmf'> | null) {
  const hostMiB = caps ? Math.floor(caps.memoryBytes / (1024 * 1024)) : Infinity;
  const memoryCap = Number.isFinite(hostMiB) ? Math.max(64, Math.floor(hostMiB / 2 / 64) * 64) : Infinity;
  const firmwareDowngraded = preset.firmware === 'uefi' && caps !== null && caps.ovmf === null;
  return {
    cpus: Math.max(1, Math.min(preset.cpus, caps?.cpus ?? preset.cpus)),
    // leave the host at least half its memory when the preset would take more
    memoryMiB: Math.min(preset.memoryMiB, memoryCap),
    diskSize: `${preset.diskGiB}G`,
    firmware: firmwareDowngraded ? ('bios' as const) : preset.firmware,
    firmwareDowngraded,
    machine: preset.machine,
    diskBus: preset.diskBus,
    nicModel: preset.nicModel,
  };
}

/** A stored variant id → its label ("debian" → "Debian"; unknown ids shown as they are). */
export function osVariantLabel(variant: string, t: (key: string) => string): string {
  const p = presetById(variant);
  if (!p) return variant;
  return p.name ?? t(`os.variant.${p.id}`);
}
