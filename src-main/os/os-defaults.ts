import type { OsDefaults, OsFamily, OsResources } from '../api/contract';

/**
 * What a new VM of an OS gets, from what osinfo-db says about it (never from a list of names):
 * resources (recommended, else minimum), firmware (UEFI when the database says BIOS is not
 * supported), devices (virtio only when the OS has drivers for them, else the Intel devices it
 * lists), and for Windows (osinfo families win*) RTC in local time and Hyper-V enlightenments.
 * Windows whose record refuses BIOS (Windows 11) also needs Secure Boot and TPM 2.0 to install.
 */
export interface OsFacts {
  family: OsFamily;
  osinfoFamily: string;
  minimum: OsResources;
  recommended: OsResources;
  uefiRequired: boolean;
  uefiSupported: boolean;
  virtioDisk: boolean;
  virtioNet: boolean;
  e1000e: boolean;
  e1000: boolean;
  q35: boolean;
  /** osinfo-db lists virtio-gpu (1af4:1050) for the OS. */
  virtioGpu?: boolean;
  /** osinfo-db lists modern (virtio 1.0) devices, 1af4:1041/1042: a kernel of virtio-gpu's era. */
  virtioModern?: boolean;
}

const GiB = 1024 ** 3;

export function defaultsFor(f: OsFacts): OsDefaults {
  const notes: string[] = [];
  const windows = /^win/.test(f.osinfoFamily);
  const cpus = f.recommended.cpus ?? Math.max(f.minimum.cpus ?? 1, 2);
  const memoryMiB = f.recommended.memoryMiB ?? f.minimum.memoryMiB ?? 1024;
  const diskBytes = f.recommended.diskBytes ?? f.minimum.diskBytes ?? 20 * GiB;
  const firmware = f.uefiRequired ? 'uefi' : 'bios';
  if (f.uefiRequired) notes.push('UEFI: the OS does not install on BIOS.');
  const modernWindows = windows && f.uefiRequired;
  if (modernWindows) notes.push('Secure Boot and TPM 2.0: required by the installer.');
  const machine = f.q35 || f.uefiRequired ? 'q35' : 'pc';
  const diskBus = f.virtioDisk ? 'virtio' : machine === 'q35' ? 'sata' : 'ide';
  const nicModel = f.virtioNet ? 'virtio-net-pci' : f.e1000e || machine === 'q35' ? 'e1000e' : 'e1000';
  if (!f.virtioDisk || !f.virtioNet) notes.push(`No virtio drivers in the installer: ${diskBus.toUpperCase()} disk and ${nicModel} network.`);
  const hyperv = windows && f.osinfoFamily === 'winnt' && machine === 'q35';
  if (windows) notes.push(hyperv ? 'Clock in local time and Hyper-V enlightenments, as Windows expects.' : 'Clock in local time, as Windows expects.');
  return {
    cpus,
    memoryMiB,
    diskBytes,
    firmware,
    secureBoot: modernWindows,
    tpm: modernWindows,
    machine,
    diskBus,
    nicModel,
    clock: windows ? 'localtime' : 'utc',
    // enlightenments help Windows 7 and later: the Windows that osinfo-db lists on q35
    hyperv,
    // virtio-vga lets the guest follow the console size. Linux guests whose osinfo record lists
    // virtio-gpu, or virtio 1.0 devices (few records list the GPU; virtio_gpu is in Linux since 4.2,
    // virtio 1.0 since 4.0). A guest without the driver still gets virtio-vga's VGA mode.
    video: f.family === 'linux' && (f.virtioGpu === true || f.virtioModern === true) ? 'virtio' : 'std',
    notes,
  };
}
