import { randomUUID } from 'node:crypto';
import type { TaskInfo, VolumeFormat, VolumeInfo } from '../api/contract';
import { ERROR_CODES, HangarError, type ErrorCode } from '../api/errors';
import { formatBytes, MiB, parseSize } from '../util/units';
import { isLive, resolveVolume, volumePath, vmUsingFile, type StorageDeps } from './context';
import { blockNodeForFile } from './hotplug';
import type { PoolService } from './pools';
import { convertImage, createImage, imageInfo, resizeImage } from './qemu-img';
import type { PoolRow, VolumeRow } from './repository';

const MAX_BYTES = 64 * 1024 ** 4;

/** "20G" / 1073741824 → bytes, rounded up to 512 (qcow2 and raw need whole sectors). */
export function parseVolumeSize(size: string | number): number {
  let bytes: number;
  try {
    bytes = typeof size === 'number' ? size : parseSize(size);
  } catch (e) {
    throw new HangarError('INVALID_INPUT', (e as Error).message, { field: 'size' });
  }
  if (bytes < MiB) throw new HangarError('INVALID_INPUT', 'A volume must be at least 1 MiB.', { field: 'size' });
  if (bytes > MAX_BYTES) throw new HangarError('INVALID_INPUT', 'A volume can be at most 64 TiB.', { field: 'size' });
  return Math.ceil(bytes / 512) * 512;
}

/**
 * Volumes: disk files Hangar made in a pool, named `volume-<id>.<format>` so a rename is
 * instant and safe even while a guest uses the disk. Rows are 'pending' until the file is complete.
 */
export class VolumeService {
  constructor(
    private readonly deps: StorageDeps,
    private readonly pools: PoolService,
  ) {
    // a create or clone interrupted by a crash: remove its partial file and its pending row
    for (const kind of ['volume.create', 'volume.clone']) deps.tasks.onInterrupted(kind, async (task) => this.dropPending(String(task.result?.volumeId ?? '')));
  }

  async list(poolRef?: string): Promise<VolumeInfo[]> {
    await this.pools.ensureDefault();
    const pool = poolRef ? this.pools.resolve(poolRef) : null;
    return Promise.all(this.deps.repo.volumes(pool?.id).map((v) => this.describe(v)));
  }

  async get(ref: string): Promise<VolumeInfo> {
    return this.describe(resolveVolume(this.deps, ref).volume);
  }

  async describe(v: VolumeRow): Promise<VolumeInfo> {
    const pool = this.pools.resolve(v.poolId);
    const file = volumePath(pool, v);
    const info = await imageInfo(this.deps.hosts.get(pool.hostId), file).catch(() => null);
    const vm = vmUsingFile(this.deps, pool.hostId, file);
    const disk = vm?.spec.disks.find((d) => d.path === file);
    return {
      id: v.id,
      name: v.name,
      poolId: pool.id,
      poolName: pool.name,
      hostId: pool.hostId,
      path: file,
      format: v.format,
      virtualBytes: info?.virtualBytes ?? 0,
      actualBytes: info?.actualBytes ?? null,
      backingChain: info?.chain ?? [],
      attachedTo: vm ? { vmId: vm.id, vmName: vm.name, vmState: vm.state, readOnly: disk?.readOnly ?? false } : null,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
    };
  }

