import * as path from 'node:path';
import type { VmInfo, VmSpec } from '../api/contract';
import { HangarError } from '../api/errors';
import type { VmPaths } from '../qemu/paths';
import { QEMU_IMG } from '../qemu/probe';
import type { QmpClient } from '../qemu/qmp';
import type { TaskContext } from '../tasks/task-manager';
import { formatBytes } from '../util/units';
import type { Host } from './host';
import { openRelay, type Relay } from './migrate-relay';

/**
 * Live migration WITH storage (like `virsh migrate --copy-storage-all`), for VMs whose disks
 * live in their own folder on the source host.
 *
 * Chosen: QMP `blockdev-mirror` into an NBD export of the destination QEMU, then the ordinary RAM
 * migration, with `pause-before-switchover`. Not chosen: `migrate` with block migration
 * (`blk: true`), deprecated since QEMU 8.x and removed in 9.1, and it copies the disk inside the
 * RAM stream with no way to see the disk's own progress.
 *
 * 1. the destination's disk files are created empty (same format, same virtual size) and its
 *    QEMU starts on them (`-incoming defer`); it serves them over NBD on a UNIX socket in its
 *    runtime folder (`nbd-server-start` + `block-export-add`, writable);
 * 2. the source QEMU opens that export through the engine's relay (the same relay as the RAM
 *    stream) and mirrors each disk into it (`blockdev-mirror`, sync full) until the job is ready
 *    (in sync, guest writes follow);
 * 3. RAM migrates; QEMU pauses in `pre-switchover` with the guest stopped and before the disks
 *    are handed over; the mirrors are cancelled there (a ready mirror's cancel leaves the target
 *    an exact point-in-time copy), the NBD node removed, and the migration continues.
 * The source disk is only ever read: it stays intact whatever happens, and the VM's row moves to
 * the new files only when QEMU reports "completed".
 */

export interface DiskCopy {
  /** QEMU node name of the disk's format node (qemu/argv.ts: disk<i>). */
  node: string;
  from: string;
  to: string;
  format: 'qcow2' | 'raw';
}

export interface StoragePlan {
  copies: DiskCopy[];
  /** The spec the destination QEMU runs with (copied disks at their new paths). */
  spec: VmSpec;
}

/** The writable disks in the VM's own folder get copied; everything else must be shared. */
export function planStorage(vm: VmInfo, fromPaths: VmPaths, toPaths: VmPaths): StoragePlan {
  const copies: DiskCopy[] = [];
  const disks = vm.spec.disks.map((d, i) => {
    if (d.readOnly || path.posix.dirname(d.path) !== fromPaths.dir) return d;
    const to = path.posix.join(toPaths.dir, path.posix.basename(d.path));
    copies.push({ node: `disk${i}`, from: d.path, to, format: d.format });
    return { ...d, path: to };
  });
  return { copies, spec: { ...vm.spec, disks } };
}

interface NamedNode {
  'node-name'?: string;
  image?: { 'virtual-size'?: number };
}

interface BlockJob {
  device: string;
  len: number;
  offset: number;
  ready: boolean;
  status: string;
}

type SourceQmp = <T>(fn: (qmp: QmpClient) => Promise<T>) => Promise<T>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jobId = (c: DiskCopy) => `hangar-mirror-${c.node}`;
const nbdNode = (c: DiskCopy) => `hangar-nbd-${c.node}`;

/** Create the destination's empty disk files, before its QEMU starts on them. */
export async function createTargets(plan: StoragePlan, sourceQmp: SourceQmp, to: Host, toName: string): Promise<void> {
  const nodes = await sourceQmp((q) => q.command<NamedNode[]>('query-named-block-nodes', { flat: true }));
  for (const c of plan.copies) {
    const size = nodes.find((n) => n['node-name'] === c.node)?.image?.['virtual-size'];
    if (!size) throw new HangarError('QEMU_FAILED', `QEMU does not report the size of the disk ${c.from} (node ${c.node}), so it cannot be copied live.`);
    const free = (await to.fs.statfs(path.posix.dirname(c.to))).freeBytes;
    if (free < size) throw new HangarError('RESOURCE_LIMIT', `${toName} has ${formatBytes(free)} free at ${path.posix.dirname(c.to)}; the disk ${path.posix.basename(c.from)} may need up to ${formatBytes(size)}.`);
    const r = await to.exec(QEMU_IMG, ['create', '-q', '-f', c.format, c.to, String(size)], { timeoutMs: 60000 });
    if (r.code !== 0) throw new HangarError('QEMU_FAILED', `Could not create ${c.to} on ${toName}: ${(r.stderr || r.stdout).trim() || `qemu-img exit ${r.code}`}.`);
  }
}

export class StorageMirror {
  private relay: Relay | null = null;
  private nbdAdded: DiskCopy[] = [];
  private jobs: DiskCopy[] = [];

  constructor(
    private readonly plan: StoragePlan,
    private readonly from: Host,
    private readonly fromPaths: VmPaths,
    private readonly to: Host,
    private readonly toPaths: VmPaths,
    private readonly names: { from: string; to: string },
    private readonly sourceQmp: SourceQmp,
  ) {}

