import * as path from 'node:path';
import type { VmInfo } from '../api/contract';
import { HangarError, notFound } from '../api/errors';
import type { VmService } from '../compute/vm-service';
import type { EventBus } from '../engine/event-bus';
import type { HostRegistry } from '../hosts/registry';
import type { TaskManager } from '../tasks/task-manager';
import type { PoolRow, StorageRepository, VolumeRow } from './repository';

/** What the storage services share: rows, VMs (for specs and QMP), hosts, tasks and events. */
export interface StorageDeps {
  repo: StorageRepository;
  vms: VmService;
  hosts: HostRegistry;
  tasks: TaskManager;
  events: EventBus;
}

export const volumePath = (pool: PoolRow, v: VolumeRow): string => path.join(pool.path, v.fileName);

/** Resolve a volume with its pool and file path, or say clearly that it does not exist. */
export function resolveVolume(deps: StorageDeps, ref: string): { volume: VolumeRow; pool: PoolRow; file: string } {
  const volume = deps.repo.findVolume(ref);
  if (!volume) throw notFound('volume', ref);
  const pool = deps.repo.findPool(volume.poolId);
  if (!pool) throw new HangarError('INTERNAL', `Volume "${volume.name}" belongs to a pool that no longer exists.`);
  return { volume, pool, file: volumePath(pool, volume) };
}

/** The VM (if any) whose spec lists this file as a disk, on the same host. */
export function vmUsingFile(deps: StorageDeps, hostId: string, file: string): VmInfo | null {
  return deps.vms.list().find((vm) => vm.hostId === hostId && vm.spec.disks.some((d) => d.path === file)) ?? null;
}

/** A live VM's QEMU can be talked to (running or paused). */
export const isLive = (vm: VmInfo): boolean => vm.state === 'running' || vm.state === 'paused';
