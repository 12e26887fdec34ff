import { z } from 'zod';
import { method } from './define';
import { absolutePath, empty, hostId, objectName, objectRef } from './common';
import { CloudInitSpecSchema } from './cloudinit-spec';

/** The lifecycle states of a VM (see compute/state-machine.ts for the allowed transitions). */
export const VM_STATES = ['stopped', 'starting', 'running', 'paused', 'stopping', 'crashed'] as const;
export type VmState = (typeof VM_STATES)[number];

export const OS_FAMILIES = ['linux', 'windows', 'bsd', 'other'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];

/** The osinfo-db OS a VM was made for (os/), when one was chosen: short id and display name. */
const OsIdentity = {
  id: z.string().max(100).regex(/^[A-Za-z0-9._+-]+$/, { error: 'An OS id is an osinfo short id such as win11 or debian11.' }).optional(),
  name: z.string().max(100).optional(),
};
/** Guest clock: Windows keeps the RTC in local time. */
export const RTC_BASES = ['utc', 'localtime'] as const;

export const DISK_BUSES = ['virtio', 'sata', 'ide', 'scsi'] as const;
export const NIC_MODELS = ['virtio-net-pci', 'e1000', 'e1000e', 'rtl8139'] as const;
export const MACHINE_TYPES = ['q35', 'pc'] as const;
export const FIRMWARES = ['bios', 'uefi'] as const;

export const PortForwardSchema = z
  .object({
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
    hostAddress: z.ipv4({ error: 'Host address must be an IPv4 address such as 127.0.0.1.' }).default('127.0.0.1'),
    hostPort: z.number().int().min(1, { error: 'Host port must be 1–65535.' }).max(65535, { error: 'Host port must be 1–65535.' }),
    guestPort: z.number().int().min(1, { error: 'Guest port must be 1–65535.' }).max(65535, { error: 'Guest port must be 1–65535.' }),
  })
  .strict();
export type PortForward = z.infer<typeof PortForwardSchema>;

const MAC_RE = /^52:54:00(?::[0-9a-f]{2}){3}$/;

/**
 * How a NIC reaches the world: "user" = NAT by QEMU (slirp) with port forwards; "internal" = an
 * internal network shared with other VMs on this host (no root); "bridge" = a host bridge such as
 * br0 (needs qemu-bridge-helper and an allow line in /etc/qemu/bridge.conf).
 */
export const NIC_MODES = ['user', 'internal', 'bridge'] as const;
export type NicMode = (typeof NIC_MODES)[number];
const bridgeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/, { error: 'A bridge is a host interface name such as br0 (letters, digits, ".", "_", "-"; at most 15).' });

/** Each mode needs its own field, and port forwards exist only with NAT. */
function checkNicMode(nic: { mode?: NicMode | undefined; network?: string | undefined; bridge?: string | undefined; portForwards: unknown[] }, ctx: z.RefinementCtx): void {
  const mode = nic.mode ?? 'user';
  if (mode === 'internal' && !nic.network) ctx.addIssue({ code: 'custom', path: ['network'], message: 'An internal NIC needs the name of its internal network.' });
  if (mode === 'bridge' && !nic.bridge) ctx.addIssue({ code: 'custom', path: ['bridge'], message: 'A bridged NIC needs the name of the host bridge (e.g. br0).' });
  if (mode !== 'internal' && nic.network) ctx.addIssue({ code: 'custom', path: ['network'], message: 'Only an internal NIC has a network name.' });
  if (mode !== 'bridge' && nic.bridge) ctx.addIssue({ code: 'custom', path: ['bridge'], message: 'Only a bridged NIC has a bridge name.' });
  if (mode !== 'user' && nic.portForwards.length > 0) ctx.addIssue({ code: 'custom', path: ['portForwards'], message: 'Port forwards exist only on NAT (user mode) NICs.' });
}

export const NicSchema = z
  .object({
    id: z.string().min(1).max(32),
    mode: z.enum(NIC_MODES).default('user'),
    /** internal: the internal network's name (networks are never renamed, like VirtualBox's). */
    network: objectName('network').optional(),
    /** bridge: the host bridge's interface name. */
    bridge: bridgeName.optional(),
    model: z.enum(NIC_MODELS).default('virtio-net-pci'),
    mac: z.string().regex(MAC_RE, { error: 'MAC addresses are 52:54:00:xx:xx:xx (QEMU locally administered range).' }),
    portForwards: z.array(PortForwardSchema).max(64).default([]),
  })
  .strict()
  .superRefine(checkNicMode);
