import type { HostSample, VmSample } from '../api/contract';
import type { Host } from '../hosts/host';
import { parseBalloonStats, parseFdinfoIff, parseHostCpu, parseMeminfo, parseNetDev, parseProcStatRssPages, parseProcStatTicks, sumBlockstats, type BlockTotals } from './proc';

/**
 * One measurement of a VM: raw counters read now. A sample (rates, %) is the difference of two
 * readings, the way virt-manager and Proxmox compute CPU %: Δ(utime+stime) ÷ Δwall ÷ vCPUs.
 */
export interface QmpLike {
  command<T = unknown>(name: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
}

export interface VmReading {
  t: number;
  /** utime + stime of the QEMU process, in clock ticks. */
  ticks: number | null;
  rss: number | null;
  block: BlockTotals | null;
  balloon: { total: number; used: number } | null;
  /** Bytes the guest received and sent, when every NIC has a counter source; else null. */
  net: { rx: number; tx: number } | null;
}

/** Linux reports /proc times in USER_HZ, which is 100 on every architecture Hangar runs on. */
export const CLK_TCK = 100;
const BALLOON_PATH = '/machine/peripheral/balloon0';

/** Page size per host, for RSS in pages (asked once: `getconf PAGESIZE`; 4 KiB when that fails). */
const pageSizes = new WeakMap<Host, Promise<number>>();
function pageSize(host: Host): Promise<number> {
  let p = pageSizes.get(host);
  if (!p) {
    p = host.exec('getconf', ['PAGESIZE'], { timeoutMs: 5000 }).then(
      (r) => (r.code === 0 && /^\d+$/.test(r.stdout.trim()) ? Number(r.stdout.trim()) : 4096),
      () => 4096,
    );
    pageSizes.set(host, p);
  }
  return p;
}

/** NIC modes of the VM ('user' NAT, 'internal' socket, 'bridge' tap): they decide where traffic can be counted. */
export async function readVm(host: Host, pid: number, qmp: QmpLike | null, nicModes: readonly string[] = []): Promise<VmReading> {
  // one /proc read per VM per sample: /proc/<pid>/stat holds both the CPU times and the RSS
  const [stat, pages, block, balloon, net] = await Promise.all([
    host.fs.readFile(`/proc/${pid}/stat`).then((b) => b.toString('utf8')).catch(() => null),
    pageSize(host),
    qmp ? qmp.command('query-blockstats', undefined, 3000).then(sumBlockstats, () => null) : Promise.resolve(null),
    qmp ? readBalloon(qmp) : Promise.resolve(null),
    readNet(host, pid, nicModes),
  ]);
  const rssPages = stat === null ? null : parseProcStatRssPages(stat);
  return { t: Date.now(), ticks: stat === null ? null : parseProcStatTicks(stat), rss: rssPages === null ? null : rssPages * pages, block, balloon, net };
}

/** Tap interfaces a process holds open, per host and pid (a QEMU's taps are made at its start). */
const tapCache = new WeakMap<Host, Map<number, Promise<string[]>>>();

export function tapsOfProcess(host: Host, pid: number): Promise<string[]> {
  let byPid = tapCache.get(host);
  if (!byPid) tapCache.set(host, (byPid = new Map()));
  let taps = byPid.get(pid);
  if (!taps) {
    taps = (async () => {
      const fds = await host.fs.readdir(`/proc/${pid}/fdinfo`).catch(() => [] as string[]);
      const names = await Promise.all(fds.map((fd) => host.fs.readFile(`/proc/${pid}/fdinfo/${fd}`).then((b) => parseFdinfoIff(b.toString('utf8')), () => null)));
      return names.filter((n): n is string => n !== null);
    })();
    if (byPid.size > 4096) byPid.clear();
    byPid.set(pid, taps);
  }
  return taps;
}

/**
 * Guest traffic from the host side of its tap devices (bridged NICs): /proc/<pid>/net/dev, in
 * QEMU's own network namespace. A tap's receive counter is what the guest sent. Only a VM whose
 * every NIC is a tap is measured: user-mode NAT and socket networks have no byte counters in
 * QEMU 7.2, and a partial sum would under-bill. A VM without NICs has, truly, no traffic.
 */
export async function readNet(host: Host, pid: number, nicModes: readonly string[]): Promise<VmReading['net']> {
  if (nicModes.length === 0) return { rx: 0, tx: 0 };
  if (nicModes.some((m) => m !== 'bridge')) return null;
  const taps = await tapsOfProcess(host, pid);
  if (taps.length !== nicModes.length) return null;
  const dev = await host.fs.readFile(`/proc/${pid}/net/dev`).then((b) => parseNetDev(b.toString('utf8')), () => null);
  if (!dev) return null;
  let rx = 0;
  let tx = 0;
  for (const tap of taps) {
    const c = dev.get(tap);
    if (!c) return null;
    rx += c.txBytes;
    tx += c.rxBytes;
  }
  return { rx, tx };
}

/** Per QMP connection: when the balloon was last asked, and whether the VM has a balloon at all. */
const balloonState = new WeakMap<object, { lastAsk: number; last: VmReading['balloon']; absent: boolean }>();
/** The balloon refreshes guest stats every 2 s; asking more often returns the same numbers. */
const BALLOON_EVERY_MS = 2000;

async function readBalloon(qmp: QmpLike): Promise<VmReading['balloon']> {
  let st = balloonState.get(qmp);
  if (!st) {
    st = { lastAsk: 0, last: null, absent: false };
    balloonState.set(qmp, st);
    try {
      await qmp.command('qom-set', { path: BALLOON_PATH, property: 'guest-stats-polling-interval', value: 2 }, 3000);
    } catch {
      st.absent = true; // no balloon device on this VM: never ask again on this connection
    }
  }
  if (st.absent || Date.now() - st.lastAsk < BALLOON_EVERY_MS) return st.last;
  st.lastAsk = Date.now();
  try {
    st.last = parseBalloonStats(await qmp.command('qom-get', { path: BALLOON_PATH, property: 'guest-stats' }, 3000));
  } catch {
    st.last = null;
  }
  return st.last;
}

const rate = (a: number | undefined, b: number | undefined, dtSec: number) => (a === undefined || b === undefined || dtSec <= 0 || b < a ? null : (b - a) / dtSec);

export function vmSample(prev: VmReading | null, cur: VmReading, vcpus: number): VmSample {
  const dtSec = prev ? (cur.t - prev.t) / 1000 : 0;
  let cpuPct: number | null = null;
  if (prev && prev.ticks !== null && cur.ticks !== null && dtSec > 0 && cur.ticks >= prev.ticks) {
    cpuPct = Math.min(100, ((cur.ticks - prev.ticks) / CLK_TCK / dtSec / Math.max(1, vcpus)) * 100);
  }
  const pb = prev?.block ?? undefined;
  const cb = cur.block ?? undefined;
  return {
    t: cur.t,
    cpuPct,
    memRssBytes: cur.rss,
    memGuestTotalBytes: cur.balloon?.total ?? null,
    memGuestUsedBytes: cur.balloon?.used ?? null,
    diskReadBps: rate(pb?.rdBytes, cb?.rdBytes, dtSec),
    diskWriteBps: rate(pb?.wrBytes, cb?.wrBytes, dtSec),
    diskReadIops: rate(pb?.rdOps, cb?.rdOps, dtSec),
    diskWriteIops: rate(pb?.wrOps, cb?.wrOps, dtSec),
    diskReadBytes: cb?.rdBytes ?? null,
    diskWriteBytes: cb?.wrBytes ?? null,
    // null unless every NIC is a tap (see readNet): not measured, never 0
    netRxBps: rate(prev?.net?.rx, cur.net?.rx, dtSec),
    netTxBps: rate(prev?.net?.tx, cur.net?.tx, dtSec),
  };
}

export interface HostReading {
  t: number;
  cpu: { busy: number; total: number } | null;
  mem: { total: number; available: number } | null;
  disk: { totalBytes: number; freeBytes: number } | null;
}

export async function readHost(host: Host, dataDir: string): Promise<HostReading> {
  const [stat, meminfo, disk] = await Promise.all([
    host.fs.readFile('/proc/stat').then((b) => parseHostCpu(b.toString('utf8')), () => null),
    host.fs.readFile('/proc/meminfo').then((b) => parseMeminfo(b.toString('utf8')), () => null),
    host.fs.statfs(dataDir).catch(() => null),
  ]);
  return { t: Date.now(), cpu: stat, mem: meminfo, disk };
}

export function hostSample(prev: HostReading | null, cur: HostReading): HostSample {
  let cpuPct: number | null = null;
  if (prev?.cpu && cur.cpu && cur.cpu.total > prev.cpu.total) cpuPct = ((cur.cpu.busy - prev.cpu.busy) / (cur.cpu.total - prev.cpu.total)) * 100;
  return {
    t: cur.t,
    cpuPct,
    memUsedBytes: cur.mem ? cur.mem.total - cur.mem.available : null,
    memTotalBytes: cur.mem?.total ?? null,
    diskUsedBytes: cur.disk ? cur.disk.totalBytes - cur.disk.freeBytes : null,
    diskTotalBytes: cur.disk?.totalBytes ?? null,
  };
}
