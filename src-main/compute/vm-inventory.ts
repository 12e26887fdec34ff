import * as path from 'node:path';
import type { ParsedInput, VmInfo, VmSpec } from '../api/contract';
import { HangarError } from '../api/errors';
import type { VmRepository } from '../db/repositories/vms';
import type { EventBus } from '../engine/event-bus';
import { execOk } from '../hosts/host';
import { checkPortForwards } from '../hosts/port-check';
import type { HostRegistry } from '../hosts/registry';
import type { NetworkService } from '../network/network-service';
import { runtimeRoot, vmPaths, type VmPaths } from '../qemu/paths';
import { QEMU_IMG, probeHost } from '../qemu/probe';
import { formatBytes, MiB } from '../util/units';
import { refuseDamaged } from '../recovery/damaged';
import { assertAction } from './state-machine';
import { deletePlan } from '../shared/delete-plan';
import { requireHealthyDisk, requireIsoImage } from './media-checks';
import { checkResources, detectDiskFormat, requireFile, requireQemu } from './vm-checks';
import { newVmId, nicsFrom } from './vm-spec';
import { checkFirmwareChoice, ensureSecureBootVars } from '../tpm/tpm-service';

/** What the inventory needs from the lifecycle side of VmService. */
export interface InventoryDeps {
  repo: VmRepository;
  hosts: HostRegistry;
  events: EventBus;
  networks: NetworkService | undefined;
  /** A disk from a library image (images/image-service.ts diskForVm), when the image library is wired in. */
  imageDisk(): ((ref: string, hostId: string, vmId: string, vmDir: string, fullCopy: boolean, fileName: string) => Promise<{ path: string; format: 'qcow2' }>) | null;
  usedForwards(exceptId?: string): Array<{ vm: string; protocol: string; hostAddress: string; hostPort: number }>;
  paths(vm: VmInfo): Promise<VmPaths>;
  resolve(ref: string): VmInfo;
  refresh(id: string): Promise<void>;
  start(id: string): Promise<VmInfo>;
  /** Drop the live runtime of a deleted VM. */
  forget(id: string): void;
}

/**
 * The VM inventory: create, change and delete VMs and their files. Creation leaves nothing
 * half-made (the VM folder only ever holds what the call created, and is removed on failure);
 * deletion keeps disks unless asked, and never touches files outside the VM's folder.
 */
export class VmInventory {
  constructor(private readonly deps: InventoryDeps) {}

  private get repo() {
    return this.deps.repo;
  }

  private get hosts() {
    return this.deps.hosts;
  }

  private get events() {
    return this.deps.events;
  }