  async create(input: { name: string; pool?: string | undefined; size: string | number; format: VolumeFormat }): Promise<VolumeInfo> {
    const bytes = parseVolumeSize(input.size);
    const pool = input.pool ? this.pools.resolve(input.pool) : await this.pools.ensureDefault();
    this.requireFreeName(input.name);
    const host = this.deps.hosts.get(pool.hostId);
    const free = (await host.fs.statfs(pool.path)).freeBytes;
    if (input.format === 'raw' && bytes > free)
      throw new HangarError('RESOURCE_LIMIT', `A ${formatBytes(bytes)} raw volume does not fit in the ${formatBytes(free)} free in pool "${pool.name}".`, { field: 'size' });
    const row = this.deps.repo.insertVolume({ id: randomUUID(), name: input.name, poolId: pool.id, fileName: '', format: input.format, state: 'pending' });
    const named = { ...row, fileName: `volume-${row.id}.${input.format}` };
    this.setFileName(named);
    const file = volumePath(pool, named);
    // a (short) Task, so that an engine crash in the middle is cleaned up at the next start
    const { done } = this.deps.tasks.start(
      'volume.create',
      `Create volume ${input.name}`,
      async () => {
        try {
          await createImage(host, `${file}.part`, input.format, bytes);
          await host.fs.rename(`${file}.part`, file);
        } catch (e) {
          await this.dropPending(row.id);
          throw e;
        }
        this.deps.repo.markVolumeReady(row.id);
        return { volumeId: row.id };
      },
      { cancellable: false, meta: { volumeId: row.id } },
    );
    await awaitTask(done);
    this.deps.events.emit('storage.changed', { what: 'volume', id: row.id });
    return this.get(row.id);
  }

  async resize(ref: string, size: string | number): Promise<VolumeInfo> {
    const { volume, pool, file } = resolveVolume(this.deps, ref);
    const bytes = parseVolumeSize(size);
    const host = this.deps.hosts.get(pool.hostId);
    const current = (await imageInfo(host, file)).virtualBytes;
    if (bytes < current)
      throw new HangarError(
        'INVALID_INPUT',
        `Shrinking "${volume.name}" from ${formatBytes(current)} to ${formatBytes(bytes)} is refused: it would cut off whatever the guest stored at the end of the disk. Volumes can only grow.`,
        { field: 'size', currentBytes: current },
      );
    if (bytes === current) return this.describe(volume);
    const vm = vmUsingFile(this.deps, pool.hostId, file);
    const fresh = vm ? await this.deps.vms.resolveFresh(vm.id) : null;
    if (fresh && isLive(fresh)) {
      // the running QEMU holds the file: it must do the resize itself (and tells the guest)
      await this.deps.vms.withQmp(fresh.id, async (qmp) => {
        const node = await blockNodeForFile(qmp, file);
        if (!node) throw new HangarError('INVALID_STATE', `"${volume.name}" is in the spec of "${fresh.name}" but not plugged into the running guest. Restart the VM, then resize.`);
        await qmp.command('block_resize', { 'node-name': node.nodeName, size: bytes }, 60000);
      });
    } else {
      await resizeImage(host, file, volume.format, bytes);
    }
    this.deps.repo.touchVolume(volume.id);
    this.deps.events.emit('storage.changed', { what: 'volume', id: volume.id });
    return this.describe(volume);
  }

  rename(ref: string, name: string): Promise<VolumeInfo> {
    const { volume } = resolveVolume(this.deps, ref);
    if (volume.name === name) return this.describe(volume);
    this.requireFreeName(name, volume.id);
    this.deps.repo.renameVolume(volume.id, name);
    this.deps.events.emit('storage.changed', { what: 'volume', id: volume.id });
    return this.get(volume.id);
  }

  async delete(ref: string, confirm: boolean): Promise<{ deleted: string; path: string }> {
    const { volume, pool, file } = resolveVolume(this.deps, ref);
    const vm = vmUsingFile(this.deps, pool.hostId, file);
    if (vm) throw new HangarError('CONFLICT', `"${volume.name}" is attached to the VM "${vm.name}": detach it first, then delete it.`, { vm: vm.name });
    if (!confirm)
      throw new HangarError('INVALID_INPUT', `Deleting "${volume.name}" erases its disk file for good. Confirm to delete it (confirm: true, or --yes).`, { field: 'confirm' });
    await this.deps.hosts.get(pool.hostId).fs.rm(file);
    this.deps.repo.deleteVolume(volume.id);
    this.deps.events.emit('storage.changed', { what: 'volume', id: volume.id, deleted: true });
    return { deleted: volume.name, path: file };
  }