export type Nic = z.infer<typeof NicSchema>;

export const DiskSchema = z
  .object({
    id: z.string().min(1).max(32),
    path: absolutePath('Disk'),
    format: z.enum(['qcow2', 'raw']),
    bus: z.enum(DISK_BUSES).default('virtio'),
    readOnly: z.boolean().default(false),
    /** True when Hangar created the file (so "delete disks" may remove it). */
    owned: z.boolean().default(true),
  })
  .strict();
export type Disk = z.infer<typeof DiskSchema>;

/**
 * A host folder shared with the guest over virtio-9p (QEMU's "local" fsdev, security model
 * mapped-xattr: see guest/shares.ts for why). `tag` is what the guest mounts.
 */
export const SharedFolderSchema = z
  .object({
    tag: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$/, { error: 'A mount tag is 1–31 letters, digits, ".", "_" or "-", starting with a letter or digit.' }),
    path: absolutePath('Shared folder'),
    readOnly: z.boolean().default(false),
    /** "9p" keeps a share on 9p where virtiofs could run; absent/"auto": virtiofs when it can (guest/virtiofs.ts). */
    transport: z.enum(['auto', '9p']).optional(),
  })
  .strict();
export type SharedFolder = z.infer<typeof SharedFolderSchema>;

/**
 * The versioned, complete description of a VM. QEMU's argv is a pure function of it
 * (qemu/argv.ts). Bump `version` and add a migration in compute/vm-spec.ts when its shape changes.
 */
export const VmSpecSchema = z
  .object({
    version: z.literal(1),
    id: z.uuid(),
    name: objectName('VM'),
    description: z.string().max(4000).default(''),
    os: z.object({ family: z.enum(OS_FAMILIES), variant: z.string().max(64).default(''), ...OsIdentity }).strict(),
    cpus: z.number().int().min(1).max(512),
    memoryMiB: z.number().int().min(16).max(16 * 1024 * 1024),
    firmware: z.enum(FIRMWARES),
    secureBoot: z.boolean().default(false),
    tpm: z.boolean().default(false),
    machine: z.enum(MACHINE_TYPES),
    rtc: z.enum(RTC_BASES).default('utc'),
    hyperv: z.boolean().default(false),
    disks: z.array(DiskSchema).max(16),
    cdrom: absolutePath('ISO').nullable(),
    /** A VM made from a cloud image: its NoCloud seed settings and SSH forward (cloudinit/). */
    cloudInit: CloudInitSpecSchema.optional(),
    kernel: z
      .object({ path: absolutePath('Kernel'), initrd: absolutePath('Initrd').nullable(), append: z.string().max(4096).default('') })
      .strict()
      .nullable(),
    nics: z.array(NicSchema).max(8),
    display: z.enum(['vnc', 'none']),
    /** qemu-guest-agent channel (virtio-serial port org.qemu.guest_agent.0); see guest/. */
    guestAgent: z.boolean().default(true),
    /** Host folders shared with the guest (virtio-9p); see guest/shares.ts. */
    sharedFolders: z.array(SharedFolderSchema).max(8).default([]),
    /**
     * Clipboard through a qemu-vdagent chardev (VNC display only; the guest needs spice-vdagent).
     * Off unless asked for: QEMU cannot migrate a vdagent chardev, so with it a VM can neither take
     * a RAM snapshot (snapshot-save is a migration) nor move live.
     */
    clipboard: z.boolean().default(false),
    /**
     * The display adapter: "std" (QEMU's standard VGA; absent = std, as every VM made before this
     * field) or "virtio" (virtio-vga: the guest's virtio_gpu driver follows the console size).
     */
    video: z.enum(['std', 'virtio']).optional(),
    bootOrder: z.array(z.enum(['disk', 'cdrom', 'network'])).max(3),
    autostart: z.boolean().default(false),
  })
  .strict();
export type VmSpec = z.infer<typeof VmSpecSchema>;

const cpus = z
  .number({ error: 'CPUs must be a whole number.' })
  .int({ error: 'CPUs must be a whole number.' })
  .min(1, { error: 'A VM needs at least 1 CPU.' })
  .max(512, { error: 'QEMU supports at most 512 CPUs per VM here.' });
const memoryMiB = z
  .number({ error: 'Memory must be a number of MiB.' })
  .int({ error: 'Memory must be a whole number of MiB.' })
  .min(16, { error: 'A VM needs at least 16 MiB of memory.' });

