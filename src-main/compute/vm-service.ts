import type { HostCapabilities, ParsedInput, VmInfo, VmSpec, VmState } from '../api/contract';
import { HangarError, notFound } from '../api/errors';
import type { VmRepository } from '../db/repositories/vms';
import { nowIso } from '../db/repositories/vms';
import type { EventBus } from '../engine/event-bus';
import type { HostRegistry } from '../hosts/registry';
import { buildQemuArgv } from '../qemu/argv';
import { runtimeRoot, vmPaths, type VmPaths } from '../qemu/paths';
import { probeHost } from '../qemu/probe';
import { ExitWaitTimeout, QemuStartError, launchQemu, waitForExit } from '../qemu/supervisor';
import { refuseDamaged } from '../recovery/damaged';
import { checkDisksBeforeStart } from './media-checks';
import { assertAction } from './state-machine';
import { VmRuntime, judgeExit } from './vm-runtime';
import { VmInventory } from './vm-inventory';
import { VmStateTracker } from './vm-state-tracker';
import type { VmLockAction, VmLocks } from './vm-lock';
import { checkResources, requireFile, requireQemu } from './vm-checks';
import { checkPortForwards } from '../hosts/port-check';
import type { NetworkService } from '../network/network-service';
import { afterExit, prepareStart } from '../tpm/tpm-service';
import { recognize, say, sayText } from '../api/messages';
import { vdagentBlockReason, vdagentBlocksMigration } from '../guest/guest-argv';
import { probeVirtiofs, startVirtiofsd, stopVirtiofsd, virtiofsBlockReason } from '../guest/virtiofs';

export interface VmServiceOptions {
  /** Long-lived engines (serve, desktop) keep QMP connections and follow events. */
  watch: boolean;
  /** Internal networks and bridges: checks NICs and gives the argv builder the network endpoints. */
  networks?: NetworkService;
  /** The per-VM lock shared by every Hangar process on this home (vm-lock.ts). */
  locks?: VmLocks;
}

/**
 * Compute: the VM lifecycle (the inventory — create, update, delete — is vm-inventory.ts,
 * reached through this class). Every QEMU interaction goes through a Host,
 * every state change through `setState` (database row + event row + pushed event).
 */
/** Where a live-migrated VM runs after the switch (see `migrating`). */
export interface MigrationSwitch {
  hostId: string;
  dir: string;
  pid: number;
  spec: VmSpec;
  state: 'running' | 'paused';
}

export class VmService extends VmStateTracker {
  /** True in long-lived engines: QMP events keep states current, no polling needed. */
  get watching(): boolean {
    return this.options.watch;
  }
  private tcgNoticeSent = false;
  /** Set by the engine: a disk from a library image (images/image-service.ts diskForVm). */
  imageDisk: ((ref: string, hostId: string, vmId: string, vmDir: string, fullCopy: boolean, fileName: string) => Promise<{ path: string; format: 'qcow2' }>) | null = null;

  private readonly inventory: VmInventory;
  /** Set by the engine: shut down through the guest agent; false when none answers (then ACPI). */
  agentShutdown: ((vm: VmInfo) => Promise<boolean>) | null = null;

  constructor(repo: VmRepository, hosts: HostRegistry, events: EventBus, options: VmServiceOptions) {
    super(repo, hosts, events, options);
    this.inventory = new VmInventory({
      repo,
      hosts,
      events,
      networks: options.networks,
      imageDisk: () => this.imageDisk,
      usedForwards: (exceptId) => this.usedForwards(exceptId),
      paths: (vm) => this.paths(vm),
      resolve: (ref) => this.resolve(ref),
      refresh: (id) => this.refresh(id),
      start: (id) => this.start(id),
      forget: (id) => {
        this.runtimes.get(id)?.close();
        this.runtimes.delete(id);
      },
    });
  }

  // ---------------------------------------------------------------- queries

  list(): VmInfo[] {
    return this.repo.list();
  }

  resolve(ref: string): VmInfo {
    const vm = this.repo.find(ref);
    if (!vm) throw notFound('VM', ref);
    return vm;
  }

  async paths(vm: VmInfo): Promise<VmPaths> {
    const host = this.hosts.get(vm.hostId);
    const home = await host.hangarHome();
    return vmPaths(home, runtimeRoot(home, (await host.info()).uid), vm.id);
  }

  async serialTail(ref: string, maxBytes: number): Promise<{ text: string; bytes: number }> {
    const vm = this.resolve(ref);
    const buf = await this.hosts.get(vm.hostId).fs.readTail((await this.paths(vm)).serialLog, maxBytes);
    return { text: buf.toString('utf8'), bytes: buf.length };
  }