  async create(input: ParsedInput<'vm.create'>): Promise<VmInfo> {
    if (this.repo.nameTaken(input.name)) throw new HangarError('CONFLICT', `A VM named "${input.name}" already exists. Choose another name.`, { field: 'name' });
    const host = this.hosts.get(input.hostId);
    const caps = await probeHost(host);
    requireQemu(caps);
    checkResources(caps, input.cpus, input.memoryMiB);
    if (input.firmware === 'uefi' && !caps.ovmf) throw new HangarError('MISSING_DEPENDENCY', 'UEFI firmware (OVMF) is not installed on this host: install the "ovmf" package or choose BIOS.', { field: 'firmware' });
    checkFirmwareChoice(caps, input);
    if (input.diskSizeBytes > 0 && input.diskSizeBytes < MiB) throw new HangarError('INVALID_INPUT', 'A new disk must be at least 1 MiB.', { field: 'diskSizeBytes' });
    if (input.diskSizeBytes > caps.diskFreeBytes && input.diskFormat === 'raw')
      throw new HangarError('RESOURCE_LIMIT', `A ${formatBytes(input.diskSizeBytes)} raw disk does not fit in the ${formatBytes(caps.diskFreeBytes)} free on this host.`, { field: 'diskSizeBytes' });

    if (input.isoPath) await requireIsoImage(host, input.isoPath, 'isoPath');
    if (input.kernel) {
      await requireFile(host, input.kernel.path, 'Kernel', 'kernel');
      if (input.kernel.initrd) await requireFile(host, input.kernel.initrd, 'Initrd', 'kernel');
    }
    for (const d of input.attachDisks) await requireFile(host, d.path, 'Disk', 'attachDisks');
    for (const d of input.attachDisks) await requireHealthyDisk(host, caps, d.path, 'attachDisks');
    for (const nic of input.nics) await checkPortForwards(host, nic.portForwards, this.deps.usedForwards());
    if (this.deps.networks) input.nics = await this.deps.networks.checkNics(host, input.nics);

    const id = newVmId();
    const home = await host.hangarHome();
    const paths = vmPaths(home, runtimeRoot(home, (await host.info()).uid), id);
    const disks: VmSpec['disks'] = [];
    await host.fs.mkdir(paths.dir, 0o700);
    try {
      if (input.image) {
        // a linked clone (qcow2 overlay on the library image) unless fullCopy
        const imageDisk = this.deps.imageDisk();
        if (!imageDisk) throw new HangarError('UNSUPPORTED', 'The image library is not available in this engine.');
        const d = await imageDisk(input.image, host.id, id, paths.dir, input.fullCopy ?? false, 'disk0.qcow2');
        disks.push({ id: 'disk0', path: d.path, format: d.format, bus: input.diskBus, readOnly: false, owned: true });
      }
      if (input.diskSizeBytes > 0) {
        const file = path.join(paths.dir, `disk${disks.length}.${input.diskFormat}`);
        await execOk(host, caps.qemuImg?.binary ?? QEMU_IMG, ['create', '-q', '-f', input.diskFormat, file, String(input.diskSizeBytes)], { timeoutMs: 60000 });
        disks.push({ id: `disk${disks.length}`, path: file, format: input.diskFormat, bus: input.diskBus, readOnly: false, owned: true });
      }
      for (const d of input.attachDisks) {
        const format = d.format ?? (await detectDiskFormat(host, caps, d.path));
        disks.push({ id: `disk${disks.length}`, path: d.path, format, bus: input.diskBus, readOnly: false, owned: false });
      }
      const spec: VmSpec = {
        version: 1,
        id,
        name: input.name,
        description: input.description,
        os: input.os,
        cpus: input.cpus,
        memoryMiB: input.memoryMiB,
        firmware: input.firmware,
        secureBoot: input.secureBoot,
        tpm: input.tpm,
        machine: input.machine,
        rtc: input.rtc,
        hyperv: input.hyperv,
        disks,
        cdrom: input.isoPath ?? null,
        kernel: input.kernel ? { path: input.kernel.path, initrd: input.kernel.initrd ?? null, append: input.kernel.append } : null,
        nics: nicsFrom(input.nics),
        display: input.display,
        guestAgent: input.guestAgent,
        sharedFolders: [],
        clipboard: input.clipboard,
        ...(input.video && { video: input.video }),
        bootOrder: input.isoPath ? ['cdrom', 'disk'] : ['disk', 'cdrom'],
        autostart: input.autostart,
      };
      if (input.firmware === 'uefi' && caps.ovmf) await host.fs.writeFileAtomic(paths.ovmfVars, await host.fs.readFile(caps.ovmf.vars), 0o600);
      if (input.secureBoot) await ensureSecureBootVars(host, caps, paths);
      await host.fs.writeFileAtomic(paths.vmJson, JSON.stringify(spec, null, 2) + '\n', 0o600);
      const vm = this.repo.insert(spec, host.id, paths.dir);
      this.events.emit('vm.changed', { id });
      if (input.startAfterCreate) return this.deps.start(id);
      return vm;
    } catch (e) {
      // nothing half-made: the folder only ever held what this call created
      this.repo.delete(id);
      await host.fs.rm(paths.dir, { recursive: true });
      throw e;
    }
  }