export const PortForwardInput = PortForwardSchema;
export const NicInput = z
  .object({
    model: z.enum(NIC_MODELS).default('virtio-net-pci'),
    mac: z.string().regex(MAC_RE).optional(),
    mode: z.enum(NIC_MODES).optional(),
    network: objectName('network').optional(),
    bridge: bridgeName.optional(),
    portForwards: z.array(PortForwardSchema).max(64).default([]),
  })
  .strict()
  .superRefine(checkNicMode);

export const VmCreateInput = z
  .object({
    name: objectName('VM'),
    description: z.string().max(4000).default(''),
    hostId,
    os: z.object({ family: z.enum(OS_FAMILIES).default('linux'), variant: z.string().max(64).default(''), ...OsIdentity }).strict().default({ family: 'linux', variant: '' }),
    cpus: cpus.default(1),
    memoryMiB: memoryMiB.default(512),
    firmware: z.enum(FIRMWARES).default('bios'),
    secureBoot: z.boolean().default(false),
    tpm: z.boolean().default(false),
    machine: z.enum(MACHINE_TYPES).default('q35'),
    rtc: z.enum(RTC_BASES).default('utc'),
    /** Hyper-V enlightenments (hv_* CPU flags) for Windows guests. */
    hyperv: z.boolean().default(false),
    /** A new, empty disk of this many bytes (0 or absent: no new disk). */
    diskSizeBytes: z.number().int().min(0).max(64 * 1024 ** 4, { error: 'Disk size is above 64 TiB.' }).default(0),
    diskFormat: z.enum(['qcow2', 'raw']).default('qcow2'),
    diskBus: z.enum(DISK_BUSES).default('virtio'),
    /** Existing disk files to attach as they are (not owned: never deleted by Hangar). */
    attachDisks: z.array(z.object({ path: absolutePath('Disk'), format: z.enum(['qcow2', 'raw']).optional() }).strict()).max(15).default([]),
    isoPath: absolutePath('ISO').optional(),
    /** A library disk image (name or id) to boot from: a linked-clone overlay unless fullCopy. */
    image: objectRef('image').optional(),
    /** With image: copy the whole image instead of a qcow2 overlay on it. */
    fullCopy: z.boolean().optional(),
    kernel: z
      .object({ path: absolutePath('Kernel'), initrd: absolutePath('Initrd').optional(), append: z.string().max(4096).default('') })
      .strict()
      .optional(),
    nics: z.array(NicInput).max(8).default([{ model: 'virtio-net-pci', portForwards: [] }]),
    display: z.enum(['vnc', 'none']).default('vnc'),
    guestAgent: z.boolean().default(true),
    clipboard: z.boolean().default(false),
    video: z.enum(['std', 'virtio']).optional(),
    autostart: z.boolean().default(false),
    startAfterCreate: z.boolean().default(false),
  })
  .strict();
export type VmCreateInput = z.input<typeof VmCreateInput>;

/** Changes to a stopped VM. Absent fields stay as they are. */
export const VmUpdateInput = z
  .object({
    vm: objectRef('VM'),
    name: objectName('VM').optional(),
    description: z.string().max(4000).optional(),
    os: z.object({ family: z.enum(OS_FAMILIES), variant: z.string().max(64).default(''), ...OsIdentity }).strict().optional(),
    cpus: cpus.optional(),
    memoryMiB: memoryMiB.optional(),
    firmware: z.enum(FIRMWARES).optional(),
    machine: z.enum(MACHINE_TYPES).optional(),
    rtc: z.enum(RTC_BASES).optional(),
    hyperv: z.boolean().optional(),
    secureBoot: z.boolean().optional(),
    tpm: z.boolean().optional(),
    isoPath: absolutePath('ISO').nullable().optional(),
    nics: z.array(NicInput).max(8).optional(),
    display: z.enum(['vnc', 'none']).optional(),
    guestAgent: z.boolean().optional(),
    clipboard: z.boolean().optional(),
    video: z.enum(['std', 'virtio']).optional(),
    autostart: z.boolean().optional(),
  })
  .strict();

const vmRef = z.object({ vm: objectRef('VM') }).strict();