  /** Export the destination's disks, mirror the source's into them, wait until all are in sync. */
  async start(destQmp: QmpClient, ctx: TaskContext, share: number): Promise<void> {
    const socket = path.posix.join(this.toPaths.runDir, 'nbd.sock');
    await destQmp.command('nbd-server-start', { addr: { type: 'unix', data: { path: socket } } });
    for (const c of this.plan.copies) await destQmp.command('block-export-add', { type: 'nbd', id: `hangar-export-${c.node}`, 'node-name': c.node, name: c.node, writable: true });
    this.relay = await openRelay(this.from, path.posix.join(this.fromPaths.runDir, 'nbd-out.sock'), () => this.to.connectUnix(socket, 10000), 'disk copy (NBD)');
    const relayPath = this.relay.socketPath;
    await this.sourceQmp(async (q) => {
      for (const c of this.plan.copies) {
        await q.command('blockdev-add', { driver: 'nbd', 'node-name': nbdNode(c), server: { type: 'unix', path: relayPath }, export: c.node }, 30000);
        this.nbdAdded.push(c);
        await q.command('blockdev-mirror', { 'job-id': jobId(c), device: c.node, target: nbdNode(c), sync: 'full' });
        this.jobs.push(c);
      }
    });
    for (;;) {
      if (ctx.signal.aborted) throw new HangarError('CANCELLED', 'The move was cancelled: the VM keeps running on its old host, with its disk there untouched.');
      const jobs = await this.sourceQmp((q) => q.command<BlockJob[]>('query-block-jobs'));
      const mine = jobs.filter((j) => this.jobs.some((c) => jobId(c) === j.device));
      const gone = this.jobs.find((c) => !mine.some((j) => j.device === jobId(c)));
      if (gone) throw this.failure(`the copy of ${gone.from} stopped before it was in sync`);
      const len = mine.reduce((n, j) => n + j.len, 0);
      const done = mine.reduce((n, j) => n + j.offset, 0);
      // reported before the check, so even a disk in sync at the first look shows its copy
      ctx.progress(len > 0 ? (share * done) / len : 0, `Disk: ${formatBytes(done)} of ${formatBytes(len)} copied to ${this.names.to}`);
      if (mine.every((j) => j.ready)) break;
      await sleep(250);
    }
    await this.sourceQmp((q) => q.command('migrate-set-capabilities', { capabilities: [{ capability: 'pause-before-switchover', state: true }] }));
  }

  /**
   * The guest is stopped and RAM is across: end the mirrors (a ready mirror's cancel completes
   * it as a point-in-time copy), drop the NBD client, let the migration hand over.
   */
  async switchover(): Promise<void> {
    await this.sourceQmp(async (q) => {
      for (const c of this.jobs) await q.command('block-job-cancel', { device: jobId(c) });
      const deadline = Date.now() + 60000;
      for (;;) {
        const left = (await q.command<BlockJob[]>('query-block-jobs')).filter((j) => this.jobs.some((c) => jobId(c) === j.device));
        if (left.length === 0) break;
        if (Date.now() > deadline) throw this.failure('the disk copies did not finish within 60 s of the switch-over');
        await sleep(50);
      }
      this.jobs = [];
      for (const c of this.nbdAdded) await q.command('blockdev-del', { 'node-name': nbdNode(c) });
      this.nbdAdded = [];
      await q.command('migrate-continue', { state: 'pre-switchover' });
    });
  }

  /** After "completed": the destination stops serving its disks. */
  async finish(destQmp: QmpClient): Promise<void> {
    await destQmp.command('nbd-server-stop').catch(() => undefined);
    await this.relay?.close();
    this.relay = null;
  }

  /** A failure or cancel: the source forgets the copy and keeps running on its own disk. */
  async abort(): Promise<void> {
    await this.sourceQmp(async (q) => {
      for (const c of this.jobs) await q.command('block-job-cancel', { device: jobId(c), force: true }).catch(() => undefined);
      const deadline = Date.now() + 15000;
      while (this.jobs.length && Date.now() < deadline) {
        const left = await q.command<BlockJob[]>('query-block-jobs').catch(() => [] as BlockJob[]);
        if (!left.some((j) => this.jobs.some((c) => jobId(c) === j.device))) break;
        await sleep(100);
      }
      for (const c of this.nbdAdded) await q.command('blockdev-del', { 'node-name': nbdNode(c) }).catch(() => undefined);
      await q.command('migrate-set-capabilities', { capabilities: [{ capability: 'pause-before-switchover', state: false }] }).catch(() => undefined);
    }).catch(() => undefined);
    this.jobs = [];
    this.nbdAdded = [];
    await this.relay?.close();
    this.relay = null;
  }

  private failure(what: string): HangarError {
    const relay = this.relay?.error ? ` (relay: ${this.relay.error})` : '';
    return new HangarError('QEMU_FAILED', `Copying the disks from ${this.names.from} to ${this.names.to} failed: ${what}${relay}. The VM keeps running on ${this.names.from} with its disk there untouched.`);
  }
}
