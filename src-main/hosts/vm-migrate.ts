import * as path from 'node:path';
import type { ParsedInput, TaskInfo, VmInfo } from '../api/contract';
import { HangarError, notFound } from '../api/errors';
import type { Db } from '../db/database';
import { VmRepository } from '../db/repositories/vms';
import type { MigrationSwitch, VmService } from '../compute/vm-service';
import { runtimeRoot, vmPaths, type VmPaths } from '../qemu/paths';
import { probeHost } from '../qemu/probe';
import type { QmpClient } from '../qemu/qmp';
import { QemuStartError, attachQmp, launchQemu, readExitRecord, readPid, waitForExit } from '../qemu/supervisor';
import type { TaskContext, TaskManager } from '../tasks/task-manager';
import { formatBytes } from '../util/units';
import type { Host } from './host';
import { HostRepository } from './host-repository';
import { carrySerialLog } from '../consoles/serial-carry';
import { carryFirmwareVars } from './migrate-firmware';
import { checkDestinationAccess } from './migrate-checks';
import { claimTargetDir, markLeftBehind, restoreAside } from './leftover';
import { openRelay, type Relay } from './migrate-relay';
import { StorageMirror, createTargets, planStorage, type StoragePlan } from './migrate-storage';
import type { HostRegistry } from './registry';

/**
 * Live migration of a running VM to another host (like `virsh migrate` without --copy-storage):
 * the destination QEMU starts with the same argv plus `-incoming defer`, the source QEMU streams
 * RAM and device state into it, and only when QEMU reports "completed" is the VM's row switched
 * to the destination and the source QEMU told to quit. Until then the source keeps running; a
 * failure or cancel kills the destination QEMU and removes its folder.
 *
 * Any direction (this computer or a LAN host, to this computer or a LAN host): the source QEMU
 * connects to a UNIX socket on its own host that the engine relays to the destination's socket
 * (migrate-relay.ts). Writable disks must be absent or on a path both hosts see identically
 * (shared storage).
 */

const MIGRATE_SOCKET = 'migrate.sock';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface MigrateStatus {
  status?: string;
  'error-desc'?: string;
  ram?: { transferred?: number; total?: number; remaining?: number };
}

export class LiveMigration {
  constructor(
    private readonly db: Db,
    private readonly hosts: HostRegistry,
    private readonly tasks: TaskManager,
    private readonly vms: VmService,
    private readonly hostName: (id: string) => string,
  ) {
    tasks.onInterrupted('host.migrateVm', async (task) => {
      // An engine crash mid-migration leaves a destination QEMU the database does not point to.
      const meta = task.result as { vmId?: string; toHostId?: string; targetDir?: string } | null;
      if (!meta?.vmId || !meta.toHostId || !meta.targetDir) return;
      if (new VmRepository(this.db).get(meta.vmId)?.hostId === meta.toHostId) return;
      const to = this.hosts.get(meta.toHostId);
      const paths = await destPaths(to, meta.vmId);
      const pid = await readPid(to, paths).catch(() => null);
      if (pid) await to.kill(pid, 'SIGKILL').catch(() => undefined);
      await to.fs.rm(meta.targetDir, { recursive: true }).catch(() => undefined);
      await restoreAside(to, meta.targetDir).catch(() => undefined);
    });
  }

  async start(input: ParsedInput<'host.migrateVm'>): Promise<{ task: TaskInfo; done: Promise<TaskInfo> }> {
    const vm = this.vms.resolve(input.vm);
    const row = new HostRepository(this.db).find(input.toHost);
    if (!row) throw notFound('host', input.toHost);
    const to = this.hosts.get(row.id);
    const targetDir = (await destPaths(to, vm.id)).dir;
    return this.tasks.start(
      'host.migrateVm',
      `Migrate ${vm.name} to ${this.hostName(to.id)}`,
      (ctx) => this.vms.migrating(vm.id, (current, handOver) => this.run(current, to, ctx, handOver, input)),
      { meta: { vmId: vm.id, toHostId: to.id, targetDir } },
    );
  }