  // ---------------------------------------------------------------- create / update / delete (vm-inventory.ts)

  create(input: ParsedInput<'vm.create'>): Promise<VmInfo> {
    return this.inventory.create(input);
  }

  update(input: ParsedInput<'vm.update'>): Promise<VmInfo> {
    return this.guarded(input.vm, 'update', () => this.inventory.update(input));
  }

  /** Replace the spec wholesale (used by storage and images when they attach disks). */
  saveSpec(vm: VmInfo, spec: VmSpec): Promise<VmInfo> {
    return this.inventory.saveSpec(vm, spec);
  }

  delete(ref: string, deleteDisks: boolean): Promise<{ deletedFiles: string[]; keptFiles: string[] }> {
    return this.guarded(ref, 'delete', () => this.inventory.delete(ref, deleteDisks));
  }

  // ---------------------------------------------------------------- lifecycle

  async start(ref: string): Promise<VmInfo> {
    return this.guarded(ref, 'start', () => this.startUnguarded(ref));
  }

  private async startUnguarded(ref: string): Promise<VmInfo> {
    const vm = this.resolve(ref);
    await this.refresh(vm.id);
    const current = this.resolve(vm.id);
    refuseDamaged(current, 'start');
    assertAction('start', current.name, current.state);
    const host = this.hosts.get(vm.hostId);
    const caps = await probeHost(host);
    requireQemu(caps);
    checkResources(caps, vm.spec.cpus, vm.spec.memoryMiB);
    for (const d of vm.spec.disks) await requireFile(host, d.path, 'Disk', 'disks');
    await checkDisksBeforeStart(host, caps, vm.spec);
    if (vm.spec.cdrom) await requireFile(host, vm.spec.cdrom, 'ISO', 'isoPath');
    if (vm.spec.kernel) {
      await requireFile(host, vm.spec.kernel.path, 'Kernel', 'kernel');
      if (vm.spec.kernel.initrd) await requireFile(host, vm.spec.kernel.initrd, 'Initrd', 'kernel');
    }
    for (const nic of vm.spec.nics) await checkPortForwards(host, nic.portForwards, this.usedForwards(vm.id), true);
    if (this.options.networks) await this.options.networks.checkNics(host, vm.spec.nics);
    this.noticeAccel(caps);

    const paths = await this.paths(vm);
    const virtiofs = vm.spec.sharedFolders?.length ? await probeVirtiofs(host) : null; // guest/virtiofs.ts
    const argv = this.argvFor(vm.spec, paths, caps, virtiofs?.usable);
    this.setState(vm.id, 'starting', null);
    try {
      await prepareStart(host, caps, vm.spec, paths); // Secure Boot vars, swtpm (tpm/)
      if (virtiofs) await startVirtiofsd(host, virtiofs, vm.spec, paths);
      const { qmp, pid } = await launchQemu(host, caps.qemu!.binary, argv, paths);
      const runtime = new VmRuntime(vm.id, host, paths, pid, this.callbacksFor(vm.id));
      this.runtimes.set(vm.id, runtime);
      runtime.adopt(qmp);
      const info = this.setState(vm.id, 'running', caps.accel === 'tcg' ? say('vm.tcgRunning') : null, { pid, accel: caps.accel, startedAt: nowIso(), lastSerialLines: [] });
      if (!this.options.watch) runtime.close();
      return info;
    } catch (e) {
      await afterExit(host, vm.spec, paths).catch(() => undefined);
      if (vm.spec.sharedFolders?.length) await stopVirtiofsd(host, paths).catch(() => undefined);
      this.setState(vm.id, 'stopped', e instanceof Error ? e.message : String(e), { pid: null });
      if (e instanceof QemuStartError) throw new HangarError('QEMU_FAILED', e.message, { log: e.qemuLog.slice(-4000) });
      throw e;
    }
  }

  async stop(ref: string, timeoutSec: number, wait: boolean): Promise<VmInfo> {
    return this.guarded(ref, 'stop', () => this.stopUnguarded(ref, timeoutSec, wait));
  }

