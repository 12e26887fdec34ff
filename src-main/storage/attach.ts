import type { Disk, VmInfo, VolumeInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import { isLive, resolveVolume, vmUsingFile, type StorageDeps } from './context';
import { blockNodeForFile, hotplugDisk, queryBlock, unplugDisk } from './hotplug';
import type { VolumeService } from './volumes';
import { requireHealthyDisk, requireIsoImage } from '../compute/media-checks';
import { probeHost } from '../qemu/probe';

const MAX_DISKS = 16;

/**
 * Attach/detach volumes and change CD-ROMs. Stopped VMs: the spec changes (owned: false, so
 * deleting the VM never removes a volume). Running VMs: hot-plug over QMP, and the spec too, so
 * the disk is there at the next boot. One change at a time per engine: two attaches racing for
 * the same volume must not both pass the "not attached elsewhere" check.
 */
export class AttachService {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: StorageDeps,
    private readonly volumes: VolumeService,
  ) {}

  attach(input: { volume: string; vm: string; bus: Disk['bus']; readOnly: boolean }): Promise<VolumeInfo> {
    return this.serialFor(input.vm, async () => {
      const { volume, pool, file } = resolveVolume(this.deps, input.volume);
      const vm = await this.deps.vms.resolveFresh(input.vm);
      if (vm.hostId !== pool.hostId) throw new HangarError('INVALID_INPUT', `"${volume.name}" is on host "${pool.hostId}" but "${vm.name}" runs on "${vm.hostId}": a VM can only use volumes of its own host.`, { field: 'vm' });
      const owner = vmUsingFile(this.deps, pool.hostId, file);
      if (owner?.id === vm.id) throw new HangarError('CONFLICT', `"${volume.name}" is already attached to "${vm.name}".`);
      if (owner)
        throw new HangarError('CONFLICT', `"${volume.name}" is already attached to the VM "${owner.name}". A writable disk cannot be shared by two VMs (both would write to it and corrupt it): detach it from "${owner.name}" first.`, { vm: owner.name });
      const host = this.deps.hosts.get(vm.hostId);
      await requireHealthyDisk(host, await probeHost(host), file, 'volume');
      if (vm.spec.disks.length >= MAX_DISKS) throw new HangarError('RESOURCE_LIMIT', `"${vm.name}" already has ${MAX_DISKS} disks, the most Hangar supports.`);
      const disk: Disk = { id: freeDiskId(vm), path: file, format: volume.format, bus: input.bus, readOnly: input.readOnly, owned: false };
      if (isLive(vm)) {
        if (input.bus !== 'virtio') throw new HangarError('UNSUPPORTED', `Only virtio disks can be hot-plugged into a running VM. Choose virtio, or stop "${vm.name}" to attach it as ${input.bus}.`, { field: 'bus' });
        await this.deps.vms.withQmp(vm.id, (qmp) => hotplugDisk(qmp, { file, format: volume.format, readOnly: input.readOnly, machine: vm.spec.machine }));
      } else {
        requireSettled(vm, 'attach a disk to');
      }
      await this.deps.vms.saveSpec(vm, { ...vm.spec, disks: [...vm.spec.disks, disk] });
      this.deps.events.emit('storage.changed', { what: 'volume', id: volume.id });
      return this.volumes.get(volume.id);
    });
  }

  detach(input: { volume: string; vm?: string | undefined }): Promise<VolumeInfo> {
    return this.serial(async () => {
      const { volume, pool, file } = resolveVolume(this.deps, input.volume);
      const owner = vmUsingFile(this.deps, pool.hostId, file);
      if (!owner) throw new HangarError('INVALID_STATE', `"${volume.name}" is not attached to any VM.`);
      if (input.vm) {
        const asked = this.deps.vms.resolve(input.vm);
        if (asked.id !== owner.id) throw new HangarError('INVALID_INPUT', `"${volume.name}" is attached to "${owner.name}", not to "${asked.name}".`, { field: 'vm' });
      }
      const vm = await this.deps.vms.resolveFresh(owner.id);
      if (isLive(vm)) {
        await this.deps.vms.withQmp(vm.id, async (qmp) => {
          const block = await blockNodeForFile(qmp, file);
          // in the spec but not plugged in (attached while the VM ran an older spec): spec only
          if (block) await unplugDisk(qmp, block);
        });
      } else {
        requireSettled(vm, 'detach a disk from');
      }
      await this.deps.vms.saveSpec(vm, { ...vm.spec, disks: vm.spec.disks.filter((d) => d.path !== file) });
      this.deps.events.emit('storage.changed', { what: 'volume', id: volume.id });
      return this.volumes.get(volume.id);
    });
  }

  /** Eject: live on a running VM (tray opened, medium removed, its file released), and in the spec. */
  ejectCdrom(ref: string): Promise<{ cdrom: string | null }> {
    return this.serialFor(ref, async () => {
      const vm = await this.deps.vms.resolveFresh(ref);
      if (isLive(vm)) {
        await this.deps.vms.withQmp(vm.id, async (qmp) => {
          const cd = (await queryBlock(qmp)).find((b) => b.deviceId === 'cd0');
          if (!cd) return;
          await qmp.command('blockdev-open-tray', { id: 'cd0', force: true });
          if (cd.inserted) {
            await qmp.command('blockdev-remove-medium', { id: 'cd0' });
            await releaseNodes(qmp, cd.nodeName);
          }
          await qmp.command('blockdev-close-tray', { id: 'cd0' }).catch(() => undefined);
        });
      } else {
        requireSettled(vm, 'change the CD-ROM of');
      }
      await this.deps.vms.saveSpec(vm, { ...vm.spec, cdrom: null });
      return { cdrom: null };
    });
  }

  /** Insert an ISO: live when the running VM has a CD-ROM drive (started with one), and in the spec. */
  insertCdrom(ref: string, iso: string): Promise<{ cdrom: string | null }> {
    return this.serialFor(ref, async () => {
      const vm = await this.deps.vms.resolveFresh(ref);
      await requireReadable(this.deps.hosts.get(vm.hostId), iso);
      await requireIsoImage(this.deps.hosts.get(vm.hostId), iso, 'path');
      if (isLive(vm)) {
        await this.deps.vms.withQmp(vm.id, async (qmp) => {
          const cd = (await queryBlock(qmp)).find((b) => b.deviceId === 'cd0');
          if (!cd) throw new HangarError('UNSUPPORTED', `"${vm.name}" was started without a CD-ROM drive, so a disc cannot be inserted while it runs. Stop it, insert the ISO, and start it again.`);
          await qmp.command('blockdev-open-tray', { id: 'cd0', force: true });
          if (cd.inserted) {
            await qmp.command('blockdev-remove-medium', { id: 'cd0' });
            await releaseNodes(qmp, cd.nodeName);
          }
          // a fresh node name each time: the old one may still be going away
          const node = `cd0m${Date.now().toString(36)}`;
          await qmp.command('blockdev-add', { driver: 'file', 'node-name': `${node}-file`, filename: iso, 'read-only': true });
          await qmp.command('blockdev-add', { driver: 'raw', 'node-name': node, file: `${node}-file`, 'read-only': true });
          await qmp.command('blockdev-insert-medium', { id: 'cd0', 'node-name': node });
          await qmp.command('blockdev-close-tray', { id: 'cd0' });
        });
      } else {
        requireSettled(vm, 'change the CD-ROM of');
      }
      await this.deps.vms.saveSpec(vm, { ...vm.spec, cdrom: iso });
      return { cdrom: iso };
    });
  }

  /** One at a time here, and holding the VM's lock across processes (compute/vm-lock.ts). */
  private serialFor<T>(vmRef: string, fn: () => Promise<T>): Promise<T> {
    return this.serial(() => this.deps.vms.guarded(vmRef, 'disks', fn));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function freeDiskId(vm: VmInfo): string {
  const ids = new Set(vm.spec.disks.map((d) => d.id));
  let n = 0;
  while (ids.has(`disk${n}`)) n++;
  return `disk${n}`;
}

function requireSettled(vm: VmInfo, what: string): void {
  if (vm.state === 'starting' || vm.state === 'stopping') throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state}: wait until it is running or stopped to ${what} it.`);
}

async function releaseNodes(qmp: Parameters<Parameters<StorageDeps['vms']['withQmp']>[1]>[0], nodeName: string): Promise<void> {
  if (!nodeName) return;
  await qmp.command('blockdev-del', { 'node-name': nodeName }).catch(() => undefined);
  await qmp.command('blockdev-del', { 'node-name': `${nodeName}-file` }).catch(() => undefined);
}

async function requireReadable(host: Host, file: string): Promise<void> {
  const st = await host.fs.stat(file);
  if (!st) throw new HangarError('INVALID_INPUT', `ISO file "${file}" does not exist.`, { field: 'path' });
  if (!st.isFile) throw new HangarError('INVALID_INPUT', `"${file}" is not a file.`, { field: 'path' });
}
