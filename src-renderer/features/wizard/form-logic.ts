import type { HostCapabilities, MethodInput, OsFamily, PortForward } from '../../../src-main/api/contract';
import { objectName, NAME_MAX } from '../../../src-main/api/contract/common';
import { PortForwardSchema } from '../../../src-main/api/contract/vm';
import { parseSize, MiB } from '../../../src-main/shared/units';
import type { DiskBus, NicModel } from './presets';
import { cloudField, cloudIssues, type CloudDraft } from '../cloudinit/cloud-logic';

/**
 * The VM form shared by the wizard and the settings dialog, and its validation. Pure (no DOM,
 * no i18n): issues carry an i18n key + params and the components translate them. Field keys
 * are the engine's `details.field` paths, so engine errors land on the same fields.
 */
export type Issue = { key: string; params?: Record<string, string | number> };
export type Issues = Record<string, Issue>;

export interface PortForwardRow {
  /** Stable React key. */
  key: number;
  protocol: 'tcp' | 'udp';
  hostAddress: string;
  hostPort: string;
  guestPort: string;
}

export interface VmDraft {
  name: string;
  description: string;
  family: OsFamily;
  variant: string;
  media: 'iso' | 'none';
  isoPath: string;
  kernelEnabled: boolean;
  kernelPath: string;
  initrdPath: string;
  append: string;
  cpus: number;
  memoryMiB: number;
  firmware: 'bios' | 'uefi';
  machine: 'q35' | 'pc';
  /** UEFI Secure Boot (Microsoft keys) and TPM 2.0 (swtpm): off unless chosen. */
  secureBoot?: boolean;
  tpm?: boolean;
  display: 'vnc' | 'none';
  /** Guest integration (settings only; the engine's defaults apply at create): agent channel, vdagent clipboard. */
  guestAgent?: boolean;
  clipboard?: boolean;
  /** Display adapter (settings): std VGA, or virtio-vga that follows the console size. */
  video?: 'std' | 'virtio';
  diskEnabled: boolean;
  diskSize: string;
  diskFormat: 'qcow2' | 'raw';
  diskBus: DiskBus;
  network: 'nat' | 'none';
  nicModel: NicModel;
  portForwards: PortForwardRow[];
  autostart: boolean;
  startAfterCreate: boolean;
  /** The osinfo-db OS picked in the wizard (features/os/), with what it needs beyond the hardware fields. */
  osInfo?: DraftOs | null;
  /** Boot from a library disk image (linked clone unless fullCopy); set by "Create VM from this image". */
  image?: { id: string; name: string } | null;
  fullCopy?: boolean;
  /** A cloud image: the cloud-init step's settings (user, keys, host name...); null otherwise. */
  cloud?: CloudDraft | null;
}

export interface DraftOs {
  id: string;
  name: string;
  vendor: string;
  minimum: { cpus: number | null; memoryMiB: number | null; diskBytes: number | null };
  recommended: { cpus: number | null; memoryMiB: number | null; diskBytes: number | null };
  secureBoot: boolean;
  tpm: boolean;
  rtc: 'utc' | 'localtime';
  hyperv: boolean;
  /** The OS's display adapter (virtio-vga for Linux guests osinfo-db says drive virtio-gpu). */
  video?: 'std' | 'virtio';
  notes: string[];
}

export type HostLimits = (Pick<HostCapabilities, 'cpus' | 'memoryBytes' | 'diskFreeBytes' | 'ovmf'> & Partial<Pick<HostCapabilities, 'secureBootFirmware' | 'swtpm'>>) | null;

export const WIZARD_STEPS = ['name', 'media', 'cloudinit', 'hardware', 'disk', 'network', 'summary'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

/** The steps this draft goes through: the cloud-init step only for a VM from a cloud image. */
export const stepsFor = (d: Pick<VmDraft, 'cloud'>): WizardStep[] => WIZARD_STEPS.filter((s) => s !== 'cloudinit' || !!d.cloud);

const nameSchema = objectName('VM');

export function nameIssue(name: string, existing: ReadonlyArray<{ id: string; name: string }>, exceptId?: string): Issue | null {
  const parsed = nameSchema.safeParse(name);
  if (!parsed.success) {
    const code = parsed.error.issues[0]?.code;
    if (code === 'too_small') return { key: 'validation.nameRequired' };
    if (code === 'too_big') return { key: 'validation.nameTooLong', params: { max: NAME_MAX } };
    return { key: 'validation.nameChars' };
  }
  const lower = name.toLowerCase();
  if (existing.some((vm) => vm.id !== exceptId && vm.name.toLowerCase() === lower)) return { key: 'validation.nameTaken', params: { name } };
  return null;
}

const portNumber = (text: string): number | null => (/^\d{1,5}$/.test(text.trim()) ? Number(text) : null);

/** Row-level checks (ports, address, duplicates); the engine still checks ports in use on the host. */
export function portForwardIssues(rows: readonly PortForwardRow[], prefix = 'nics.0.portForwards'): Issues {
  const issues: Issues = {};
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    const host = portNumber(row.hostPort);
    const guest = portNumber(row.guestPort);
    if (host === null || host < 1 || host > 65535) issues[`${prefix}.${i}.hostPort`] = { key: 'validation.port' };
    if (guest === null || guest < 1 || guest > 65535) issues[`${prefix}.${i}.guestPort`] = { key: 'validation.port' };
    if (!PortForwardSchema.shape.hostAddress.safeParse(row.hostAddress.trim()).success) issues[`${prefix}.${i}.hostAddress`] = { key: 'validation.ipv4' };
    if (host !== null) {
      const k = `${row.protocol}:${host}`;
      const other = seen.get(k);
      if (other !== undefined) issues[`${prefix}.${i}.hostPort`] = { key: 'validation.portTwice', params: { port: host, row: other + 1 } };
      else seen.set(k, i);
    }
  });
  return issues;
}