/** What list/get return: the spec plus live state. */
export interface VmInfo {
  id: string;
  name: string;
  hostId: string;
  state: VmState;
  /** Why the VM is in this state, in words ("guest powered off", "QEMU was killed (SIGKILL)"). */
  stateReason: string | null;
  spec: VmSpec;
  /** Accelerator of the running QEMU. */
  accel: 'kvm' | 'tcg' | null;
  pid: number | null;
  startedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** For crashed VMs: the last lines the guest printed on its serial console. */
  lastSerialLines: string[];
  /** Where the VM's files are on its host. */
  dir: string;
  /** What the guest agent last said (guest/guest-service.ts); absent when never asked. */
  guest?: GuestInfo;
  /**
   * Set when the stored settings cannot be read (the reason, in words): the VM is listed with a
   * placeholder spec, cannot start, and can be repaired from its vm.json (`vm.repair`) or deleted.
   */
  damaged?: string;
}

/** The guest's own view, from qemu-guest-agent. */
export interface GuestInfo {
  /** connected: the agent answered; not-responding: the channel exists but no agent answered; disabled: no agent channel; off: the VM is not running. */
  agent: 'connected' | 'not-responding' | 'disabled' | 'off';
  hostname: string | null;
  os: { name: string; version: string | null; kernel: string | null; id: string | null } | null;
  interfaces: Array<{ name: string; mac: string | null; addresses: Array<{ ip: string; prefix: number; family: 'ipv4' | 'ipv6' }> }>;
  /** The guest's addresses, loopback and link-local left out, IPv4 first. */
  ips: string[];
  /** How to install the agent for this VM's OS, when it does not answer. */
  installHint: string | null;
  checkedAt: string;
}

export interface HostCapabilities {
  hostId: string;
  hostname: string;
  qemu: { binary: string; version: string } | null;
  qemuImg: { binary: string; version: string } | null;
  /** How to install what is missing, for this host's OS. */
  installHint: string | null;
  accel: 'kvm' | 'tcg';
  /** Why KVM is not used, when it is not ("/dev/kvm does not exist", "no permission on /dev/kvm"). */
  kvmUnavailableReason: string | null;
  machineTypes: string[];
  ovmf: { code: string; vars: string } | null;
  /** UEFI with Secure Boot and Microsoft's keys enrolled (from QEMU's firmware descriptors). */
  secureBootFirmware?: { code: string; vars: string; descriptor: string } | null;
  /** swtpm (TPM 2.0 emulator) and swtpm_setup, when installed. */
  swtpm?: { binary: string; setup: string; version: string } | null;
  cpus: number;
  memoryBytes: number;
  diskFreeBytes: number;
  diskTotalBytes: number;
  hangarHome: string;
}

export const vmMethods = {
  'host.capabilities': method<HostCapabilities>()(
    z.object({ hostId, refresh: z.boolean().default(false) }).strict(),
    'What the host can run: QEMU version, KVM or TCG, machine types, OVMF, CPUs, memory, disk.',
  ),
  'vm.list': method<VmInfo[]>()(empty, 'All VMs with their live state.'),
  'vm.get': method<VmInfo>()(vmRef, 'One VM by name or id.'),
  'vm.create': method<VmInfo>()(VmCreateInput, 'Create a VM (and its new disk), optionally start it.'),
  'vm.update': method<VmInfo>()(VmUpdateInput, 'Change a stopped VM.'),
  'vm.delete': method<{ deletedFiles: string[]; keptFiles: string[] }>()(
    z.object({ vm: objectRef('VM'), deleteDisks: z.boolean().default(false) }).strict(),
    'Delete a stopped VM. Its disks are kept unless deleteDisks is true.',
  ),
  'vm.start': method<VmInfo>()(vmRef, 'Start a stopped or crashed VM.'),
  'vm.stop': method<VmInfo>()(
    z
      .object({
        vm: objectRef('VM'),
        /** Wait this long for the guest to power off after the ACPI request. */
        timeoutSec: z.number().int().min(0).max(3600).default(60),
        /** Wait for the guest to power off (otherwise return once the request was sent). */
        wait: z.boolean().default(true),
      })
      .strict(),
    'ACPI shutdown: ask the guest to power off. Times out with an offer to force off.',
  ),
  'vm.kill': method<VmInfo>()(vmRef, 'Force off: end QEMU at once, like pulling the plug.'),
  'vm.pause': method<VmInfo>()(vmRef, 'Pause the CPUs.'),
  'vm.resume': method<VmInfo>()(vmRef, 'Resume a paused VM.'),
  'vm.reset': method<VmInfo>()(vmRef, 'Hard reset, like the reset button.'),
  'vm.serialTail': method<{ text: string; bytes: number }>()(
    z.object({ vm: objectRef('VM'), maxBytes: z.number().int().min(0).max(16 * 1024 * 1024).default(64 * 1024) }).strict(),
    'The last bytes the guest wrote on its serial console (kept across restarts).',
  ),
} as const;
