import { z } from 'zod';
import { method } from './define';
import { absolutePath, empty, hostId, objectName, objectRef } from './common';
import { DISK_BUSES } from './vm';
import type { TaskInfo } from './tasks';

/**
 * Storage (the desktop's Cinder): pools are folders that hold volumes; volumes are disk files
 * Hangar made and tracks; they attach to VMs (cold, or hot-plugged into a running guest).
 * Snapshots are qcow2 internal snapshots (with RAM when the VM runs), kept as a tree.
 */
export const VOLUME_FORMATS = ['qcow2', 'raw'] as const;
export type VolumeFormat = (typeof VOLUME_FORMATS)[number];

/** "20G", "512M", "1.5 GiB" or a number of bytes. Parsed by the engine (util/units.ts). */
const size = z.union([z.number().int().positive({ error: 'A size must be above zero.' }), z.string().min(1).max(32)], {
  error: 'Give a size like 20G, 512M or a number of bytes.',
});

/** Destructive operations need this set to true explicitly (never delete a user's disk by default). */
const confirm = z.boolean().default(false);

/** Tasks can be awaited by the caller (the CLI does) or followed through `task.updated` events. */
const wait = z.boolean().default(false);

export interface PoolInfo {
  id: string;
  name: string;
  hostId: string;
  path: string;
  isDefault: boolean;
  /** Of the filesystem the pool is on. */
  capacityBytes: number;
  freeBytes: number;
  usedBytes: number;
  /** What Hangar keeps in the pool: bytes really used on disk vs the sizes the guests see. */
  allocatedBytes: number;
  virtualBytes: number;
  volumeCount: number;
  /** Set when the folder is gone or unreadable, in words. */
  problem: string | null;
}

export interface OrphanFile {
  path: string;
  sizeBytes: number;
  modifiedAt: string;
}

export interface PoolDetails extends PoolInfo {
  orphans: OrphanFile[];
}

export interface BackingLayer {
  path: string;
  format: string;
  virtualBytes: number;
  actualBytes: number | null;
}

export interface VolumeAttachment {
  vmId: string;
  vmName: string;
  vmState: string;
  readOnly: boolean;
}

export interface VolumeInfo {
  id: string;
  name: string;
  poolId: string;
  poolName: string;
  hostId: string;
  path: string;
  format: VolumeFormat;
  virtualBytes: number;
  /** Bytes used on the host's disk (qemu-img "actual-size"); null when the file is missing. */
  actualBytes: number | null;
  /** The file and its backing files, top first (qemu-img info --backing-chain). */
  backingChain: BackingLayer[];
  attachedTo: VolumeAttachment | null;
  createdAt: string;
  updatedAt: string;
}

export interface SnapshotInfo {
  id: string;
  vmId: string;
  name: string;
  description: string;
  parentId: string | null;
  createdAt: string;
  /** True when the snapshot holds the guest's RAM (taken while running): reverting resumes it. */
  hasRam: boolean;
  /** Bytes of saved RAM (0 for disk-only snapshots). */
  vmStateBytes: number;
  /** The snapshot the VM's current state descends from. */
  current: boolean;
  /** "consistent": the guest agent froze the file systems (or the VM was off); "crash-consistent": like a power cut; null: unknown. */
  consistency?: 'consistent' | 'crash-consistent' | null;
}

export interface SnapshotTree {
  vmId: string;
  vmName: string;
  snapshots: SnapshotInfo[];
  currentId: string | null;
  /** Why snapshots cannot be taken for this VM now, in words; null when they can. */
  unsupportedReason: string | null;
}

const volumeRef = z.object({ volume: objectRef('volume') }).strict();

