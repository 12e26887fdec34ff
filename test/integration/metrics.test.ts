import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { EventMessage, VmInfo, VmSample } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { tempHome, waitFor } from '../helpers/env';

// Live statistics of a real guest under real QEMU (TCG here): CPU from /proc/<pid>/stat,
// disk bytes from query-blockstats, through a long-lived (watching) engine. One guest for the file.

const { home, cleanup } = tempHome('hangar-metrics-');
const g = guestFiles();
let engine: Engine;
const ctx = { clientId: 'metrics-test', origin: 'internal' as const };

async function serial(vm: string): Promise<string> {
  return (await engine.call('vm.serialTail', { vm, maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()!;
}

/** Type a line into the guest's serial console and wait for `marker` in its output. */
async function run(vm: string, line: string, marker: string, timeoutMs = 60000): Promise<void> {
  const ch = await engine.call('channel.open', { kind: 'serial', vm }, ctx);
  await engine.call('channel.write', { channelId: ch.channelId, data: Buffer.from(line + '\n').toString('base64') }, ctx);
  await waitFor(`"${marker}" on the console`, async () => (await serial(vm)).includes(marker), timeoutMs, 100);
  await engine.call('channel.close', { channelId: ch.channelId }, ctx);
}

/** The next `n` 1 Hz samples of a watched VM. */
async function nextSamples(vmId: string, n: number): Promise<VmSample[]> {
  const got: VmSample[] = [];
  const off = engine.events.subscribe((m: EventMessage) => {
    if (m.topic === 'metrics.sample' && m.data.vmId === vmId) got.push(m.data.sample as VmSample);
  });
  try {
    await waitFor(`${n} samples`, () => got.length >= n, n * 3000 + 10000, 100);
  } finally {
    off();
  }
  return got;
}

/** utime+stime of a process, and busy/total ticks of the whole host, read straight from /proc. */
const procTicks = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(v[11]) + Number(v[12]);
};
const hostTicks = () => {
  const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3]! - v[4]!, total };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let vm: VmInfo;

before(async () => {
  engine = await Engine.open({ home, watch: true });
  vm = await engine.call('vm.create', {
    name: 'perf',
    cpus: 1,
    memoryMiB: 128,
    display: 'none',
    // the default NIC: user-mode NAT, whose traffic QEMU cannot count ("not measured")
    diskSizeBytes: 16 * 1024 * 1024, // appears as /dev/vda in the guest
    kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND },
  });
  await engine.call('vm.start', { vm: 'perf' });
  await waitFor('the guest prompt', async () => (await serial('perf')).split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 90000, 100);
});

after(async () => {
  if (engine && !engine.isClosed) {
    await engine.call('vm.kill', { vm: 'perf' }).catch(() => undefined);
    await engine.close();
  }
  cleanup();
});

