import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import type { ParsedInput, TaskInfo, VmInfo } from '../api/contract';
import { HangarError, notFound } from '../api/errors';
import type { Db } from '../db/database';
import { nowIso } from '../db/repositories/vms';
import type { VmService } from '../compute/vm-service';
import { runtimeRoot, vmPaths, type VmPaths } from '../qemu/paths';
import { probeHost } from '../qemu/probe';
import type { QmpClient } from '../qemu/qmp';
import { QemuStartError, attachQmp, launchQemu, readPid, waitForExit } from '../qemu/supervisor';
import type { TaskContext, TaskManager } from '../tasks/task-manager';
import { formatBytes } from '../util/units';
import type { Host } from './host';
import { carrySerialLog } from '../consoles/serial-carry';
import { checkDestinationAccess } from './migrate-checks';
import { claimTargetDir, markLeftBehind, restoreAside } from './leftover';
import type { HostRegistry } from './registry';

/**
 * Live migration of a running VM to another host (like `virsh migrate` without --copy-storage):
 * the destination QEMU starts with the same argv plus `-incoming defer`, the source QEMU streams
 * RAM and device state into it, and only when QEMU reports "completed" is the VM's row switched
 * to the destination and the source QEMU told to quit. Until then the source keeps running; a
 * failure or cancel kills the destination QEMU and removes its folder.
 *
 * Limits of this first step: writable disks must be absent or on a path both hosts see
 * identically (shared storage); the source must be this computer (its QEMU connects to a UNIX
 * socket the engine listens on here, bridged to the destination over the host's connectUnix —
 * an SSH stream for a LAN host).
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
      const row = this.db.prepare('SELECT host_id FROM vms WHERE id = ?').get(meta.vmId) as { host_id: string } | undefined;
      if (row?.host_id === meta.toHostId) return;
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
    const row = this.db.prepare('SELECT id FROM hosts WHERE id = ? OR lower(name) = lower(?)').get(input.toHost, input.toHost) as { id: string } | undefined;
    if (!row) throw notFound('host', input.toHost);
    const to = this.hosts.get(row.id);
    const targetDir = (await destPaths(to, vm.id)).dir;
    return this.tasks.start(
      'host.migrateVm',
      `Migrate ${vm.name} to ${this.hostName(to.id)}`,
      (ctx) => this.vms.migrating(vm.id, (current, handOver) => this.run(current, to, ctx, handOver)),
      { meta: { vmId: vm.id, toHostId: to.id, targetDir } },
    );
  }

  private async run(vm: VmInfo, to: Host, ctx: TaskContext, handOver: () => void): Promise<{ vmId: string; toHostId: string; dir: string; bytes: number }> {
    if (vm.state !== 'running' && vm.state !== 'paused') throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state}: only a running or paused VM can be migrated live (use the offline move for a stopped one).`);
    const from = this.hosts.get(vm.hostId);
    if (from.id === to.id) throw new HangarError('INVALID_INPUT', `"${vm.name}" is already on that host.`, { field: 'toHost' });
    if (from.kind !== 'local')
      throw new HangarError('UNSUPPORTED', `Live migration from a LAN host is not available yet (only from this computer): stop "${vm.name}" and use the offline move (host move-vm), or migrate it from this computer.`);
    const fromPaths = await this.vms.paths(vm);
    const toPaths = await destPaths(to, vm.id);
    await checkDestinationAccess(vm, to, this.hostName(to.id)); // host, path and reason, not "Permission denied" (migrate-checks.ts)
    await this.checkStorage(vm, from, to, fromPaths);

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
    let bridge: Bridge | null = null;
    let started = false;
    let completed = false;
    try {
      ctx.progress(0, `Starting QEMU on ${this.hostName(to.id)}`);
      await to.fs.mkdir(toPaths.dir, 0o700);
      await to.fs.writeFileAtomic(toPaths.vmJson, JSON.stringify(vm.spec, null, 2) + '\n', 0o600);
      const argv = [...this.vms.argvFor(vm.spec, toPaths, caps), '-incoming', 'defer'];
      try {
        // the console scrollback follows the VM (consoles/serial-carry.ts)
        await carrySerialLog(from, fromPaths, to, toPaths, this.hostName(to.id)).catch(() => undefined);
        dest = await launchQemu(to, caps.qemu.binary, argv, toPaths, 30000, { incoming: true });
      } catch (e) {
        if (e instanceof QemuStartError) throw new HangarError('QEMU_FAILED', `QEMU did not start on ${this.hostName(to.id)}: ${e.message}`, { log: e.qemuLog.slice(-4000) });
        throw e;
      }
      const destSocket = path.posix.join(toPaths.runDir, MIGRATE_SOCKET);
      await dest.qmp.command('migrate-incoming', { uri: `unix:${destSocket}` });
      bridge = await openBridge(() => to.connectUnix(destSocket, 10000));

      await this.vms.withQmp(vm.id, (qmp) => qmp.command('migrate', { uri: `unix:${bridge!.socketPath}` }));
      started = true;
      for (;;) {
        if (ctx.signal.aborted) throw new HangarError('CANCELLED', 'The migration was cancelled: the VM keeps running on its old host.');
        const st = await this.vms.withQmp(vm.id, (qmp) => qmp.command<MigrateStatus>('query-migrate'));
        if (st.status === 'completed') break;
        if (st.status === 'failed' || st.status === 'cancelled')
          throw new HangarError('QEMU_FAILED', `The migration ${st.status}${st['error-desc'] ? `: ${st['error-desc']}` : ''}${bridge.error ? ` (${bridge.error})` : ''}. The VM keeps running on its old host.`);
        const total = st.ram?.total ?? 0;
        const sent = st.ram?.transferred ?? 0;
        if (total > 0) ctx.progress(Math.min(0.95, sent / total), `${formatBytes(sent)} of ${formatBytes(total)} RAM sent`);
        await sleep(200);
      }
      completed = true;
      const bytes = (await this.vms.withQmp(vm.id, (qmp) => qmp.command<MigrateStatus>('query-migrate'))).ram?.transferred ?? 0;

      // The destination resumes by itself when the source was running (autostart); keep the
      // source's paused state across the move.
      const destStatus = await waitDestStatus(dest.qmp);
      if (wasPaused && destStatus === 'running') await dest.qmp.command('stop');
      if (!wasPaused && destStatus !== 'running') await dest.qmp.command('cont');

      // The switch. The source runtime is dropped first so its coming exit is no crash.
      handOver();
      const switched = this.db
        .prepare("UPDATE vms SET host_id = ?, dir = ?, pid = ?, updated_at = ? WHERE id = ? AND host_id = ? AND state IN ('running', 'paused')")
        .run(to.id, toPaths.dir, dest.pid, nowIso(), vm.id, from.id);
      if (switched.changes !== 1) throw new HangarError('INVALID_STATE', `"${vm.name}" changed during the migration: nothing was switched.`);
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
      await markLeftBehind(from, fromPaths.dir, vm, to.id).catch(() => undefined);
      ctx.progress(1, `Migrated ${formatBytes(bytes)} of RAM and device state`);
      return { vmId: vm.id, toHostId: to.id, dir: toPaths.dir, bytes };
    } catch (e) {
      if (started && !completed) await this.vms.withQmp(vm.id, (qmp) => qmp.command('migrate_cancel')).catch(() => undefined);
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
      bridge?.close();
    }
  }

  /** Without --copy-storage both QEMUs open the same disk files: they must be shared. */
  private async checkStorage(vm: VmInfo, from: Host, to: Host, fromPaths: VmPaths): Promise<void> {
    const offline = `stop "${vm.name}" and use the offline move (host move-vm), which copies the files.`;
    for (const d of vm.spec.disks) {
      if (d.readOnly) continue;
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

interface Bridge {
  socketPath: string;
  error: string | null;
  close(): void;
}

/**
 * A UNIX socket here that the source QEMU connects to; each connection is piped to the
 * destination's migration socket (a local socket, or an SSH stream to the LAN host's socket).
 */
async function openBridge(connect: () => Promise<Duplex>): Promise<Bridge> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-migrate-'));
  const socketPath = path.join(dir, 'source.sock');
  const open = new Set<net.Socket | Duplex>();
  const bridge: Bridge = {
    socketPath,
    error: null,
    close: () => {
      server.close();
      for (const s of open) s.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  const server = net.createServer((local) => {
    open.add(local);
    local.pause();
    connect().then(
      (remote) => {
        open.add(remote);
        local.pipe(remote);
        remote.pipe(local);
        const fail = (e: Error) => {
          bridge.error ??= e.message;
          local.destroy();
          remote.destroy();
        };
        local.on('error', fail);
        remote.on('error', fail);
        local.resume();
      },
      (e: Error) => {
        bridge.error = `cannot reach the destination's migration socket: ${e.message}`;
        local.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return bridge;
}
