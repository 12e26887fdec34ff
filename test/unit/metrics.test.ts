import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VmSample } from '../../src-main/api/contract';
import { parseBalloonStats, parseHostCpu, parseMeminfo, parseProcStatRssPages, parseProcStatTicks, parseStatusRss, sumBlockstats } from '../../src-main/metrics/proc';
import { RingBuffer } from '../../src-main/metrics/ring-buffer';
import { rowToVmSample, vmMinuteRow } from '../../src-main/metrics/rollups';
import { hostSample, readNet, vmSample, type VmReading } from '../../src-main/metrics/sampler';
import { LocalHost } from '../../src-main/hosts/local-host';
import { parseFdinfoIff, parseNetDev } from '../../src-main/metrics/proc';
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';

// A /proc/<pid>/stat line whose command name holds spaces and a ')' (it must not shift the fields).
const STAT = '4242 (qemu-system-x86 (x) ) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 566 0 0 20 0 3 0 100 1800000000 30000 18446744073709551615 1 1 0 0 0 0 0 4096 17475 0 0 0 17 1 0 0 0 0 0';

const sample = (t: number, over: Partial<VmSample> = {}): VmSample => ({ t, cpuPct: null, memRssBytes: null, memGuestTotalBytes: null, memGuestUsedBytes: null, diskReadBps: null, diskWriteBps: null, diskReadIops: null, diskWriteIops: null, diskReadBytes: null, diskWriteBytes: null, netRxBps: null, netTxBps: null, ...over });

describe('/proc and QMP parsing', () => {
  test('utime + stime and RSS pages from /proc/<pid>/stat, even with ")" in the name', () => {
    assert.equal(parseProcStatTicks(STAT), 1234 + 566);
    assert.equal(parseProcStatRssPages(STAT), 30000);
    assert.equal(parseProcStatTicks('garbage'), null);
  });

  test('VmRSS, host CPU and meminfo', () => {
    assert.equal(parseStatusRss('Name:\tqemu\nVmRSS:\t  120000 kB\n'), 120000 * 1024);
    assert.deepEqual(parseHostCpu('cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 1 2 3 4\n'), { busy: 161, total: 981 });
    assert.deepEqual(parseMeminfo('MemTotal:  1000 kB\nMemFree: 10 kB\nMemAvailable:  400 kB\n'), { total: 1024000, available: 409600 });
  });

  test('query-blockstats sums the devices; no balloon driver means null, not 0', () => {
    assert.deepEqual(sumBlockstats([{ stats: { rd_bytes: 10, wr_bytes: 20, rd_operations: 1, wr_operations: 2 } }, { stats: { rd_bytes: 5, wr_bytes: 0, rd_operations: 1, wr_operations: 0 } }]), { rdBytes: 15, wrBytes: 20, rdOps: 2, wrOps: 2 });
    const none = 18446744073709552000; // 2^64-1 as JSON.parse reads it
    assert.equal(parseBalloonStats({ stats: { 'stat-total-memory': none, 'stat-available-memory': none }, 'last-update': 0 }), null);
    assert.deepEqual(parseBalloonStats({ stats: { 'stat-total-memory': 1000, 'stat-available-memory': 300 }, 'last-update': 17 }), { total: 1000, used: 700 });
  });
});

describe('samples from two readings', () => {
  const r = (t: number, ticks: number, wr: number): VmReading => ({ t, ticks, rss: 1 << 20, block: { rdBytes: 0, wrBytes: wr, rdOps: 0, wrOps: wr / 4096 }, balloon: null, net: null });

  test('CPU % = Δticks / 100 / Δwall / vCPUs, like virt-manager and Proxmox', () => {
    // 150 ticks = 1.5 s of CPU in 2 s of wall time on 2 vCPUs → 37.5 %
    const s = vmSample(r(1000, 1000, 0), r(3000, 1150, 8192), 2);
    assert.equal(s.cpuPct, 37.5);
    assert.equal(s.diskWriteBps, 4096);
    assert.equal(s.diskWriteIops, 1);
    assert.equal(s.netRxBps, null, 'network is not measured for user-mode NAT');
  });

  test('the first reading and a counter reset (QEMU restarted) give null rates, never negative', () => {
    assert.equal(vmSample(null, r(1000, 10, 0), 1).cpuPct, null);
    const reset = vmSample(r(1000, 5000, 1 << 20), r(2000, 10, 0), 1);
    assert.equal(reset.cpuPct, null);
    assert.equal(reset.diskWriteBps, null);
  });

  test('host CPU % from /proc/stat deltas', () => {
    const a = { t: 0, cpu: { busy: 100, total: 1000 }, mem: { total: 10, available: 4 }, disk: { totalBytes: 100, freeBytes: 30 } };
    const b = { ...a, t: 1000, cpu: { busy: 150, total: 1200 } };
    assert.deepEqual(hostSample(a, b), { t: 1000, cpuPct: 25, memUsedBytes: 6, memTotalBytes: 10, diskUsedBytes: 70, diskTotalBytes: 100 });
  });
});

