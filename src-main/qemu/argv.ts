import type { Disk, Nic, VmSpec } from '../api/contract';
import type { VmPaths } from './paths';
import { guestDevices } from '../guest/guest-argv';

/**
 * VmSpec → QEMU argv: a pure function, golden-tested (test/unit/argv.test.ts).
 * Every value that may hold user text (paths, names) goes either in its own argv item
 * (-kernel, -append) or through JSON (-blockdev), never spliced into a shell string.
 * Where QEMU's key=value syntax is unavoidable, commas are doubled as QEMU requires.
 */
export interface ArgvHostFacts {
  accel: 'kvm' | 'tcg';
  ovmf: { code: string; vars: string } | null;
  /** Secure Boot OVMF (Microsoft keys, SMM), from QEMU's firmware descriptors: qemu/firmware.ts. */
  secureBootFirmware?: { code: string; vars: string } | null;
  /** Internal networks the NICs name → their multicast group and UDP port (network/network-service.ts). */
  internalNetworks?: Record<string, { mcastGroup: string; mcastPort: number }>;
  /** QEMU's version, for devices newer QEMUs have (guest/guest-argv.ts: qemu-vdagent). */
  qemuVersion?: string | undefined;
  /** virtiofsd can run on this host: read-write shares use virtiofs (guest/virtiofs.ts). */
  virtiofs?: boolean | undefined;
}

/** Free PCIe root ports on q35 for hot-plugged disks (`hp0`..; see storage/hotplug.ts). */
export const HOTPLUG_ROOT_PORTS = 4;

/**
 * Hyper-V enlightenments for Windows guests (spec.hyperv): the set libvirt/virt-manager enable
 * for Windows; QEMU emulates them under TCG too, so the argv is the same with or without KVM.
 */
export const HYPERV_FLAGS = ',hv_relaxed,hv_vapic,hv_spinlocks=0x1fff,hv_vpindex,hv_runtime,hv_synic,hv_stimer,hv_time,hv_frequencies';

/** QEMU's option syntax: a comma inside a value is written ",,". */
export const qemuOptValue = (value: string): string => value.replace(/,/g, ',,');