export const storageMethods = {
  'pool.list': method<PoolInfo[]>()(z.object({ hostId: z.string().min(1).max(64).optional() }).strict(), 'Storage pools with capacity, usage and what Hangar keeps there.'),
  'pool.get': method<PoolDetails>()(z.object({ pool: objectRef('pool') }).strict(), 'One pool with its orphan files (disk files nothing references).'),
  'pool.add': method<PoolInfo>()(
    z.object({ name: objectName('pool'), path: absolutePath('Pool folder'), hostId, create: z.boolean().default(false) }).strict(),
    'Register a folder as a storage pool (create it when `create` is true).',
  ),
  'pool.remove': method<{ removed: string }>()(
    z.object({ pool: objectRef('pool') }).strict(),
    'Forget an empty pool. Its folder and any files in it are left on disk.',
  ),

  'volume.list': method<VolumeInfo[]>()(z.object({ pool: objectRef('pool').optional() }).strict(), 'Volumes, with sizes, backing chains and attachments.'),
  'volume.get': method<VolumeInfo>()(volumeRef, 'One volume.'),
  'volume.create': method<VolumeInfo>()(
    z.object({ name: objectName('volume'), pool: objectRef('pool').optional(), size, format: z.enum(VOLUME_FORMATS).default('qcow2') }).strict(),
    'Create an empty volume (in the default pool unless `pool` is given).',
  ),
  'volume.resize': method<VolumeInfo>()(z.object({ volume: objectRef('volume'), size }).strict(), 'Grow a volume (shrinking is refused: it would cut off data).'),
  'volume.clone': method<TaskInfo>()(
    z.object({ volume: objectRef('volume'), name: objectName('volume'), pool: objectRef('pool').optional(), wait }).strict(),
    'Copy a volume into a new one (a Task with progress).',
  ),
  'volume.rename': method<VolumeInfo>()(z.object({ volume: objectRef('volume'), name: objectName('volume') }).strict(), 'Rename a volume.'),
  'volume.delete': method<{ deleted: string; path: string }>()(
    z.object({ volume: objectRef('volume'), confirm }).strict(),
    'Delete a volume and its file. Needs confirm: true; attached volumes are refused.',
  ),
  'volume.attach': method<VolumeInfo>()(
    z.object({ volume: objectRef('volume'), vm: objectRef('VM'), bus: z.enum(DISK_BUSES).default('virtio'), readOnly: z.boolean().default(false) }).strict(),
    'Attach a volume to a VM: added to its spec; hot-plugged (virtio) when the VM is running.',
  ),
  'volume.detach': method<VolumeInfo>()(
    z.object({ volume: objectRef('volume'), vm: objectRef('VM').optional() }).strict(),
    'Detach a volume from its VM: removed from the spec; unplugged from a running guest.',
  ),

  'vm.cdrom.eject': method<{ cdrom: string | null }>()(z.object({ vm: objectRef('VM') }).strict(), 'Eject the CD-ROM (live on a running VM, and in its spec).'),
  'vm.cdrom.insert': method<{ cdrom: string | null }>()(
    z.object({ vm: objectRef('VM'), path: absolutePath('ISO') }).strict(),
    'Insert an ISO in the CD-ROM (live when the VM runs with a CD-ROM drive, and in its spec).',
  ),

  'snapshot.list': method<SnapshotTree>()(z.object({ vm: objectRef('VM') }).strict(), "A VM's snapshots as a tree (parent = the snapshot current when it was taken)."),
  'snapshot.create': method<TaskInfo>()(
    z.object({ vm: objectRef('VM'), name: objectName('snapshot'), description: z.string().max(2000).default(''), wait }).strict(),
    'Take a snapshot: disks and RAM while running, disks only while stopped (a Task).',
  ),
  'snapshot.revert': method<TaskInfo>()(
    z.object({ vm: objectRef('VM'), snapshot: objectRef('snapshot'), confirm, wait }).strict(),
    'Go back to a snapshot (needs confirm: true; the current state is lost). A running VM is paused meanwhile.',
  ),
  'snapshot.delete': method<TaskInfo>()(
    z.object({ vm: objectRef('VM'), snapshot: objectRef('snapshot'), wait }).strict(),
    'Delete a snapshot; its children move up to its parent.',
  ),
  'storage.defaultPool': method<PoolInfo>()(empty, 'The default pool ($HANGAR_HOME/pools/default), created on first use.'),
} as const;
