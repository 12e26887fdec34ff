import { randomUUID } from 'node:crypto';
import type { SnapshotInfo, SnapshotTree, TaskInfo, VmInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import type { QmpClient } from '../qemu/qmp';
import type { TaskContext } from '../tasks/task-manager';
import { vdagentBlockReason, vdagentBlocksMigration } from '../guest/guest-argv';
import { virtiofsBlockReason } from '../guest/virtiofs';
import { isLive, type StorageDeps } from './context';
import { queryBlock } from './hotplug';
import { imageInfo, imageSnapshot } from './qemu-img';
import type { SnapshotRow } from './repository';
import { awaitTask } from './volumes';

const JOB_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Snapshots are qcow2 internal snapshots. Running (or paused) VMs: QMP snapshot-save/-load/-delete
 * jobs that include RAM (vmstate in the first qcow2 disk); stopped VMs: `qemu-img snapshot` on
 * every qcow2 disk (disks only). QEMU has no notion of a tree or descriptions: those live in
 * our table, with the snapshot that is "current" (the one the VM's present state descends from).
 */
export class SnapshotService {
  /** Set by the engine: the guest agent's freeze/thaw and clock (guest/guest-service.ts). */
  guestHooks: SnapshotGuestHooks | null = null;

  constructor(private readonly deps: StorageDeps) {}

  /** Why this VM cannot hold snapshots (a raw writable disk, no qcow2 disk), or null. */
  static unsupportedReason(vm: VmInfo): string | null {
    const raw = vm.spec.disks.find((d) => !d.readOnly && d.format !== 'qcow2');
    if (raw) return `The disk ${raw.path} is raw, which cannot hold snapshots: convert it to qcow2 or detach it, then take snapshots.`;
    if (!vm.spec.disks.some((d) => d.format === 'qcow2' && !d.readOnly)) return `"${vm.name}" has no writable qcow2 disk to keep snapshots in: attach a qcow2 volume first.`;
    if (isLive(vm) && vdagentBlocksMigration(vm.spec)) return vdagentBlockReason(vm.name, 'a snapshot with memory (or reverting to one)');
    return null;
  }

  /** A running VM with a virtiofs share cannot save its RAM (vhost-user-fs does not migrate). */
  private async virtiofsReason(vm: VmInfo): Promise<string | null> {
    if (!isLive(vm) || !vm.spec.sharedFolders?.length) return null;
    return virtiofsBlockReason(this.deps.hosts.get(vm.hostId), vm, await this.deps.vms.paths(vm), 'a snapshot with memory (or reverting to one)');
  }

  async list(ref: string): Promise<SnapshotTree> {
    const vm = await this.deps.vms.resolveFresh(ref);
    await this.syncWithImage(vm);
    const current = this.deps.repo.currentSnapshot(vm.id);
    return {
      vmId: vm.id,
      vmName: vm.name,
      snapshots: this.deps.repo.snapshots(vm.id).map((s) => toInfo(s, current)),
      currentId: current,
      unsupportedReason: SnapshotService.unsupportedReason(vm),
    };
  }

  async create(input: { vm: string; name: string; description: string; wait: boolean }): Promise<TaskInfo> {
    const vm = await this.deps.vms.resolveFresh(input.vm);
    const reason = SnapshotService.unsupportedReason(vm) ?? (await this.virtiofsReason(vm));
    if (reason) throw new HangarError('UNSUPPORTED', reason);
    if (/^\d+$/.test(input.name)) throw new HangarError('INVALID_INPUT', 'A snapshot name cannot be only digits: QEMU would take it for a snapshot ID. Add a letter.', { field: 'name' });
    if (this.deps.repo.findSnapshot(vm.id, input.name)) throw new HangarError('CONFLICT', `"${vm.name}" already has a snapshot named "${input.name}".`, { field: 'name' });
    settled(vm);
    const live = isLive(vm);
    return this.task(vm.id, 'snapshot.create', `Snapshot ${vm.name}: ${input.name}`, input.wait, async (ctx) => {
      // a stopped VM's disks have no writes in flight; a running one's are consistent only when frozen
      let consistency: 'consistent' | 'crash-consistent' = vm.state === 'stopped' ? 'consistent' : 'crash-consistent';
      if (live) {
        ctx.progress(0, 'Freezing the guest file systems');
        const frozen = vm.state === 'running' ? await this.guestHooks?.freeze(vm).catch(() => null) : null;
        try {
          await this.deps.vms.withQmp(vm.id, async (qmp) => {
            const nodes = await writableQcow2Nodes(qmp);
            await runJob(qmp, ctx, 'snapshot-save', { tag: input.name, vmstate: nodes[0]!, devices: nodes }, 'Saving disks and memory');
          });
        } finally {
          if (frozen) consistency = (await frozen.thaw()) ? 'consistent' : 'crash-consistent';
        }
      } else {
        const done: string[] = [];
        try {
          for (const d of qcow2Disks(vm)) {
            ctx.progress(done.length / qcow2Disks(vm).length, `Snapshotting ${d}`);
            await imageSnapshot(this.deps.hosts.get(vm.hostId), 'create', d, input.name);
            done.push(d);
          }
        } catch (e) {
          // all disks or none: undo the ones that already have it
          for (const d of done) await imageSnapshot(this.deps.hosts.get(vm.hostId), 'delete', d, input.name).catch(() => undefined);
          throw e;
        }
      }
      const info = await imageInfo(this.deps.hosts.get(vm.hostId), qcow2Disks(vm)[0]!).catch(() => null);
      const row = this.deps.repo.insertSnapshot({
        id: randomUUID(),
        vmId: vm.id,
        name: input.name,
        description: input.description,
        parentId: this.deps.repo.currentSnapshot(vm.id),
        hasRam: live,
        vmStateBytes: info?.snapshots.find((s) => s.name === input.name)?.vmStateBytes ?? 0,
      });
      this.deps.repo.setSnapshotConsistency(row.id, consistency);
      this.deps.repo.setCurrentSnapshot(vm.id, row.id);
      this.deps.events.emit('storage.changed', { what: 'snapshot', id: row.id, vmId: vm.id });
      return { snapshotId: row.id, vmId: vm.id, consistency };
    });
  }

  async revert(input: { vm: string; snapshot: string; confirm: boolean; wait: boolean }): Promise<TaskInfo> {
    const vm = await this.deps.vms.resolveFresh(input.vm);
    const snap = this.find(vm, input.snapshot);
    if (!input.confirm)
      throw new HangarError('INVALID_INPUT', `Reverting "${vm.name}" to "${snap.name}" discards everything since then that is not in another snapshot. Confirm to revert (confirm: true, or --yes).`, { field: 'confirm' });
    const reason = SnapshotService.unsupportedReason(vm) ?? (await this.virtiofsReason(vm));
    if (reason) throw new HangarError('UNSUPPORTED', reason);
    settled(vm);
    const live = isLive(vm);
    if (live && !snap.hasRam) throw new HangarError('UNSUPPORTED', `"${snap.name}" was taken while "${vm.name}" was stopped, so it holds no memory to resume: stop the VM, then revert to it.`);
    return this.task(vm.id, 'snapshot.revert', `Revert ${vm.name} to ${snap.name}`, input.wait, async (ctx) => {
      const disks = await this.disksWith(vm, snap.name);
      if (live) {
        await this.deps.vms.withQmp(vm.id, async (qmp) => {
          const nodes = (await writableQcow2NodesWithFiles(qmp)).filter((n) => disks.includes(n.file)).map((n) => n.nodeName);
          // snapshot-load pauses the guest while it loads, and resumes it if it was running
          await runJob(qmp, ctx, 'snapshot-load', { tag: snap.name, vmstate: nodes[0]!, devices: nodes }, 'Loading disks and memory');
        });
        // the guest's clock stopped at the snapshot's time: set it (guest agent), in the background
        void this.guestHooks?.setClock(vm).catch(() => undefined);
      } else {
        for (const [i, d] of disks.entries()) {
          ctx.progress(i / disks.length, `Reverting ${d}`);
          await imageSnapshot(this.deps.hosts.get(vm.hostId), 'apply', d, snap.name);
        }
      }
      this.deps.repo.setCurrentSnapshot(vm.id, snap.id);
      this.deps.events.emit('storage.changed', { what: 'snapshot', id: snap.id, vmId: vm.id });
      return { snapshotId: snap.id, vmId: vm.id };
    });
  }

  async delete(input: { vm: string; snapshot: string; wait: boolean }): Promise<TaskInfo> {
    const vm = await this.deps.vms.resolveFresh(input.vm);
    const snap = this.find(vm, input.snapshot);
    settled(vm);
    const live = isLive(vm);
    return this.task(vm.id, 'snapshot.delete', `Delete snapshot ${snap.name} of ${vm.name}`, input.wait, async (ctx) => {
      const disks = await this.disksWith(vm, snap.name);
      if (live) {
        await this.deps.vms.withQmp(vm.id, async (qmp) => {
          const nodes = (await writableQcow2NodesWithFiles(qmp)).filter((n) => disks.includes(n.file)).map((n) => n.nodeName);
          if (nodes.length) await runJob(qmp, ctx, 'snapshot-delete', { tag: snap.name, devices: nodes }, 'Deleting');
        });
      } else {
        for (const d of disks) await imageSnapshot(this.deps.hosts.get(vm.hostId), 'delete', d, snap.name);
      }
      this.deps.repo.deleteSnapshot(snap);
      this.deps.events.emit('storage.changed', { what: 'snapshot', id: snap.id, vmId: vm.id, deleted: true });
      return { snapshotId: snap.id, vmId: vm.id };
    });
  }

  private find(vm: VmInfo, ref: string): SnapshotRow {
    const snap = this.deps.repo.findSnapshot(vm.id, ref);
    if (!snap) throw new HangarError('NOT_FOUND', `"${vm.name}" has no snapshot named "${ref}".`, { field: 'snapshot' });
    return snap;
  }

  /** The VM's qcow2 disks that hold this snapshot (a disk attached later does not). */
  private async disksWith(vm: VmInfo, name: string): Promise<string[]> {
    const host = this.deps.hosts.get(vm.hostId);
    const out: string[] = [];
    for (const d of qcow2Disks(vm)) if ((await imageInfo(host, d)).snapshots.some((s) => s.name === name)) out.push(d);
    if (out.length === 0) throw new HangarError('NOT_FOUND', `No disk of "${vm.name}" holds the snapshot "${name}" any more (was the disk replaced?).`);
    return out;
  }

  /** Rows whose snapshot is gone from the disk are dropped; snapshots made outside Hangar are adopted. */
  private async syncWithImage(vm: VmInfo): Promise<void> {
    const first = qcow2Disks(vm)[0];
    if (!first) return;
    const info = await imageInfo(this.deps.hosts.get(vm.hostId), first).catch(() => null);
    if (!info) return;
    const onDisk = new Map(info.snapshots.map((s) => [s.name.toLowerCase(), s]));
    const rows = this.deps.repo.snapshots(vm.id);
    for (const r of rows) if (!onDisk.has(r.name.toLowerCase())) this.deps.repo.deleteSnapshot(r);
    const known = new Set(rows.map((r) => r.name.toLowerCase()));
    for (const s of info.snapshots) {
      if (known.has(s.name.toLowerCase())) continue;
      this.deps.repo.insertSnapshot({ id: randomUUID(), vmId: vm.id, name: s.name, description: '', parentId: null, hasRam: s.vmStateBytes > 0, vmStateBytes: s.vmStateBytes, createdAt: new Date(s.dateSec * 1000).toISOString() });
    }
  }

  private task(vmId: string, kind: string, title: string, wait: boolean, run: (ctx: TaskContext) => Promise<Record<string, unknown>>): Promise<TaskInfo> {
    // the VM's lock (compute/vm-lock.ts) is held while the snapshot job runs, in every process
    const { task, done } = this.deps.tasks.start(kind, title, (ctx) => this.deps.vms.guarded(vmId, 'snapshot', () => run(ctx)), { cancellable: false });
    return wait ? awaitTask(done) : Promise.resolve(task);
  }
}

/** What snapshots need of the guest agent (guest/guest-service.ts); absent agent: null / false. */
export interface SnapshotGuestHooks {
  /** Freeze the guest's file systems; null when no agent answers. `thaw` resolves true when the thaw worked. */
  freeze(vm: VmInfo): Promise<{ thaw(): Promise<boolean> } | null>;
  setClock(vm: VmInfo): Promise<boolean>;
}

const qcow2Disks = (vm: VmInfo): string[] => vm.spec.disks.filter((d) => d.format === 'qcow2' && !d.readOnly).map((d) => d.path);

function settled(vm: VmInfo): void {
  if (vm.state === 'starting' || vm.state === 'stopping') throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state}: wait until it is running or stopped.`);
}

function toInfo(s: SnapshotRow, current: string | null): SnapshotInfo {
  return { id: s.id, vmId: s.vmId, name: s.name, description: s.description, parentId: s.parentId, createdAt: s.createdAt, hasRam: s.hasRam, vmStateBytes: s.vmStateBytes, current: s.id === current, consistency: s.consistency ?? null };
}

async function writableQcow2NodesWithFiles(qmp: QmpClient): Promise<Array<{ nodeName: string; file: string }>> {
  return (await queryBlock(qmp)).filter((b) => b.inserted && !b.readOnly && b.format === 'qcow2');
}

async function writableQcow2Nodes(qmp: QmpClient): Promise<string[]> {
  const nodes = (await writableQcow2NodesWithFiles(qmp)).map((n) => n.nodeName);
  if (nodes.length === 0) throw new HangarError('UNSUPPORTED', 'The running VM has no writable qcow2 disk plugged in to hold the snapshot.');
  return nodes;
}

interface JobInfo {
  id: string;
  status: string;
  'current-progress': number;
  'total-progress': number;
  error?: string;
}

/** Start a snapshot job, follow `query-jobs` for progress until it concludes, then dismiss it. */
async function runJob(qmp: QmpClient, ctx: TaskContext, command: string, args: Record<string, unknown>, message: string): Promise<void> {
  const jobId = `hangar-${command}-${randomUUID().slice(0, 8)}`;
  await qmp.command(command, { 'job-id': jobId, ...args });
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const job = (await qmp.command<JobInfo[]>('query-jobs')).find((j) => j.id === jobId);
    if (!job) throw new HangarError('QEMU_FAILED', `QEMU's ${command} job disappeared before it finished.`);
    if (job['total-progress'] > 0) ctx.progress(job['current-progress'] / job['total-progress'], message);
    if (job.status === 'concluded' || job.status === 'null') {
      await qmp.command('job-dismiss', { id: jobId }).catch(() => undefined);
      if (job.error) throw new HangarError('QEMU_FAILED', `QEMU could not ${command.replace('snapshot-', '')} the snapshot: ${job.error}`);
      return;
    }
    if (Date.now() > deadline) throw new HangarError('TIMEOUT', `QEMU's ${command} did not finish within ${JOB_TIMEOUT_MS / 60000} minutes.`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