export function buildQemuArgv(spec: VmSpec, paths: VmPaths, host: ArgvHostFacts): string[] {
  const argv: string[] = [];
  const push = (...items: string[]) => argv.push(...items);

  push('-name', `guest=${qemuOptValue(spec.name)},debug-threads=on`);
  push('-uuid', spec.id);
  push('-nodefaults', '-no-user-config');
  // Secure Boot needs SMM: the firmware lets only SMM code write the authenticated variables.
  push('-machine', `${spec.machine}${host.accel === 'kvm' ? ',vmport=off' : ''}${spec.secureBoot ? ',smm=on' : ''}`);
  push('-accel', host.accel);
  push('-cpu', (host.accel === 'kvm' ? 'host' : 'max') + (spec.hyperv ? HYPERV_FLAGS : ''));
  push('-smp', String(spec.cpus));
  push('-m', `${spec.memoryMiB}M`);
  push('-rtc', spec.rtc === 'localtime' ? 'base=localtime' : 'base=utc');
  push('-pidfile', paths.pidFile);
  push('-msg', 'timestamp=on');

  // Control and console sockets: QMP, and serial with a log so scrollback survives re-attach.
  push('-chardev', `socket,id=qmp0,path=${qemuOptValue(paths.qmpSocket)},server=on,wait=off`);
  push('-mon', 'chardev=qmp0,mode=control');
  push(
    '-chardev',
    `socket,id=serial0,path=${qemuOptValue(paths.serialSocket)},server=on,wait=off,logfile=${qemuOptValue(paths.serialLog)},logappend=on`,
  );
  push('-serial', 'chardev:serial0');

  // Display: VNC on a UNIX socket (proxied to noVNC by the engine), or none for headless guests.
  push('-display', 'none');
  if (spec.display === 'vnc') {
    // virtio-vga: the guest's virtio_gpu follows SetDesktopSize (the console's Resize); std VGA cannot
    push('-device', spec.video === 'virtio' ? 'virtio-vga,id=video0' : 'VGA,id=video0');
    push('-vnc', `unix:${qemuOptValue(paths.vncSocket)}`);
    push('-device', 'qemu-xhci,id=usb0', '-device', 'usb-tablet,id=tablet0,bus=usb0.0');
  }

  if (spec.secureBoot) {
    if (spec.firmware !== 'uefi' || spec.machine !== 'q35') throw new Error('Secure Boot needs UEFI firmware and the q35 machine type.');
    if (!host.secureBootFirmware) throw new Error('Secure Boot firmware (OVMF with Microsoft keys) is not installed on this host.');
    // Only SMM may write the flash that holds the variables (so the guest cannot replace db/dbx).
    push('-global', 'driver=cfi.pflash01,property=secure,value=on');
    push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${qemuOptValue(host.secureBootFirmware.code)}`);
    push('-drive', `if=pflash,format=raw,unit=1,file=${qemuOptValue(paths.secureBootVars)}`);
  } else if (spec.firmware === 'uefi') {
    if (!host.ovmf) throw new Error('UEFI firmware (OVMF) is not installed on this host.');
    push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${qemuOptValue(host.ovmf.code)}`);
    push('-drive', `if=pflash,format=raw,unit=1,file=${qemuOptValue(paths.ovmfVars)}`);
  }

  // Spare PCIe root ports for disk hot-plug (storage/hotplug.ts): q35's root complex itself
  // does not accept hot-plugged devices. One multifunction slot, 0x1c like real ICH9 root ports.
  if (spec.machine === 'q35') {
    for (let n = 0; n < HOTPLUG_ROOT_PORTS; n++) push('-device', `pcie-root-port,id=hp${n},bus=pcie.0,chassis=${n + 1},addr=0x1c.${n}${n === 0 ? ',multifunction=on' : ''}`);
  }

  const ide = ideSlots(spec.machine);
  const needsAhci = spec.machine === 'pc' && spec.disks.some((d) => d.bus === 'sata');
  if (needsAhci) push('-device', 'ahci,id=sata0');
  if (spec.disks.some((d) => d.bus === 'scsi')) push('-device', 'virtio-scsi-pci,id=scsi0');

  const bootIndex = bootIndexer(spec.bootOrder);
  let sataPort = 0;
  spec.disks.forEach((disk, i) => {
    const node = `disk${i}`;
    push('-blockdev', JSON.stringify(fileBlockdev(`${node}-file`, disk.path, disk.readOnly)));
    push('-blockdev', JSON.stringify({ driver: disk.format, 'node-name': node, file: `${node}-file`, 'read-only': disk.readOnly }));
    const boot = i === 0 ? bootIndex('disk') : null;
    const bootOpt = boot === null ? '' : `,bootindex=${boot}`;
    push('-device', diskDevice(disk, node, i, bootOpt, ide, () => `sata0.${sataPort++}`, spec.machine));
  });

  if (spec.cdrom) {
    push('-blockdev', JSON.stringify(fileBlockdev('cd0-file', spec.cdrom, true)));
    push('-blockdev', JSON.stringify({ driver: 'raw', 'node-name': 'cd0', file: 'cd0-file', 'read-only': true }));
    const boot = bootIndex('cdrom');
    push('-device', `ide-cd,id=cd0,drive=cd0,${ide.next()}${boot === null ? '' : `,bootindex=${boot}`}`);
  }

  if (spec.kernel) {
    push('-kernel', spec.kernel.path);
    if (spec.kernel.initrd) push('-initrd', spec.kernel.initrd);
    if (spec.kernel.append) push('-append', spec.kernel.append);
  }

  spec.nics.forEach((nic, i) => {
    push('-netdev', netdevFor(nic, i, host));
    const boot = i === 0 ? bootIndex('network') : null;
    // No iPXE option ROM unless the VM boots from the network: the firmware runs every NIC's ROM
    // at power-on, a measurable part of start → guest banner under TCG (docs/ARCHITECTURE.md).
    const rom = boot === null ? ',romfile=' : '';
    push('-device', `${nic.model},id=nic${i},netdev=net${i},mac=${nic.mac}${boot === null ? '' : `,bootindex=${boot}`}${rom}`);
  });

  if (spec.tpm) {
    // TPM 2.0 from swtpm (tpm/tpm-service.ts) over its control socket. q35: the CRB interface, the
    // one TPM 2.0 defines natively and Windows 11 expects; pc: TIS (the classic ISA interface).
    push('-chardev', `socket,id=chrtpm,path=${qemuOptValue(paths.tpmSocket)}`);
    push('-tpmdev', 'emulator,id=tpm0,chardev=chrtpm');
    push('-device', `${spec.machine === 'q35' ? 'tpm-crb' : 'tpm-tis'},tpmdev=tpm0`);
  }

  push(...guestDevices(spec, paths, { qemuVersion: host.qemuVersion, virtiofs: host.virtiofs }));

  // The balloon gives the guest's own view of its memory to the stats sampler.
  push('-device', 'virtio-balloon-pci,id=balloon0');
  return argv;
}