export function hardwareIssues(d: Pick<VmDraft, 'cpus' | 'memoryMiB' | 'firmware'> & Partial<Pick<VmDraft, 'machine' | 'secureBoot' | 'tpm'>>, caps: HostLimits): Issues {
  const issues: Issues = {};
  if (!Number.isInteger(d.cpus) || d.cpus < 1) issues.cpus = { key: 'validation.cpusMin' };
  else if (caps && d.cpus > caps.cpus) issues.cpus = { key: 'validation.cpusAboveHost', params: { max: caps.cpus } };
  const hostMiB = caps ? Math.floor(caps.memoryBytes / MiB) : null;
  if (!Number.isInteger(d.memoryMiB) || d.memoryMiB < 16) issues.memoryMiB = { key: 'validation.memoryMin' };
  else if (hostMiB !== null && d.memoryMiB > hostMiB) issues.memoryMiB = { key: 'validation.memoryAboveHost', params: { max: hostMiB } };
  if (d.firmware === 'uefi' && caps && !caps.ovmf) issues.firmware = { key: 'validation.noOvmf' };
  if (d.secureBoot && (d.firmware !== 'uefi' || d.machine !== 'q35')) issues.secureBoot = { key: 'security.needsUefiQ35' };
  else if (d.secureBoot && caps && 'secureBootFirmware' in caps && !caps.secureBootFirmware) issues.secureBoot = { key: 'security.noFirmware' };
  if (d.tpm && caps && 'swtpm' in caps && !caps.swtpm) issues.tpm = { key: 'security.noSwtpm' };
  return issues;
}

/** Bytes for the new disk (0 = none), or the issue with the size text. */
export function diskBytes(d: Pick<VmDraft, 'diskEnabled' | 'diskSize'>): number | Issue {
  if (!d.diskEnabled) return 0;
  let bytes: number;
  try {
    bytes = parseSize(d.diskSize);
  } catch {
    return { key: 'validation.diskSize' };
  }
  if (bytes < MiB) return { key: 'validation.diskMin' };
  if (bytes > 64 * 1024 ** 4) return { key: 'validation.diskMax' };
  return bytes;
}

export function diskIssues(d: Pick<VmDraft, 'diskEnabled' | 'diskSize' | 'diskFormat'>, caps: HostLimits): Issues {
  const bytes = diskBytes(d);
  if (typeof bytes !== 'number') return { diskSizeBytes: bytes };
  if (caps && d.diskFormat === 'raw' && bytes > caps.diskFreeBytes) return { diskSizeBytes: { key: 'validation.diskNoSpace' } };
  return {};
}

const absolute = (p: string) => p.trim().startsWith('/');

export function mediaIssues(d: Pick<VmDraft, 'media' | 'isoPath' | 'kernelEnabled' | 'kernelPath' | 'initrdPath'>): Issues {
  const issues: Issues = {};
  // with direct kernel boot an ISO is optional (e.g. an installer's kernel + initrd)
  if (d.media === 'iso' && !(d.kernelEnabled && !d.isoPath.trim())) {
    if (!d.isoPath.trim()) issues.isoPath = { key: 'validation.isoRequired' };
    else if (!absolute(d.isoPath)) issues.isoPath = { key: 'validation.absolutePath' };
  }
  if (d.kernelEnabled) {
    if (!d.kernelPath.trim()) issues['kernel.path'] = { key: 'validation.kernelRequired' };
    else if (!absolute(d.kernelPath)) issues['kernel.path'] = { key: 'validation.absolutePath' };
    if (d.initrdPath.trim() && !absolute(d.initrdPath)) issues['kernel.initrd'] = { key: 'validation.absolutePath' };
  }
  return issues;
}