describe('live statistics of a real guest', () => {
  test('idle guest: low CPU; a CPU loop in the guest: near 100 % of its one vCPU', async (t) => {
    await engine.call('metrics.watch', { vm: 'perf' }, ctx);
    // Let the boot's tail settle. Under TCG an idle guest's QEMU still does some work (emulated
    // timer interrupts); we measured 0-1 % here when idle and 98-100 % with the loop on a quiet
    // host. The host's 2 cores are shared with other builds and tests, which can add to the idle
    // figure and take CPU from the loop (we saw 47 % while others kept 1.5 cores busy), so:
    // idle < 30 %; busy > 60 % of the CPU other processes left free (> 60 % outright when ~a
    // whole core was free), and busy clearly above idle.
    await new Promise((r) => setTimeout(r, 3000));
    const idle = (await nextSamples(vm.id, 5)).map((s) => s.cpuPct!).filter((x) => x !== null);
    assert.ok(idle.length >= 4, 'CPU % measured in watch mode');
    assert.ok(median(idle) < 30, `idle CPU median ${median(idle).toFixed(1)} % (samples ${idle.map((x) => x.toFixed(1)).join(', ')})`);

    await run('perf', 'while :; do :; done & echo LOOP-$((40+2))', 'LOOP-42');
    await new Promise((r) => setTimeout(r, 2000));
    const pid = (await engine.call('vm.get', { vm: 'perf' })).pid!;
    const before = { host: hostTicks(), qemu: procTicks(pid) };
    const busy = (await nextSamples(vm.id, 5)).map((s) => s.cpuPct!).filter((x) => x !== null);
    // The loop can only have the CPU the other processes on this shared host leave free: measure
    // that independently from /proc/stat (everything but this QEMU) over the same seconds.
    const after = { host: hostTicks(), qemu: procTicks(pid) };
    const othersPct = ((after.host.busy - before.host.busy - (after.qemu - before.qemu)) / (after.host.total - before.host.total)) * os.cpus().length * 100;
    const room = Math.max(0, Math.min(100, os.cpus().length * 100 - othersPct));
    t.diagnostic(`CPU % idle ${idle.map((x) => x.toFixed(1)).join(' ')} | busy ${busy.map((x) => x.toFixed(1)).join(' ')} | room left by other processes ${room.toFixed(0)} %`);
    assert.ok(median(busy) > 0.6 * room, `busy CPU median ${median(busy).toFixed(1)} % with ${room.toFixed(0)} % of a core free (samples ${busy.map((x) => x.toFixed(1)).join(', ')})`);
    if (room > 95) assert.ok(median(busy) > 60, 'on a quiet host the loop shows near 100 %');
    assert.ok(median(busy) > median(idle) + 20, 'the loop is clearly visible');
    await run('perf', 'kill %1; echo STOPPED-$((40+3))', 'STOPPED-43');
  });

  test('memory is the QEMU process RSS; guest memory and network are null ("not measured"), never 0', async () => {
    const s = await engine.call('metrics.current', { vm: 'perf' });
    assert.ok(s.memRssBytes !== null && s.memRssBytes > 32 * 1024 * 1024, `RSS ${s.memRssBytes}`);
    assert.equal(s.memGuestUsedBytes, null, 'the test guest has no balloon driver');
    assert.equal(s.netRxBps, null);
    assert.equal(s.netTxBps, null);
  });

  test('disk write bytes rise by the 4 MiB that dd writes to the attached disk', async () => {
    const before = (await engine.call('metrics.current', { vm: 'perf' })).diskWriteBytes;
    assert.ok(before !== null, 'query-blockstats answered');
    await run('perf', 'dd if=/dev/zero of=/dev/vda bs=64k count=64 conv=fsync 2>/dev/null; echo DD-$((6*7))', 'DD-42');
    await new Promise((r) => setTimeout(r, 1500));
    const afterDd = await engine.call('metrics.current', { vm: 'perf' });
    assert.ok(afterDd.diskWriteBytes! - before >= 64 * 65536, `wr_bytes rose by ${afterDd.diskWriteBytes! - before}`);
  });

  test('history: the 10-minute range comes from the 1 s ring; the host has its own samples', async () => {
    const h = await engine.call('metrics.history', { vm: 'perf', range: '10m' });
    assert.equal(h.resolutionSec, 1);
    assert.ok(h.points.length >= 10, `${h.points.length} points`);
    assert.ok(h.points.every((p, i) => i === 0 || p.t > h.points[i - 1]!.t), 'ordered in time');
    assert.ok(h.notMeasured.net);
    const host = await engine.call('metrics.hostCurrent', {});
    assert.ok(host.cpuPct !== null && host.cpuPct >= 0 && host.cpuPct <= 100);
    assert.ok(host.memTotalBytes! > host.memUsedBytes!);
    assert.ok(host.diskTotalBytes! > 0);
  });

  test('rollups survive an engine restart (the ring does not)', async () => {
    await engine.call('metrics.unwatch', { vm: 'perf' }, ctx);
    await engine.close(); // flushes the current minute to SQLite
    engine = await Engine.open({ home, watch: true });
    const ring = await engine.call('metrics.history', { vm: 'perf', range: '10m' });
    assert.equal(ring.points.length, 0, 'the ring starts empty');
    const rolled = await engine.call('metrics.history', { vm: 'perf', range: '1h' });
    assert.equal(rolled.resolutionSec, 60);
    assert.ok(rolled.points.length >= 1, 'minute rollups are in SQLite');
    assert.ok(rolled.points.some((p) => p.cpuPct !== null && p.cpuPct > 20), 'the busy minute is visible');
    assert.ok(rolled.points.some((p) => (p.diskWriteBps ?? 0) > 0), 'disk writes are in the rollup');
    assert.ok(rolled.points.every((p) => p.netRxBps === null), 'network stays "not measured" in rollups');
  });

  test('a short-lived engine (the CLI without a running app) measures over one second, connecting per reading', async () => {
    await engine.close();
    engine = await Engine.open({ home, watch: false });
    const s = await engine.call('metrics.current', { vm: 'perf' });
    assert.ok(s.cpuPct !== null && s.cpuPct >= 0 && s.cpuPct <= 100, `cpu ${s.cpuPct}`);
    assert.ok(s.diskWriteBytes !== null && s.diskWriteBytes >= 64 * 65536, 'blockstats since QEMU started');
    assert.equal((await engine.call('vm.get', { vm: 'perf' })).state, 'running');
  });
});
