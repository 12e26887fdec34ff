import type { AutostartEntry, ParsedInput } from '../api/contract';
import { AutostartRepository } from './autostart-repo';
import type { Clock } from './clock';
import type { AutostartPorts } from './ports';

/**
 * Autostart: VMs whose spec says `autostart: true` start when a long-lived engine (serve,
 * desktop) opens, lowest order first, each after its delay. A CLI's in-process engine never
 * autostarts (it lives for one command). The order and delay live in vm_autostart.
 */
export class Autostart {
  private cancelled = false;
  private timer: unknown = null;
  private readonly repo: AutostartRepository;

  constructor(
    private readonly engine: AutostartPorts,
    private readonly clock: Clock,
  ) {
    this.repo = new AutostartRepository(engine.db);
  }

  list(): AutostartEntry[] {
    const rows = this.repo.all();
    return this.engine.vms
      .list()
      .filter((vm) => vm.spec.autostart)
      .map((vm) => ({ vmId: vm.id, vmName: vm.name, enabled: true, order: rows.get(vm.id)?.order ?? 0, delaySec: rows.get(vm.id)?.delaySec ?? 0 }))
      .sort((a, b) => a.order - b.order || a.vmName.localeCompare(b.vmName));
  }

  async set(input: ParsedInput<'autostart.set'>): Promise<AutostartEntry> {
    const vm = this.engine.vms.resolve(input.vm);
    const old = this.repo.get(vm.id);
    const order = input.order ?? old?.order ?? 0;
    const delaySec = input.delaySec ?? old?.delaySec ?? 0;
    this.repo.set(vm.id, order, delaySec);
    if (vm.spec.autostart !== input.enabled) await this.engine.vms.saveSpec(vm, { ...vm.spec, autostart: input.enabled });
    return { vmId: vm.id, vmName: vm.name, enabled: input.enabled, order, delaySec };
  }

  /** Start the autostart VMs in order (in the background; the engine is usable meanwhile). */
  async runAtStartup(): Promise<void> {
    for (const entry of this.list()) {
      if (entry.delaySec > 0) await this.sleep(entry.delaySec * 1000);
      if (this.cancelled) return;
      try {
        const vm = await this.engine.call('vm.get', { vm: entry.vmId });
        if (vm.state === 'stopped' || vm.state === 'crashed') await this.engine.call('vm.start', { vm: entry.vmId });
      } catch (e) {
        if (this.cancelled) return;
        this.engine.events.emit('notice', { level: 'error', message: `Autostart of "${entry.vmName}" failed: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
  }

  cancel(): void {
    this.cancelled = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timer = this.clock.setTimer(() => {
        this.timer = null;
        resolve();
      }, ms);
    });
  }
}
