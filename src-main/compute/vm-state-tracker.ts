import type { VmInfo, VmState } from '../api/contract';
import { notFound } from '../api/errors';
import type { VmRepository } from '../db/repositories/vms';
import { nowIso } from '../db/repositories/vms';
import type { EventBus } from '../engine/event-bus';
import type { HostRegistry } from '../hosts/registry';
import type { VmPaths } from '../qemu/paths';
import { afterExit } from '../tpm/tpm-service';
import { stopVirtiofsd } from '../guest/virtiofs';
import { recognize } from '../api/messages';
import { canTransition, isActive } from './state-machine';
import { VmRuntime, observe, type ExitVerdict } from './vm-runtime';
import type { VmServiceOptions } from './vm-service';

/**
 * Each VM's real state, kept in line with its row: the runtime (QEMU's pid and QMP connection)
 * per VM, the re-check of what the database believes against what runs (refresh, reconcileAll),
 * the verdict on an exit, and every state change (`setState`: database row + event row + pushed
 * event). VmService (vm-service.ts) builds the lifecycle on it; the methods here moved unchanged
 * from there.
 */
export abstract class VmStateTracker {
  protected readonly runtimes = new Map<string, VmRuntime>();
  protected closed = false;
  /** VMs with a start, stop or kill under way in this engine. */
  protected readonly inFlight = new Set<string>();

  constructor(
    protected readonly repo: VmRepository,
    protected readonly hosts: HostRegistry,
    protected readonly events: EventBus,
    protected readonly options: VmServiceOptions,
  ) {}

  abstract resolve(ref: string): VmInfo;
  abstract paths(vm: VmInfo): Promise<VmPaths>;

  // ---------------------------------------------------------------- re-attach

  /**
   * Bring every VM the database believes active in line with reality: re-attach to live QEMUs
   * (following their events when watching), and mark dead ones stopped or crashed.
   */
  async reconcileAll(): Promise<void> {
    await Promise.all(this.repo.list().filter((vm) => isActive(vm.state)).map((vm) => this.refresh(vm.id).catch(() => undefined)));
  }

  /** Re-check one VM's real state (cheap when it is stopped). */
  async refresh(id: string): Promise<void> {
    // A start/stop/kill in progress owns the state; judging now would see a half-started QEMU.
    // The same holds when another Hangar process (a CLI, serve, the desktop app) holds its lock.
    if (this.inFlight.has(id) || this.options.locks?.heldElsewhere(id)) return;
    // A watching engine with a live QMP connection already learns every change from events.
    const live = this.runtimes.get(id)?.qmp;
    if (this.options.watch && live && !live.isClosed) return;
    const vm = this.repo.get(id);
    if (!vm || !isActive(vm.state)) return;
    const host = this.hosts.get(vm.hostId);
    const paths = await this.paths(vm);
    const seen = await observe(host, paths, vm);
    if (!seen.alive) {
      await this.finish(vm.id, seen.verdict);
      return;
    }
    const runtime = this.runtimeFor(vm, paths);
    runtime.pid = seen.pid;
    if (this.options.watch || vm.state === 'starting' || vm.state === 'stopping') {
      try {
        const state = await runtime.queryStatus();
        if (state !== vm.state && state !== 'starting') this.setState(vm.id, state === 'stopping' ? 'stopping' : state, vm.stateReason, { pid: seen.pid });
      } catch {
        // QMP busy (another engine holds it): trust the pid
      } finally {
        if (!this.options.watch) runtime.close();
      }
    }
  }

  /** Resolve a VM after re-checking its real state. */
  async resolveFresh(ref: string): Promise<VmInfo> {
    return this.refreshed(ref);
  }

  protected async refreshed(ref: string): Promise<VmInfo> {
    const vm = this.resolve(ref);
    await this.refresh(vm.id);
    return this.resolve(vm.id);
  }

  protected runtimeFor(vm: VmInfo, paths: VmPaths): VmRuntime {
    let runtime = this.runtimes.get(vm.id);
    if (!runtime) {
      runtime = new VmRuntime(vm.id, this.hosts.get(vm.hostId), paths, vm.pid, this.callbacksFor(vm.id));
      this.runtimes.set(vm.id, runtime);
    }
    return runtime;
  }

  protected callbacksFor(id: string) {
    return {
      onState: (state: VmState, reason: string | null) => {
        if (this.closed) return;
        const vm = this.repo.get(id);
        if (vm && vm.state !== state && canTransition(vm.state, state)) this.setState(id, state, reason);
      },
      onExit: (verdict: ExitVerdict) => void this.finish(id, verdict).catch(() => undefined), // its row may be gone meanwhile
    };
  }

  protected async finish(id: string, verdict: ExitVerdict): Promise<void> {
    if (this.closed) return; // the engine is closing: the next one will judge this exit
    const vm = this.repo.get(id);
    this.runtimes.get(id)?.close();
    this.runtimes.delete(id);
    if (!vm || !isActive(vm.state)) return;
    // called unawaited (onExit): a host that went away meanwhile must not make this reject
    const paths = await this.paths(vm).catch(() => null);
    if (paths) {
      await afterExit(this.hosts.get(vm.hostId), vm.spec, paths).catch(() => undefined); // no swtpm left behind
      if (vm.spec.sharedFolders?.length) await stopVirtiofsd(this.hosts.get(vm.hostId), paths).catch(() => undefined); // nor virtiofsd
    }
    const still = this.closed ? null : this.repo.get(id); // the engine may have closed, or another path finished it, meanwhile
    if (!still || !isActive(still.state)) return;
    this.setState(id, verdict.state, verdict.reason, { pid: null, lastSerialLines: verdict.lastSerialLines }, verdict.at.toISOString());
  }

  protected setState(id: string, state: VmState, reason: string | null, extra: Partial<Omit<Parameters<VmRepository['setRuntime']>[1], 'state' | 'stateReason'>> = {}, at?: string): VmInfo {
    const info = this.repo.setRuntime(id, { state, stateReason: reason, ...extra }, at);
    if (!info) throw notFound('VM', id);
    this.events.emit('vm.state', { id, state, reason, at: at ?? nowIso(), reasonText: recognize(reason) });
    return info;
  }

  /** Detach from every VM (they keep running). */
  closeAll(): void {
    this.closed = true;
    for (const r of this.runtimes.values()) r.close();
    this.runtimes.clear();
  }
}
