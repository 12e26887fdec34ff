import type { HostHistory, HostSample, MetricRange, VmHistory, VmInfo, VmSample } from '../api/contract';
import { HangarError } from '../api/errors';
import type { VmService } from '../compute/vm-service';
import type { Db } from '../db/database';
import type { EventBus } from '../engine/event-bus';
import type { HostRegistry } from '../hosts/registry';
import { RingBuffer } from './ring-buffer';
import { RollupStore, hostMinuteRow, rowToHostSample, rowToVmSample, vmMinuteRow } from './rollups';
import { hostSample, readHost, readVm, vmSample, type HostReading, type VmReading } from './sampler';

/** 10 minutes at 1 s. */
const RING_SIZE = 600;
const BACKGROUND_EVERY_TICKS = 10;
export const WATCH_LEASE_SEC = 60;

const NOT_MEASURED = {
  net: 'Network: only bridged (tap) NICs have byte counters; user-mode NAT and internal networks have none in QEMU 7.2.',
  memGuest: 'Guest memory: the guest has no virtio-balloon driver reporting its statistics.',
};

const RANGE_SEC: Record<MetricRange, number> = { '10m': 600, '1h': 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 };

/**
 * Samplers, ring buffers and rollups. A long-lived engine ticks every second: VMs that a client
 * watches (the Performance tab on screen) are sampled every tick, every other running VM and the
 * host every 10th tick. QMP goes through VmService.withQmp, which reuses the engine's connection.
 */
export class MetricsService {
  private readonly vmRings = new Map<string, RingBuffer<VmSample>>();
  private readonly hostRings = new Map<string, RingBuffer<HostSample>>();
  private readonly vmPrev = new Map<string, VmReading>();
  private readonly hostPrev = new Map<string, HostReading>();
  /** subject ("vm:<id>" or "host:<id>") → client id → lease expiry (ms). */
  private readonly watches = new Map<string, Map<string, number>>();
  private readonly rollups: RollupStore;
  private timer: NodeJS.Timeout | null = null;
  private tickCount = 0;
  private ticking = false;
  private lastMinute = Math.floor(Date.now() / 60000);

  constructor(
    db: Db,
    private readonly vms: VmService,
    private readonly hosts: HostRegistry,
    private readonly events: EventBus,
  ) {
    this.rollups = new RollupStore(db);
  }

  /** Start the 1 s tick (long-lived engines only). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flushMinute(Math.floor(Date.now() / 60000) + 1);
  }

  // ------------------------------------------------------------ watching

  watch(subject: string, clientId: string): void {
    let clients = this.watches.get(subject);
    if (!clients) this.watches.set(subject, (clients = new Map()));
    clients.set(clientId, Date.now() + WATCH_LEASE_SEC * 1000);
  }

  unwatch(subject: string, clientId: string): void {
    this.watches.get(subject)?.delete(clientId);
  }

  clientGone(clientId: string): void {
    for (const clients of this.watches.values()) clients.delete(clientId);
  }

  private watched(subject: string, now: number): boolean {
    const clients = this.watches.get(subject);
    if (!clients) return false;
    for (const [id, expiry] of clients) if (expiry < now) clients.delete(id);
    return clients.size > 0;
  }

  // ------------------------------------------------------------ sampling

  async tick(now = Date.now()): Promise<void> {
    if (this.ticking) return; // a slow host: skip a tick rather than pile up
    this.ticking = true;
    try {
      const background = this.tickCount++ % BACKGROUND_EVERY_TICKS === 0;
      const minuteNow = Math.floor(Date.now() / 60000);
      // between background ticks, only watched subjects are sampled: skip the inventory read when none is
      if (!background && minuteNow === this.lastMinute && ![...this.watches.keys()].some((k) => this.watched(k, now))) return;
      const running = this.vms.list().filter((v) => v.state === 'running' || v.state === 'paused');
      const due = running.filter((v) => background || this.watched(`vm:${v.id}`, now));
      await Promise.all(due.map((v) => this.sampleVm(v).catch(() => undefined)));
      for (const hostId of new Set(['local', ...running.map((v) => v.hostId)])) {
        if (background || this.watched(`host:${hostId}`, now)) await this.sampleHost(hostId).catch(() => undefined);
      }
      const minute = Math.floor(Date.now() / 60000);
      if (minute > this.lastMinute) this.flushMinute(minute);
    } finally {
      this.ticking = false;
    }
  }

  /** Measure a VM now (two readings are needed for rates: the first one only primes). */
  async sampleVm(vm: VmInfo): Promise<VmSample> {
    const reading = await this.vms.withQmp(vm.id, async (qmp, fresh) => {
      if (!fresh.pid) throw new HangarError('INVALID_STATE', `VM "${fresh.name}" has no QEMU process.`);
      return readVm(this.hosts.get(fresh.hostId), fresh.pid, qmp, fresh.spec.nics.map((n) => n.mode ?? 'user'));
    }, { recheck: false });
    const prev = this.vmPrev.get(vm.id) ?? null;
    this.vmPrev.set(vm.id, reading);
    const sample = vmSample(prev && reading.t - prev.t < 60000 ? prev : null, reading, vm.spec.cpus);
    if (prev) {
      ringFor(this.vmRings, vm.id).push(sample);
      this.events.emit('metrics.sample', { vmId: vm.id, hostId: vm.hostId, sample });
    }
    return sample;
  }