  private async stopUnguarded(ref: string, timeoutSec: number, wait: boolean): Promise<VmInfo> {
    const vm = await this.refreshed(ref);
    assertAction('stop', vm.name, vm.state);
    const runtime = this.runtimeFor(vm, await this.paths(vm));
    const qmp = await runtime.ensureQmp();
    await this.hosts.get(vm.hostId).fs.writeFileAtomic(runtime.paths.intentFile, 'acpi\n');
    // the guest agent first (guest/guest-service.ts), ACPI when no agent answers
    const viaAgent = (await this.agentShutdown?.(vm).catch(() => false)) === true;
    runtime.shutdownViaAgent = viaAgent;
    this.setState(vm.id, 'stopping', say(viaAgent ? 'vm.agentAsked' : 'vm.acpiAsked'));
    if (!viaAgent) await qmp.command('system_powerdown');
    if (!wait) return this.resolve(vm.id);
    try {
      const record = await waitForExit(runtime.host, runtime.paths, runtime.pid, vm.id, timeoutSec * 1000);
      await this.finish(vm.id, await judgeExit(runtime.host, runtime.paths, record, viaAgent ? 'guest-agent' : 'guest-shutdown'));
    } catch (e) {
      const state = await runtime.queryStatus().catch(() => 'running' as VmState);
      this.setState(vm.id, state === 'stopping' ? 'running' : state, null);
      // only a guest still running at the deadline is "did not power off"; anything else (a LAN
      // host out of reach, say) is reported as itself
      if (!(e instanceof ExitWaitTimeout)) throw e;
      throw new HangarError(
        'TIMEOUT',
        `The guest "${vm.name}" did not power off within ${timeoutSec} s. It may not react to ${viaAgent ? 'its guest agent' : 'the ACPI power button'}: force it off (Force off, or "hangar vm kill ${vm.name}").`,
        { canForce: true },
      );
    } finally {
      if (!this.options.watch) runtime.close();
    }
    return this.resolve(vm.id);
  }

  async kill(ref: string): Promise<VmInfo> {
    return this.guarded(ref, 'kill', () => this.killUnguarded(ref));
  }

  private async killUnguarded(ref: string): Promise<VmInfo> {
    const vm = await this.refreshed(ref);
    assertAction('kill', vm.name, vm.state);
    const host = this.hosts.get(vm.hostId);
    const runtime = this.runtimeFor(vm, await this.paths(vm));
    await host.fs.writeFileAtomic(runtime.paths.intentFile, 'kill\n');
    const qmp = await runtime.ensureQmp().catch(() => null);
    if (qmp) await qmp.command('quit').catch(() => undefined);
    else if (runtime.pid) await host.kill(runtime.pid, 'SIGKILL');
    let record;
    try {
      record = await waitForExit(host, runtime.paths, runtime.pid, vm.id, 10000);
    } catch {
      if (runtime.pid) await host.kill(runtime.pid, 'SIGKILL');
      record = await waitForExit(host, runtime.paths, runtime.pid, vm.id, 10000).catch(() => null);
    }
    await this.finish(vm.id, await judgeExit(host, runtime.paths, record));
    return this.resolve(vm.id);
  }

  /**
   * Run a state change of one VM holding its lock (across processes, vm-lock.ts) and marked in
   * flight in this engine (see refresh). Other domains (snapshots, disks, moves) use it too.
   */
  async guarded<T>(ref: string, action: VmLockAction, fn: () => Promise<T>): Promise<T> {
    const vm = this.resolve(ref);
    const id = vm.id;
    if (this.inFlight.has(id)) throw new HangarError('INVALID_STATE', `Another change of "${vm.name}" (start, shutdown, settings, snapshot...) is in progress.`);
    const release = this.options.locks?.acquire(vm, action) ?? (() => undefined);
    try {
      await this.refresh(id);
      this.inFlight.add(id);
      try {
        return await fn();
      } finally {
        this.inFlight.delete(id);
      }
    } finally {
      release();
    }
  }

  async pause(ref: string): Promise<VmInfo> {
    return this.guarded(ref, 'pause', () => this.simpleQmp(ref, 'pause', 'stop', 'paused'));
  }

  async resume(ref: string): Promise<VmInfo> {
    return this.guarded(ref, 'resume', () => this.simpleQmp(ref, 'resume', 'cont', 'running'));
  }

  async reset(ref: string): Promise<VmInfo> {
    return this.guarded(ref, 'reset', () => this.resetUnguarded(ref));
  }

  private async resetUnguarded(ref: string): Promise<VmInfo> {
    const vm = await this.refreshed(ref);
    assertAction('reset', vm.name, vm.state);
    const runtime = this.runtimeFor(vm, await this.paths(vm));
    try {
      await (await runtime.ensureQmp()).command('system_reset');
    } finally {
      if (!this.options.watch) runtime.close();
    }
    this.events.emit('vm.state', { id: vm.id, state: vm.state, reason: say('vm.reset'), at: nowIso() });
    return this.resolve(vm.id);
  }