  private async run(vm: VmInfo, to: Host, ctx: TaskContext, handOver: (to: MigrationSwitch) => void, opts: { copyStorage?: boolean; deleteSource?: boolean } = {}): Promise<{ vmId: string; toHostId: string; dir: string; bytes: number; diskBytes: number; sourceKept: string | null }> {
    if (vm.state !== 'running' && vm.state !== 'paused') throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state}: only a running or paused VM can be migrated live (use the offline move for a stopped one).`);
    const from = this.hosts.get(vm.hostId);
    if (from.id === to.id) throw new HangarError('INVALID_INPUT', `"${vm.name}" is already on that host.`, { field: 'toHost' });
    const fromPaths = await this.vms.paths(vm);
    const toPaths = await destPaths(to, vm.id);
    // storage migration (migrate-storage.ts): the disks in the VM's folder are mirrored over
    const plan = opts.copyStorage ? planStorage(vm, fromPaths, toPaths) : null;
    const spec = plan?.spec ?? vm.spec;
    await checkDestinationAccess({ ...vm, spec }, to, this.hostName(to.id)); // host, path and reason, not "Permission denied" (migrate-checks.ts)
    await this.checkStorage(vm, from, to, fromPaths, new Set(plan?.copies.map((c) => c.from)));

    const caps = await probeHost(to);
    if (!caps.qemu) throw new HangarError('MISSING_DEPENDENCY', `QEMU is not installed on ${this.hostName(to.id)}. ${caps.installHint ?? ''}`.trim());
    if (vm.spec.tpm) throw new HangarError('UNSUPPORTED', `"${vm.name}" has a TPM (swtpm), whose state cannot follow a live migration yet: stop it and use the offline move (host move-vm), which carries the TPM state.`);
    const fromAccel = vm.accel ?? (await probeHost(from)).accel;
    if (caps.accel !== fromAccel)
      throw new HangarError('UNSUPPORTED', `"${vm.name}" runs with ${fromAccel.toUpperCase()} (CPU model ${fromAccel === 'kvm' ? 'host' : 'max'}) but ${this.hostName(to.id)} offers ${caps.accel.toUpperCase()}: the CPU models differ, so the running state cannot move. Stop the VM and use the offline move.`);
    // a folder this VM left there on an earlier move is Hangar's own: set aside, replaced at the switch (hosts/leftover.ts)
    const claim = await claimTargetDir(to, toPaths.dir, vm, this.hostName(to.id));

    const wasPaused = vm.state === 'paused';
    let dest: { qmp: QmpClient; pid: number } | null = null;
    let bridge: Relay | null = null;
    let mirror: StorageMirror | null = null;
    const share = plan?.copies.length ? 0.6 : 0; // of the progress bar: the disks, then RAM
    let started = false;
    let completed = false;
    let switchedOver = false;
    try {
      ctx.progress(0, `Starting QEMU on ${this.hostName(to.id)}`);
      await to.fs.mkdir(toPaths.dir, 0o700);
      await to.fs.writeFileAtomic(toPaths.vmJson, JSON.stringify(spec, null, 2) + '\n', 0o600);
      if (plan?.copies.length) await createTargets(plan, (fn) => this.vms.withQmp(vm.id, fn), to, this.hostName(to.id));
      const argv = [...this.vms.argvFor(spec, toPaths, caps), '-incoming', 'defer'];
      try {
        // the console scrollback follows the VM (consoles/serial-carry.ts)
        await carrySerialLog(from, fromPaths, to, toPaths, this.hostName(to.id)).catch(() => undefined);
        await carryFirmwareVars(spec, from, fromPaths, to, toPaths);
        dest = await launchQemu(to, caps.qemu.binary, argv, toPaths, 30000, { incoming: true });
      } catch (e) {
        if (e instanceof QemuStartError) throw new HangarError('QEMU_FAILED', `QEMU did not start on ${this.hostName(to.id)}: ${e.message}`, { log: e.qemuLog.slice(-4000) });
        throw e;
      }
      const destSocket = path.posix.join(toPaths.runDir, MIGRATE_SOCKET);
      await dest.qmp.command('migrate-incoming', { uri: `unix:${destSocket}` });
      // any direction: the source QEMU streams into a socket on its own host, relayed here (migrate-relay.ts)
      bridge = await openRelay(from, path.posix.join(fromPaths.runDir, 'migrate-out.sock'), () => to.connectUnix(destSocket, 10000));

      if (plan?.copies.length) {
        mirror = new StorageMirror(plan, from, fromPaths, to, toPaths, { from: this.hostName(from.id), to: this.hostName(to.id) }, (fn) => this.vms.withQmp(vm.id, fn));
        await mirror.start(dest.qmp, ctx, share);
      }
      await this.vms.withQmp(vm.id, (qmp) => qmp.command('migrate', { uri: `unix:${bridge!.socketPath}` }));
      started = true;
      for (;;) {
        if (ctx.signal.aborted) throw new HangarError('CANCELLED', 'The migration was cancelled: the VM keeps running on its old host.');
        const st = await this.vms.withQmp(vm.id, (qmp) => qmp.command<MigrateStatus>('query-migrate'));
        if (st.status === 'completed') break;
        if (st.status === 'pre-switchover' && mirror) {
          // once: right after migrate-continue, QEMU may still report pre-switchover for a moment
          if (!switchedOver) await mirror.switchover();
          switchedOver = true;
          await sleep(20);
          continue;
        }
        if (st.status === 'failed' || st.status === 'cancelled')
          throw new HangarError('QEMU_FAILED', `The migration ${st.status}${st['error-desc'] ? `: ${st['error-desc']}` : ''}${bridge.error ? ` (${bridge.error})` : ''}. The VM keeps running on its old host.`);
        const total = st.ram?.total ?? 0;
        const sent = st.ram?.transferred ?? 0;
        if (total > 0) ctx.progress(Math.min(0.95, share + (1 - share) * (sent / total)), `${formatBytes(sent)} of ${formatBytes(total)} RAM sent`);
        await sleep(200);
      }
      completed = true;
      const bytes = (await this.vms.withQmp(vm.id, (qmp) => qmp.command<MigrateStatus>('query-migrate'))).ram?.transferred ?? 0;

      // The destination resumes by itself when the source was running (autostart); keep the
      // source's paused state across the move.
      // the QMP stream to a far QEMU rides an SSH channel that may close under a big transfer while
      // QEMU itself runs on: attach afresh once before calling the move failed
      const destStatus = await waitDestStatus(dest.qmp).catch(async (e: unknown) => {
        if (!/closed/i.test(String((e as Error)?.message))) throw e;
        dest!.qmp.close();
        dest!.qmp = await attachQmp(to, toPaths).catch(async () => {
          throw await destinationGone(to, toPaths, this.hostName(to.id));
        });
        return waitDestStatus(dest!.qmp);
      });
      // only now that the destination has loaded the whole stream does it stop serving its disks:
      // stopping the NBD server while it still loaded the last device state once failed the load
      // ("load of migration failed: Input/output error"); libvirt orders it the same way
      await mirror?.finish(dest.qmp);
      if (wasPaused && destStatus === 'running') await dest.qmp.command('stop');
      if (!wasPaused && destStatus !== 'running') await dest.qmp.command('cont');

      // The switch: the source runtime is dropped first so its coming exit is no crash, and the row
      // names the destination in the state it runs in (the source's STOP at "completed" wrote "paused").
      handOver({ hostId: to.id, dir: toPaths.dir, pid: dest.pid, spec, state: wasPaused ? 'paused' : 'running' });
      dest.qmp.close();
      dest = null;

      await from.fs.writeFileAtomic(fromPaths.intentFile, 'kill\n');
      const srcPid = await readPid(from, fromPaths);
      try {
        const q = await attachQmp(from, fromPaths);
        await q.command('quit').catch(() => undefined);
        q.close();
      } catch {
        if (srcPid) await from.kill(srcPid, 'SIGTERM').catch(() => undefined);
      }
      await waitForExit(from, fromPaths, srcPid, vm.id, 15000).catch(() => undefined);
      await claim.commit().catch(() => undefined);
      const diskBytes = await this.afterStorageMove(plan, from, fromPaths, opts.deleteSource === true);
      // the kept source folder says it is Hangar's own copy, so a move back may reuse it (leftover.ts)
      if (!opts.deleteSource) await markLeftBehind(from, fromPaths.dir, vm, to.id).catch(() => undefined);
      ctx.progress(1, `Migrated ${formatBytes(bytes)} of RAM and device state${diskBytes ? ` and ${formatBytes(diskBytes)} of disk` : ''}`);
      return { vmId: vm.id, toHostId: to.id, dir: toPaths.dir, bytes, diskBytes, sourceKept: opts.deleteSource ? null : fromPaths.dir };
    } catch (e) {
      if (started && !completed) await this.vms.withQmp(vm.id, (qmp) => qmp.command('migrate_cancel')).catch(() => undefined);
      if (!completed) await mirror?.abort();
      else if (dest) await mirror?.finish(dest.qmp).catch(() => undefined); // its NBD relay, at least
      // After "completed" the source sits in postmigrate: let it run on.
      if (completed && !wasPaused) await this.vms.withQmp(vm.id, (qmp) => qmp.command('cont')).catch(() => undefined);
      if (dest) {
        await to.fs.writeFileAtomic(toPaths.intentFile, 'kill\n').catch(() => undefined);
        await dest.qmp.command('quit').catch(() => undefined);
        dest.qmp.close();
        await waitForExit(to, toPaths, dest.pid, vm.id, 10000).catch(async () => to.kill(dest!.pid, 'SIGKILL').catch(() => undefined));
      }
      await to.fs.rm(toPaths.dir, { recursive: true }).catch(() => undefined);
      await to.fs.rm(toPaths.runDir, { recursive: true }).catch(() => undefined);
      await claim.rollback().catch(() => undefined);
      throw e;
    } finally {
      await bridge?.close();
    }
  }

  /**
   * After a move with storage: the size of what was copied; with deleteSource the old folder (the
   * source disks the copy came from, its logs) is removed, now that the VM runs on the copies.
   */
  private async afterStorageMove(plan: StoragePlan | null, from: Host, fromPaths: VmPaths, deleteSource: boolean): Promise<number> {
    let bytes = 0;
    for (const c of plan?.copies ?? []) bytes += (await from.fs.stat(c.from))?.size ?? 0;
    if (deleteSource) await from.fs.rm(fromPaths.dir, { recursive: true });
    return bytes;
  }

  /** Without --copy-storage both QEMUs open the same disk files: they must be shared. */
  private async checkStorage(vm: VmInfo, from: Host, to: Host, fromPaths: VmPaths, copied: Set<string>): Promise<void> {
    const offline = `stop "${vm.name}" and use the offline move (host move-vm), which copies the files, or move it live with its storage (copyStorage, --copy-storage).`;
    for (const d of vm.spec.disks) {
      if (d.readOnly || copied.has(d.path)) continue;
      const here = await from.fs.stat(d.path);
      const there = await to.fs.stat(d.path);
      // a file in the VM's own folder is never shared (the folders differ per host), and a file
      // elsewhere counts as shared only if the destination sees the same file at the same path
      if (path.posix.dirname(d.path) === fromPaths.dir || !here || !there || here.size !== there.size || Math.trunc(here.mtimeMs / 1000) !== Math.trunc(there.mtimeMs / 1000))
        throw new HangarError('UNSUPPORTED', `The writable disk ${d.path} is not on storage ${this.hostName(to.id)} shares at the same path, so it cannot follow a live migration: ${offline}`);
    }
    for (const [what, file] of [
      ['ISO', vm.spec.cdrom],
      ['Kernel', vm.spec.kernel?.path],
      ['Initrd', vm.spec.kernel?.initrd],
    ] as const) {
      if (file && !(await to.fs.stat(file))) throw new HangarError('INVALID_INPUT', `${what} file ${file} does not exist on ${this.hostName(to.id)}: copy it there first (host.copyFile), at the same path.`);
    }
  }
}

async function destPaths(to: Host, vmId: string): Promise<VmPaths> {
  const home = await to.hangarHome();
  return vmPaths(home, runtimeRoot(home, (await to.info()).uid), vmId);
}

/** After "completed", the destination leaves `inmigrate` for running (autostart) or paused. */
async function waitDestStatus(qmp: QmpClient): Promise<string> {
  const deadline = Date.now() + 15000;
  for (;;) {
    const { status } = await qmp.command<{ status: string }>('query-status');
    if (status !== 'inmigrate' || Date.now() > deadline) return status;
    await sleep(50);
  }
}

/** The destination QEMU ended right after taking the VM over: how it ended, and the end of its log. */
async function destinationGone(to: Host, toPaths: VmPaths, hostName: string): Promise<HangarError> {
  const record = await readExitRecord(to, toPaths).catch(() => null);
  const log = (await to.fs.readTail(toPaths.qemuLog, 4000).catch(() => Buffer.alloc(0))).toString('utf8').trim();
  const how = record ? ` (exit status ${record.status})` : '';
  const last = log.split('\n').filter(Boolean).pop();
  return new HangarError('QEMU_FAILED', `QEMU on ${hostName} ended right after receiving the VM${how}${last ? `: ${last}` : ''}. The VM keeps running on its old host.`, { log });
}