describe('ring buffer and rollups', () => {
  test('the ring keeps the last N in order', () => {
    const ring = new RingBuffer<{ t: number }>(3);
    for (let t = 1; t <= 5; t++) ring.push({ t });
    assert.deepEqual(ring.toArray().map((x) => x.t), [3, 4, 5]);
    assert.deepEqual(ring.toArray(4).map((x) => x.t), [4, 5]);
    assert.equal(ring.latest()?.t, 5);
  });

  test('a minute row averages gauges, integrates rates into bytes, and keeps null as null', () => {
    const samples = [1, 2, 3].map((i) => sample(60_000 + i * 1000, { cpuPct: i * 10, diskWriteBps: 1000 }));
    const row = vmMinuteRow('vm', 60, samples, 60_000);
    assert.equal(row.cpu_pct, 20);
    assert.equal(row.disk_write_bytes, 3000); // 3 × (1000 B/s × 1 s)
    assert.equal(row.net_rx_bytes, null);
    const back = rowToVmSample({ ...row, resolution: 60 });
    assert.equal(back.diskWriteBps, 50);
    assert.equal(back.netRxBps, null);
  });
});

// A real tap device in a private network namespace (root only): the same kernel interfaces a
// bridged QEMU NIC uses, without touching this host's network.
const TAP_SCRIPT = `
import fcntl, struct, os, subprocess, signal
fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', b'tap%d', 0x0002 | 0x1000))
subprocess.run(['ip', 'link', 'set', 'tap0', 'up'], check=True)
frame = b'\\xff' * 6 + b'\\x52\\x54\\x00\\x12\\x34\\x56' + b'\\x88\\xb5' + b'\\x00' * 46
for _ in range(10): os.write(fd, frame)
print('SENT', flush=True)
signal.pause()  # until the test kills it: no clock involved (time.sleep failed with EINVAL under the shifted clock's libfaketime)
`;
const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;

describe('network counters of bridged (tap) NICs', () => {
  test('fdinfo and /proc/<pid>/net/dev parsing', () => {
    assert.equal(parseFdinfoIff('pos:\t0\nflags:\t02100002\nmnt_id:\t24\niff:\ttap3\n'), 'tap3');
    assert.equal(parseFdinfoIff('pos:\t0\nflags:\t0100002\n'), null);
    const dev = parseNetDev('Inter-| Receive | Transmit\n face |bytes packets|bytes\n  tap0:     600      10    0    0    0     0          0         0      90       1    0    0    0     0       0          0\n');
    assert.deepEqual(dev.get('tap0'), { rxBytes: 600, txBytes: 90 });
  });

  test('a process holding a tap: found through fdinfo, its traffic read from its own namespace', { skip: canUnshare ? false : 'needs root for unshare -n (a private network namespace)' }, async () => {
    // without the shifted clock's LD_PRELOAD: the helper only holds a tap, its clock does not matter
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME')));
    const child = spawn('unshare', ['-n', 'python3', '-c', TAP_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'], env });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => b.toString().includes('SENT') && resolve());
        child.once('exit', (code) => reject(new Error(`tap helper exited with ${code}`)));
      });
      const host = new LocalHost(os.tmpdir());
      const net = await readNet(host, child.pid!, ['bridge']);
      // the ten 60-byte frames written into the tap are what "the guest" sent
      assert.ok(net !== null);
      assert.equal(net.tx, 600);
      assert.ok(net.rx >= 0);
      assert.equal(await readNet(host, child.pid!, ['user']), null, 'NAT: not measured');
      assert.equal(await readNet(host, child.pid!, ['bridge', 'bridge']), null, 'a NIC without a tap: not measured rather than partial');
      assert.deepEqual(await readNet(host, child.pid!, []), { rx: 0, tx: 0 }, 'no NIC: truly no traffic');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