  /** QMP access for other domains (storage hot-plug, snapshots, stats). */
  async withQmp<T>(ref: string, fn: (qmp: NonNullable<VmRuntime['qmp']>, vm: VmInfo) => Promise<T>, opts: { recheck?: boolean } = {}): Promise<T> {
    // recheck: false (the 1 Hz stats sampler) skips the re-check when a watching engine already
    // holds this VM's QMP connection: its events and its close keep the state current.
    if (this.options.watch && opts.recheck === false) {
      const vm = this.resolve(ref);
      const held = this.runtimes.get(vm.id)?.qmp;
      if (held && !held.isClosed) {
        assertAction('console', vm.name, vm.state);
        return fn(held, vm);
      }
    }
    const vm = await this.refreshed(ref);
    assertAction('console', vm.name, vm.state);
    const runtime = this.runtimeFor(vm, await this.paths(vm));
    try {
      return await fn(await runtime.ensureQmp(), vm);
    } finally {
      if (!this.options.watch) runtime.close();
    }
  }

  private async simpleQmp(ref: string, action: 'pause' | 'resume', command: string, next: VmState): Promise<VmInfo> {
    const vm = await this.refreshed(ref);
    assertAction(action, vm.name, vm.state);
    const runtime = this.runtimeFor(vm, await this.paths(vm));
    try {
      await (await runtime.ensureQmp()).command(command);
    } finally {
      if (!this.options.watch) runtime.close();
    }
    return this.setState(vm.id, next, null);
  }

  private noticeAccel(caps: HostCapabilities): void {
    if (caps.accel === 'tcg' && !this.tcgNoticeSent) {
      this.tcgNoticeSent = true;
      this.events.emit('notice', { level: 'warning', key: 'tcg', ...sayText('kvm.unavailable', { reason: caps.kvmUnavailableReason ?? 'unknown reason' }) });
    }
  }

  /** Host ports already forwarded by other VMs (to refuse conflicts before start). */
  private usedForwards(exceptId?: string): Array<{ vm: string; protocol: string; hostAddress: string; hostPort: number }> {
    return this.repo
      .list()
      .filter((v) => v.id !== exceptId)
      .flatMap((v) => v.spec.nics.flatMap((n) => n.portForwards.map((f) => ({ vm: v.name, protocol: f.protocol, hostAddress: f.hostAddress, hostPort: f.hostPort }))));
  }

  // ---------------------------------------------------------------- argv, and live migration (hosts/vm-migrate.ts)

  /** The QEMU argv of this VM on a host with these capabilities (start and live migration). */
  argvFor(spec: VmSpec, paths: VmPaths, caps: HostCapabilities, virtiofs?: boolean): string[] {
    return buildQemuArgv(spec, paths, { accel: caps.accel, ovmf: caps.ovmf, secureBootFirmware: caps.secureBootFirmware ?? null, qemuVersion: caps.qemu?.version, virtiofs, ...(this.options.networks && { internalNetworks: this.options.networks.argvFacts(spec.nics) }) });
  }

  /**
   * Run a live migration with the VM marked in flight (no crash verdict meanwhile). `handOver`
   * is the switch: it drops the source runtime without judging its coming exit and points the row
   * at the destination, in the state the destination runs in; afterwards the VM is re-attached on
   * whatever host its row now names.
   */
  async migrating<T>(ref: string, fn: (vm: VmInfo, handOver: (to: MigrationSwitch) => void) => Promise<T>): Promise<T> {
    const id = this.resolve(ref).id;
    const target = this.resolve(id);
    if (vdagentBlocksMigration(target.spec) && (target.state === 'running' || target.state === 'paused')) throw new HangarError('UNSUPPORTED', vdagentBlockReason(target.name, 'a live move'));
    const vfs = await virtiofsBlockReason(this.hosts.get(target.hostId), target, await this.paths(target), 'a live move');
    if (vfs) throw new HangarError('UNSUPPORTED', vfs);
    try {
      return await this.guarded(id, 'migrate', () =>
        fn(this.resolve(id), (to) => {
          this.runtimes.get(id)?.close();
          this.runtimes.delete(id);
          const from = this.resolve(id);
          if (!this.repo.switchHost(id, from.hostId, to)) throw new HangarError('INVALID_STATE', `"${from.name}" changed during the migration: nothing was switched.`);
          if (from.state !== to.state) this.events.emit('vm.state', { id, state: to.state, reason: null, at: nowIso(), reasonText: recognize(null) });
        }),
      );
    } finally {
      await this.refresh(id).catch(() => undefined);
    }
  }
}