  async update(input: ParsedInput<'vm.update'>): Promise<VmInfo> {
    const vm = this.deps.resolve(input.vm);
    refuseDamaged(vm, 'change');
    assertAction('update', vm.name, vm.state);
    const host = this.hosts.get(vm.hostId);
    const caps = await probeHost(host);
    if (input.name !== undefined && this.repo.nameTaken(input.name, vm.id)) throw new HangarError('CONFLICT', `A VM named "${input.name}" already exists.`, { field: 'name' });
    checkResources(caps, input.cpus ?? vm.spec.cpus, input.memoryMiB ?? vm.spec.memoryMiB);
    if (input.firmware === 'uefi' && !caps.ovmf) throw new HangarError('MISSING_DEPENDENCY', 'UEFI firmware (OVMF) is not installed on this host.', { field: 'firmware' });
    if (input.isoPath) await requireIsoImage(host, input.isoPath, 'isoPath');
    const paths = await this.deps.paths(vm);
    if (input.firmware === 'uefi' && vm.spec.firmware !== 'uefi' && caps.ovmf && !(await host.fs.stat(paths.ovmfVars)))
      await host.fs.writeFileAtomic(paths.ovmfVars, await host.fs.readFile(caps.ovmf.vars), 0o600);
    if (input.nics) for (const nic of input.nics) await checkPortForwards(host, nic.portForwards, this.deps.usedForwards(vm.id));
    if (input.nics && this.deps.networks) input.nics = await this.deps.networks.checkNics(host, input.nics);

    const spec: VmSpec = {
      ...vm.spec,
      ...(input.name !== undefined && { name: input.name }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.os !== undefined && { os: input.os }),
      ...(input.cpus !== undefined && { cpus: input.cpus }),
      ...(input.memoryMiB !== undefined && { memoryMiB: input.memoryMiB }),
      ...(input.firmware !== undefined && { firmware: input.firmware }),
      ...(input.machine !== undefined && { machine: input.machine }),
      ...(input.rtc !== undefined && { rtc: input.rtc }),
      ...(input.hyperv !== undefined && { hyperv: input.hyperv }),
      ...(input.secureBoot !== undefined && { secureBoot: input.secureBoot }),
      ...(input.tpm !== undefined && { tpm: input.tpm }),
      ...(input.display !== undefined && { display: input.display }),
      ...(input.guestAgent !== undefined && { guestAgent: input.guestAgent }),
      ...(input.clipboard !== undefined && { clipboard: input.clipboard }),
      ...(input.video !== undefined && { video: input.video }),
      ...(input.autostart !== undefined && { autostart: input.autostart }),
      ...(input.isoPath !== undefined && { cdrom: input.isoPath }),
      ...(input.nics !== undefined && { nics: nicsFrom(input.nics, vm.spec.nics) }),
    };
    // the row first: a name another process took meanwhile is refused before vm.json changes
    if (input.secureBoot !== undefined || input.tpm !== undefined || input.firmware !== undefined || input.machine !== undefined) checkFirmwareChoice(caps, spec);
    if (spec.secureBoot) await ensureSecureBootVars(host, caps, paths);
    const updated = this.repo.updateSpec(spec);
    await host.fs.writeFileAtomic(paths.vmJson, JSON.stringify(spec, null, 2) + '\n', 0o600);
    this.events.emit('vm.changed', { id: vm.id });
    return updated;
  }

  /** Replace the spec wholesale (used by storage and images when they attach disks). */
  async saveSpec(vm: VmInfo, spec: VmSpec): Promise<VmInfo> {
    refuseDamaged(vm, 'change');
    const host = this.hosts.get(vm.hostId);
    await host.fs.writeFileAtomic((await this.deps.paths(vm)).vmJson, JSON.stringify(spec, null, 2) + '\n', 0o600);
    const updated = this.repo.updateSpec(spec);
    this.events.emit('vm.changed', { id: vm.id });
    return updated;
  }

  async delete(ref: string, deleteDisks: boolean): Promise<{ deletedFiles: string[]; keptFiles: string[] }> {
    const vm = this.deps.resolve(ref);
    await this.deps.refresh(vm.id);
    const current = this.deps.resolve(vm.id);
    assertAction('delete', current.name, current.state);
    const host = this.hosts.get(vm.hostId);
    const paths = await this.deps.paths(vm);
    if (vm.damaged) {
      // its disks are unknown (the settings are unreadable): drop the row, keep every file of its folder
      this.repo.delete(vm.id);
      this.deps.forget(vm.id);
      this.events.emit('vm.changed', { id: vm.id, deleted: true });
      return { deletedFiles: [], keptFiles: [paths.dir] };
    }
    const { removed: deleted, kept } = deletePlan(vm.spec, paths.dir, deleteDisks);
    this.repo.delete(vm.id);
    this.deps.forget(vm.id);
    const keptInside = kept.filter((k) => k.startsWith(paths.dir + '/'));
    if (keptInside.length === 0) {
      await host.fs.rm(paths.dir, { recursive: true });
    } else {
      // keep the disks (and vm.json, to re-create the VM by hand); remove the rest
      for (const name of await host.fs.readdir(paths.dir).catch(() => [] as string[])) {
        const file = path.join(paths.dir, name);
        if (!keptInside.includes(file) && file !== paths.vmJson) await host.fs.rm(file, { recursive: true });
      }
      for (const d of deleted) await host.fs.rm(d);
    }
    await host.fs.rm(paths.runDir, { recursive: true });
    this.events.emit('vm.changed', { id: vm.id, deleted: true });
    return { deletedFiles: deleted, keptFiles: kept };
  }
}
