import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { OrphanFile, PoolDetails, PoolInfo } from '../api/contract';
import { HangarError, notFound } from '../api/errors';
import type { Host } from '../hosts/host';
import { imageInfo } from './qemu-img';
import { volumePath, type StorageDeps } from './context';
import type { PoolRow } from './repository';

/**
 * Pools: folders registered to hold volumes. The default pool ($HANGAR_HOME/pools/default) is
 * made on first use. Removing a pool only forgets it: files on disk are never touched here.
 */
export class PoolService {
  constructor(private readonly deps: StorageDeps) {}

  /** The host's default pool, created (folder and row) the first time anyone needs it. */
  async ensureDefault(hostId = 'local'): Promise<PoolRow> {
    const existing = this.deps.repo.defaultPool(hostId);
    const host = this.deps.hosts.get(hostId);
    const dir = path.join(await host.hangarHome(), 'pools', 'default');
    await host.fs.mkdir(dir, 0o700);
    if (existing) return existing;
    // atomic: another request (or process) may be creating it at this very moment
    return this.deps.repo.insertPoolIfAbsent({ id: randomUUID(), name: hostId === 'local' ? 'default' : `default-${hostId}`, hostId, path: dir, isDefault: true });
  }

  resolve(ref: string): PoolRow {
    const pool = this.deps.repo.findPool(ref);
    if (!pool) throw notFound('pool', ref);
    return pool;
  }

  async list(hostId?: string): Promise<PoolInfo[]> {
    await this.ensureDefault();
    return Promise.all(this.deps.repo.pools(hostId).map((p) => this.describe(p)));
  }

  async get(ref: string): Promise<PoolDetails> {
    const pool = this.resolve(ref);
    return { ...(await this.describe(pool)), orphans: await this.orphans(pool) };
  }

  async add(input: { name: string; path: string; hostId: string; create: boolean }): Promise<PoolInfo> {
    const host = this.deps.hosts.get(input.hostId);
    const dir = path.resolve(input.path);
    if (this.deps.repo.findPool(input.name)) throw new HangarError('CONFLICT', `A pool named "${input.name}" already exists. Choose another name.`, { field: 'name' });
    const same = this.deps.repo.poolByPath(input.hostId, dir);
    if (same) throw new HangarError('CONFLICT', `The folder "${dir}" is already the pool "${same.name}".`, { field: 'path' });
    let st = await host.fs.stat(dir);
    if (!st && input.create) {
      await host.fs.mkdir(dir, 0o700).catch((e: Error) => {
        throw new HangarError('IO_ERROR', `Cannot create the folder "${dir}": ${e.message}`, { field: 'path' });
      });
      st = await host.fs.stat(dir);
    }
    if (!st) throw new HangarError('INVALID_INPUT', `The folder "${dir}" does not exist. Create it first (or ask to create it).`, { field: 'path' });
    if (!st.isDirectory) throw new HangarError('INVALID_INPUT', `"${dir}" is a file, not a folder: a pool must be a folder.`, { field: 'path' });
    if (!(await canWrite(host, dir))) throw new HangarError('INVALID_INPUT', `The folder "${dir}" is not writable: volumes could not be created there. Fix its permissions or choose another folder.`, { field: 'path' });
    const row = this.deps.repo.insertPool({ id: randomUUID(), name: input.name, hostId: input.hostId, path: dir, isDefault: false });
    this.deps.events.emit('storage.changed', { what: 'pool', id: row.id });
    return this.describe(row);
  }

  remove(ref: string): { removed: string } {
    const pool = this.resolve(ref);
    if (pool.isDefault) throw new HangarError('INVALID_STATE', 'The default pool cannot be removed: new volumes go there.');
    const n = this.deps.repo.countVolumes(pool.id);
    if (n > 0) throw new HangarError('CONFLICT', `The pool "${pool.name}" still holds ${n} volume${n === 1 ? '' : 's'}: delete or move them first.`);
    this.deps.repo.deletePool(pool.id);
    this.deps.events.emit('storage.changed', { what: 'pool', id: pool.id, deleted: true });
    return { removed: pool.name };
  }

  /** Capacity of the filesystem, and what Hangar's volumes there take (allocated) vs promise (virtual). */
  async describe(pool: PoolRow): Promise<PoolInfo> {
    const host = this.deps.hosts.get(pool.hostId);
    const volumes = this.deps.repo.volumes(pool.id);
    const base: PoolInfo = {
      id: pool.id,
      name: pool.name,
      hostId: pool.hostId,
      path: pool.path,
      isDefault: pool.isDefault,
      capacityBytes: 0,
      freeBytes: 0,
      usedBytes: 0,
      allocatedBytes: 0,
      virtualBytes: 0,
      volumeCount: volumes.length,
      problem: null,
    };
    const st = await host.fs.stat(pool.path);
    if (!st?.isDirectory) return { ...base, problem: `The folder "${pool.path}" is missing: reconnect the drive or remove the pool.` };
    const fs = await host.fs.statfs(pool.path);
    let allocated = 0;
    let virtual = 0;
    for (const v of volumes) {
      const info = await imageInfo(host, volumePath(pool, v)).catch(() => null);
      allocated += info?.actualBytes ?? 0;
      virtual += info?.virtualBytes ?? 0;
    }
    return { ...base, capacityBytes: fs.totalBytes, freeBytes: fs.freeBytes, usedBytes: fs.totalBytes - fs.freeBytes, allocatedBytes: allocated, virtualBytes: virtual };
  }

  /** Files in the pool folder that no volume row and no VM disk/CD-ROM refers to. */
  async orphans(pool: PoolRow): Promise<OrphanFile[]> {
    const host = this.deps.hosts.get(pool.hostId);
    const referenced = new Set<string>();
    for (const v of this.deps.repo.allVolumeRows()) {
      const p = this.deps.repo.findPool(v.poolId);
      if (p) referenced.add(volumePath(p, v)).add(`${volumePath(p, v)}.part`);
    }
    for (const vm of this.deps.vms.list()) {
      if (vm.hostId !== pool.hostId) continue;
      for (const d of vm.spec.disks) referenced.add(d.path);
      if (vm.spec.cdrom) referenced.add(vm.spec.cdrom);
    }
    const out: OrphanFile[] = [];
    for (const name of await host.fs.readdir(pool.path).catch(() => [] as string[])) {
      if (name.startsWith('.')) continue;
      const file = path.join(pool.path, name);
      if (referenced.has(file)) continue;
      const st = await host.fs.stat(file);
      if (st?.isFile) out.push({ path: file, sizeBytes: st.size, modifiedAt: new Date(st.mtimeMs).toISOString() });
    }
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }
}

/** A real write probe: access(2) says yes to root even on a read-only filesystem. */
async function canWrite(host: Host, dir: string): Promise<boolean> {
  if (!(await host.fs.access(dir, 'w'))) return false;
  const probe = path.join(dir, `.hangar-write-test-${randomBytes(4).toString('hex')}`);
  try {
    await host.fs.writeFileAtomic(probe, '');
    await host.fs.rm(probe);
    return true;
  } catch {
    return false;
  }
}