  /** Copy a volume (a Task: qemu-img convert with progress) into `<new>.part`, then rename. */
  async clone(input: { volume: string; name: string; pool?: string | undefined; wait: boolean }): Promise<TaskInfo> {
    const { volume, pool: srcPool, file } = resolveVolume(this.deps, input.volume);
    const pool: PoolRow = input.pool ? this.pools.resolve(input.pool) : srcPool;
    if (pool.hostId !== srcPool.hostId) throw new HangarError('UNSUPPORTED', 'Cloning to a pool on another host is not supported yet: clone within the host, then copy.', { field: 'pool' });
    this.requireFreeName(input.name);
    const vm = vmUsingFile(this.deps, srcPool.hostId, file);
    const fresh = vm ? await this.deps.vms.resolveFresh(vm.id) : null;
    if (fresh && isLive(fresh)) throw new HangarError('INVALID_STATE', `"${volume.name}" is in use by the running VM "${fresh.name}": a copy would not be consistent. Stop the VM (or detach the volume) first.`);
    const host = this.deps.hosts.get(pool.hostId);
    const row = this.deps.repo.insertVolume({ id: randomUUID(), name: input.name, poolId: pool.id, fileName: '', format: volume.format, state: 'pending' });
    const named = { ...row, fileName: `volume-${row.id}.${volume.format}` };
    this.setFileName(named);
    const dest = volumePath(pool, named);
    const { task, done } = this.deps.tasks.start(
      'volume.clone',
      `Clone ${volume.name} → ${input.name}`,
      async (ctx) => {
        try {
          ctx.progress(0, 'Copying');
          await convertImage(host, file, volume.format, `${dest}.part`, volume.format, ctx.signal, (f) => ctx.progress(f, `Copying ${Math.round(f * 100)}%`));
          await host.fs.rename(`${dest}.part`, dest);
        } catch (e) {
          await this.dropPending(row.id);
          throw e;
        }
        this.deps.repo.markVolumeReady(row.id);
        this.deps.events.emit('storage.changed', { what: 'volume', id: row.id });
        return { volumeId: row.id, name: input.name };
      },
      { cancellable: true, meta: { volumeId: row.id } },
    );
    return input.wait ? awaitTask(done) : task;
  }

  private requireFreeName(name: string, exceptId?: string): void {
    if (this.deps.repo.volumeNameTaken(name, exceptId)) throw new HangarError('CONFLICT', `A volume named "${name}" already exists. Choose another name.`, { field: 'name' });
  }

  private setFileName(v: VolumeRow): void {
    this.deps.repo.setFileName(v.id, v.fileName);
  }

  /** Remove a pending volume's row and whatever partial file it left. */
  private async dropPending(id: string): Promise<void> {
    const row = this.deps.repo.allVolumeRows().find((v) => v.id === id && v.state === 'pending');
    if (!row) return;
    const pool = this.deps.repo.findPool(row.poolId);
    if (pool && row.fileName) {
      const fs = this.deps.hosts.get(pool.hostId).fs;
      await fs.rm(`${volumePath(pool, row)}.part`).catch(() => undefined);
      await fs.rm(volumePath(pool, row)).catch(() => undefined);
    }
    this.deps.repo.deleteVolume(id);
  }
}

/** For `wait: true`: the finished task, or its failure as a HangarError the caller sees. */
export async function awaitTask(done: Promise<TaskInfo>): Promise<TaskInfo> {
  const final = await done;
  if (final.state !== 'succeeded') {
    const code = final.error?.code;
    const known = (ERROR_CODES as readonly string[]).includes(code ?? '') ? (code as ErrorCode) : 'INTERNAL';
    throw new HangarError(known, final.error?.message ?? `${final.title} failed.`, { taskId: final.id });
  }
  return final;
}