  async sampleHost(hostId: string): Promise<HostSample> {
    const host = this.hosts.get(hostId);
    const reading = await readHost(host, await host.hangarHome());
    const prev = this.hostPrev.get(hostId) ?? null;
    this.hostPrev.set(hostId, reading);
    const sample = hostSample(prev, reading);
    if (prev) {
      ringFor(this.hostRings, hostId).push(sample);
      this.events.emit('metrics.sample', { vmId: null, hostId, sample });
    }
    return sample;
  }

  /** The latest sample if fresh (under 15 s), else two readings one second apart. */
  async current(vm: VmInfo): Promise<VmSample> {
    const latest = this.vmRings.get(vm.id)?.latest();
    if (latest && Date.now() - latest.t < 15000) return latest;
    if (vm.state !== 'running' && vm.state !== 'paused') throw new HangarError('INVALID_STATE', `VM "${vm.name}" is ${vm.state}: live statistics exist only while it runs.`);
    if (!this.vmPrev.has(vm.id) || Date.now() - this.vmPrev.get(vm.id)!.t > 60000) {
      this.vmPrev.delete(vm.id);
      await this.sampleVm(vm);
      await new Promise((r) => setTimeout(r, 1000));
    }
    return this.sampleVm(vm);
  }

  async hostCurrent(hostId: string): Promise<HostSample> {
    const latest = this.hostRings.get(hostId)?.latest();
    if (latest && Date.now() - latest.t < 15000) return latest;
    if (!this.hostPrev.has(hostId)) {
      await this.sampleHost(hostId);
      await new Promise((r) => setTimeout(r, 1000));
    }
    return this.sampleHost(hostId);
  }

  // ------------------------------------------------------------ history and rollups

  history(vm: VmInfo, range: MetricRange): VmHistory {
    const since = Date.now() - RANGE_SEC[range] * 1000;
    let points: VmSample[];
    let resolutionSec: number;
    if (range === '10m') {
      points = this.vmRings.get(vm.id)?.toArray(since) ?? [];
      resolutionSec = this.watched(`vm:${vm.id}`, Date.now()) ? 1 : BACKGROUND_EVERY_TICKS;
    } else {
      resolutionSec = range === '1h' || range === '24h' ? 60 : 3600;
      points = this.rollups.query(vm.id, resolutionSec as 60 | 3600, Math.floor(since / 1000)).map(rowToVmSample);
    }
    const notMeasured: Record<string, string> = {};
    if (!points.some((p) => p.netRxBps !== null)) notMeasured.net = NOT_MEASURED.net;
    if (!points.some((p) => p.memGuestUsedBytes !== null)) notMeasured.memGuest = NOT_MEASURED.memGuest;
    return { vmId: vm.id, range, resolutionSec, points, notMeasured };
  }

  hostHistory(hostId: string, range: MetricRange): HostHistory {
    const since = Date.now() - RANGE_SEC[range] * 1000;
    if (range === '10m') return { hostId, range, resolutionSec: this.watched(`host:${hostId}`, Date.now()) ? 1 : BACKGROUND_EVERY_TICKS, points: this.hostRings.get(hostId)?.toArray(since) ?? [] };
    const resolutionSec = range === '1h' || range === '24h' ? 60 : 3600;
    return { hostId, range, resolutionSec, points: this.rollups.query(`host:${hostId}`, resolutionSec as 60 | 3600, Math.floor(since / 1000)).map(rowToHostSample) };
  }

  /** Write 1-minute rows for every whole minute before `minute` not yet written; roll hours; prune. */
  private flushMinute(minute: number): void {
    const from = this.lastMinute * 60000;
    const to = minute * 60000;
    const rows = [];
    for (const [id, ring] of this.vmRings) {
      const all = ring.toArray();
      for (let m = from; m < to; m += 60000) {
        const inside = all.filter((s) => s.t >= m && s.t < m + 60000);
        if (!inside.length) continue;
        const before = all.filter((s) => s.t < m).pop();
        rows.push(vmMinuteRow(id, m / 1000, inside, before?.t ?? null));
      }
    }
    for (const [id, ring] of this.hostRings) {
      const all = ring.toArray();
      for (let m = from; m < to; m += 60000) {
        const inside = all.filter((s) => s.t >= m && s.t < m + 60000);
        if (inside.length) rows.push(hostMinuteRow(`host:${id}`, m / 1000, inside));
      }
    }
    this.rollups.write(rows);
    const fromHour = Math.floor(from / 3600000);
    const toHour = Math.floor(to / 3600000);
    for (let h = fromHour; h < toHour; h++) this.rollups.rollHour(h * 3600);
    if (toHour > fromHour) this.rollups.prune(Math.floor(Date.now() / 1000));
    this.lastMinute = minute;
    // forget deleted VMs (their rollups stay in SQLite until pruned)
    const ids = new Set(this.vms.list().map((v) => v.id));
    for (const id of [...this.vmRings.keys()]) {
      if (!ids.has(id)) {
        this.vmRings.delete(id);
        this.vmPrev.delete(id);
      }
    }
  }
}

function ringFor<T extends { t: number }>(map: Map<string, RingBuffer<T>>, key: string): RingBuffer<T> {
  let ring = map.get(key);
  if (!ring) map.set(key, (ring = new RingBuffer<T>(RING_SIZE)));
  return ring;
}