export interface ValidationContext {
  existing: ReadonlyArray<{ id: string; name: string }>;
  caps: HostLimits;
  exceptId?: string;
}

export function stepIssues(step: WizardStep, d: VmDraft, ctx: ValidationContext): Issues {
  switch (step) {
    case 'name': {
      const issue = nameIssue(d.name, ctx.existing, ctx.exceptId);
      return issue ? { name: issue } : {};
    }
    case 'media':
      return mediaIssues(d);
    case 'cloudinit':
      return d.cloud ? cloudIssues(d.cloud) : {};
    case 'hardware':
      return hardwareIssues(d, ctx.caps);
    case 'disk':
      return diskIssues(d, ctx.caps);
    case 'network':
      return d.network === 'nat' ? portForwardIssues(d.portForwards) : {};
    case 'summary':
      return {};
  }
}

export function allIssues(d: VmDraft, ctx: ValidationContext): Issues {
  return Object.assign({}, ...WIZARD_STEPS.map((s) => stepIssues(s, d, ctx))) as Issues;
}

/** Engine field names → the form's field keys ("kernel" → "kernel.path", "portForwards" → the table). */
export function normalizeField(field: string): string {
  const cloud = cloudField(field);
  if (cloud) return cloud;
  if (field === 'kernel') return 'kernel.path';
  if (field === 'portForwards' || field === 'nics' || field === 'nics.0') return 'nics.0.portForwards';
  if (field === 'os.family' || field === 'os.variant') return 'os';
  return field;
}

/** Which wizard step shows a field (unknown fields: the summary, as a general error). */
export function stepOfField(field: string): WizardStep {
  const f = normalizeField(field);
  if (f === 'name' || f === 'description' || f === 'os') return 'name';
  if (f.startsWith('cloudInit.')) return 'cloudinit';
  if (f === 'isoPath' || f.startsWith('kernel') || f === 'image' || f === 'fullCopy') return 'media';
  if (['cpus', 'memoryMiB', 'firmware', 'machine', 'display', 'secureBoot', 'tpm'].includes(f)) return 'hardware';
  if (f.startsWith('disk') || f === 'attachDisks') return 'disk';
  if (f.startsWith('nics')) return 'network';
  return 'summary';
}

export function toPortForwards(rows: readonly PortForwardRow[]): PortForward[] {
  return rows.map((r) => ({ protocol: r.protocol, hostAddress: r.hostAddress.trim(), hostPort: Number(r.hostPort), guestPort: Number(r.guestPort) }));
}

/** The vm.create input for a valid draft. */
export function toCreateInput(d: VmDraft): MethodInput<'vm.create'> {
  const bytes = diskBytes(d);
  return {
    name: d.name,
    description: d.description,
    os: { family: d.family, variant: d.variant, ...(d.osInfo ? { id: d.osInfo.id, name: d.osInfo.name.slice(0, 100) } : {}) },
    ...(d.osInfo ? { rtc: d.osInfo.rtc, hyperv: d.osInfo.hyperv } : {}),
    ...(d.osInfo?.video === 'virtio' ? { video: 'virtio' as const } : {}),
    cpus: d.cpus,
    memoryMiB: d.memoryMiB,
    firmware: d.firmware,
    machine: d.machine,
    secureBoot: !!d.secureBoot,
    tpm: !!d.tpm,
    diskSizeBytes: typeof bytes === 'number' ? bytes : 0,
    diskFormat: d.diskFormat,
    diskBus: d.diskBus,
    ...(d.media === 'iso' && d.isoPath.trim() ? { isoPath: d.isoPath.trim() } : {}),
    ...(d.image ? { image: d.image.id, fullCopy: !!d.fullCopy } : {}),
    ...(d.kernelEnabled && d.kernelPath.trim()
      ? { kernel: { path: d.kernelPath.trim(), ...(d.initrdPath.trim() ? { initrd: d.initrdPath.trim() } : {}), append: d.append } }
      : {}),
    nics: d.network === 'nat' ? [{ model: d.nicModel, portForwards: toPortForwards(d.portForwards) }] : [],
    display: d.display,
    autostart: d.autostart,
    startAfterCreate: d.startAfterCreate,
  };
}

let rowKey = 1;
export function newPortForwardRow(): PortForwardRow {
  return { key: rowKey++, protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: '', guestPort: '' };
}

export function rowsFrom(forwards: readonly PortForward[]): PortForwardRow[] {
  return forwards.map((f) => ({ key: rowKey++, protocol: f.protocol, hostAddress: f.hostAddress, hostPort: String(f.hostPort), guestPort: String(f.guestPort) }));
}