function netdevFor(nic: Nic, i: number, host: ArgvHostFacts): string {
  switch (nic.mode) {
    case 'user': {
      const forwards = nic.portForwards.map((f) => `,hostfwd=${f.protocol}:${f.hostAddress}:${f.hostPort}-:${f.guestPort}`).join('');
      return `user,id=net${i}${forwards}`;
    }
    case 'internal': {
      // All members join one multicast group on loopback: frames stay on this host, no root needed.
      const net = nic.network ? host.internalNetworks?.[nic.network] : undefined;
      if (!net) throw new Error(`Internal network "${nic.network ?? ''}" is unknown.`);
      return `socket,id=net${i},mcast=${net.mcastGroup}:${net.mcastPort},localaddr=127.0.0.1`;
    }
    case 'bridge':
      // qemu-bridge-helper (setuid) creates the tap and adds it to the bridge; bridge names are validated (no commas).
      return `bridge,id=net${i},br=${qemuOptValue(nic.bridge ?? '')}`;
  }
}

function fileBlockdev(nodeName: string, filename: string, readOnly: boolean) {
  return { driver: 'file', 'node-name': nodeName, filename, 'read-only': readOnly, 'auto-read-only': false, discard: 'unmap' };
}

function bootIndexer(order: VmSpec['bootOrder']) {
  return (what: 'disk' | 'cdrom' | 'network'): number | null => {
    const i = order.indexOf(what);
    return i < 0 ? null : i + 1;
  };
}

/** IDE/SATA slots for CD-ROMs and ide/sata disks: q35's AHCI ports, or i440fx's two IDE buses. */
function ideSlots(machine: VmSpec['machine']) {
  const slots = machine === 'q35' ? ['bus=ide.0', 'bus=ide.1', 'bus=ide.2', 'bus=ide.3', 'bus=ide.4', 'bus=ide.5'] : ['bus=ide.0,unit=0', 'bus=ide.0,unit=1', 'bus=ide.1,unit=0', 'bus=ide.1,unit=1'];
  let used = 0;
  return {
    next(): string {
      const slot = slots[used++];
      if (!slot) throw new Error(`Too many IDE/SATA devices for machine type ${machine}.`);
      return slot;
    },
  };
}

function diskDevice(disk: Disk, node: string, index: number, bootOpt: string, ide: ReturnType<typeof ideSlots>, sataSlot: () => string, machine: VmSpec['machine']): string {
  const id = `id=vd${index}`;
  switch (disk.bus) {
    case 'virtio':
      return `virtio-blk-pci,${id},drive=${node}${bootOpt}`;
    case 'scsi':
      return `scsi-hd,${id},bus=scsi0.0,drive=${node}${bootOpt}`;
    case 'sata':
      return machine === 'q35' ? `ide-hd,${id},drive=${node},${ide.next()}${bootOpt}` : `ide-hd,${id},drive=${node},bus=${sataSlot()}${bootOpt}`;
    case 'ide':
      return `ide-hd,${id},drive=${node},${ide.next()}${bootOpt}`;
  }
}
