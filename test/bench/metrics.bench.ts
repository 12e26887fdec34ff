// Metrics sampler cost with 50 running VMs at 1 Hz (target < 2 % of one core).
//
// Stand-in, said plainly: 50 real QEMUs do not fit on this 2-core host, so each "VM" is a small
// perl process that serves a fake QMP UNIX socket (greeting, qmp_capabilities, query-status,
// query-blockstats with growing counters; no balloon) at the VM's real socket path, with
// `-uuid <id>` in its argv so the engine recognises it as that VM's process. Everything on the
// engine's side is real: the engine's MetricsService ticking at 1 Hz with all 50 watched,
// VmService.withQmp (re-check + one reused QMP connection per VM), /proc/<pid>/stat and
// /proc/<pid>/status reads of those processes, host /proc reads, ring buffers and events.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { VmSpec } from '../../src-main/api/contract';
import { VmRepository } from '../../src-main/db/repositories/vms';
import { Engine } from '../../src-main/engine/engine';
import { runtimeRoot, vmPaths } from '../../src-main/qemu/paths';
import { tempHome } from '../helpers/env';

const VMS = Number(process.env.BENCH_VMS ?? 50);
const MEASURE_SEC = Number(process.env.BENCH_SECONDS ?? 20);

const FAKE_QMP = String.raw`
use strict; use warnings; use IO::Socket::UNIX; use IO::Select;
my ($sock) = $ARGV[$#ARGV];
unlink $sock;
my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $sock, Listen => 5) or die "listen: $!";
my ($rd, $wr) = (0, 0);
while (my $c = $srv->accept) {
  $c->autoflush(1);
  print $c '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""}, "capabilities": []}}' . "\n";
  while (my $line = <$c>) {
    my ($cmd) = $line =~ /"execute"\s*:\s*"([^"]+)"/;
    my ($id) = $line =~ /"id"\s*:\s*"([^"]*)"/; $id //= '';
    $cmd //= '';
    my $ret;
    if ($cmd eq 'qmp_capabilities') { $ret = '{}' }
    elsif ($cmd eq 'query-status') { $ret = '{"status": "running", "singlestep": false, "running": true}' }
    elsif ($cmd eq 'query-blockstats') { $rd += 4096; $wr += 65536;
      $ret = qq([{"device": "", "qdev": "/machine/peripheral-anon/device[0]/virtio-backend", "stats": {"rd_bytes": $rd, "wr_bytes": $wr, "rd_operations": ) . int($rd/4096) . qq(, "wr_operations": ) . int($wr/65536) . qq(, "flush_operations": 0}}]) }
    if (defined $ret) { print $c qq({"return": $ret, "id": "$id"}\n) }
    else { print $c qq({"error": {"class": "GenericError", "desc": "not in this stand-in"}, "id": "$id"}\n) }
  }
}
`;

const cpuOf = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(v[11]) + Number(v[12])) / 100;
};

async function main() {
  const { home, cleanup } = tempHome('hangar-bench-metrics-');
  const script = path.join(home, 'fake-qmp.pl');
  fs.writeFileSync(script, FAKE_QMP);
  const engine = await Engine.open({ home, watch: true });
  const repo = new VmRepository(engine.db);
  const children: ChildProcess[] = [];
  const runRoot = runtimeRoot(home, os.userInfo().uid);
  try {
    // the engine's own floor (timers, scheduler) with no VM at all, to set the sampler's cost apart
    await new Promise((r) => setTimeout(r, 2000));
    const idle0 = process.cpuUsage();
    const idleT0 = performance.now();
    await new Promise((r) => setTimeout(r, MEASURE_SEC * 1000));
    const idleCpu = process.cpuUsage(idle0);
    const idlePct = ((idleCpu.user + idleCpu.system) / 1e6 / ((performance.now() - idleT0) / 1000)) * 100;
    for (let i = 0; i < VMS; i++) {
      const id = randomUUID();
      const p = vmPaths(home, runRoot, id);
      fs.mkdirSync(p.dir, { recursive: true });
      fs.mkdirSync(p.runDir, { recursive: true });
      const child = spawn('perl', [script, '-uuid', id, p.qmpSocket], { stdio: 'ignore' });
      children.push(child);
      const spec: VmSpec = { version: 1, id, name: `bench-${i}`, description: '', os: { family: 'linux', variant: '' }, cpus: 1, memoryMiB: 128, firmware: 'bios', secureBoot: false, tpm: false, machine: 'q35', disks: [], cdrom: null, kernel: null, nics: [], display: 'none', bootOrder: ['disk'], autostart: false };
      repo.insert(spec, 'local', p.dir);
      fs.writeFileSync(p.pidFile, `${child.pid}\n`);
      repo.setRuntime(id, { state: 'running', stateReason: null, pid: child.pid!, accel: 'tcg', startedAt: new Date().toISOString() });
    }
    // let every fake QMP socket appear
    for (const vm of repo.list()) {
      const p = vmPaths(home, runRoot, vm.id);
      for (let i = 0; i < 200 && !fs.existsSync(p.qmpSocket); i++) await new Promise((r) => setTimeout(r, 25));
    }
    let samples = 0;
    engine.events.subscribe((m) => {
      if (m.topic === 'metrics.sample' && m.data.vmId) samples++;
    });
    const fakePids = children.map((c) => c.pid!);
    /** CPU of this (engine) process and of the stand-ins over MEASURE_SEC. */
    const measure = async () => {
      const fake0 = fakePids.reduce((a, p) => a + cpuOf(p), 0);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const s0 = samples;
      await new Promise((r) => setTimeout(r, MEASURE_SEC * 1000));
      const cpu = process.cpuUsage(cpu0);
      const wall = (performance.now() - t0) / 1000;
      return { wall, cpuSec: (cpu.user + cpu.system) / 1e6, pct: ((cpu.user + cpu.system) / 1e6 / wall) * 100, got: samples - s0, fakePct: ((fakePids.reduce((a, p) => a + cpuOf(p), 0) - fake0) / wall) * 100 };
    };
    console.log(`stand-in: ${VMS} perl processes with fake QMP sockets (query-status, query-blockstats, no balloon) and real /proc reads of them;`);
    console.log(`          the real engine's MetricsService and VmService.withQmp (one reused QMP connection per VM). ${MEASURE_SEC} s per phase.`);

    await new Promise((r) => setTimeout(r, 3000)); // connections open
    const background = await measure();
    console.log(`engine with no VMs (baseline):         engine ${idlePct.toFixed(2)} % of one core`);
    console.log(`nothing watched (every VM every 10 s): engine ${background.pct.toFixed(2)} % of one core, ${(background.got / background.wall).toFixed(1)} samples/s`);

    const ctx = { clientId: 'bench', origin: 'internal' as const };
    for (const vm of repo.list()) await engine.call('metrics.watch', { vm: vm.id }, ctx);
    await engine.call('metrics.watch', {}, ctx);
    await new Promise((r) => setTimeout(r, 3000)); // first readings primed
    const watched = await measure();
    console.log(`all ${VMS} watched (1 Hz):                 engine ${watched.pct.toFixed(2)} % of one core, ${(watched.got / watched.wall).toFixed(1)} samples/s (ideal ${VMS}/s)`);
    console.log(`  sampler cost (all watched − baseline): ${(watched.pct - idlePct).toFixed(2)} % of one core (target < 2 % at ${VMS} VMs × 1 Hz)`);
    console.log(`  per VM-sample: ${((watched.cpuSec * 1000) / Math.max(1, watched.got)).toFixed(3)} ms of engine CPU (baseline included)`);
    console.log(`  (the stand-in QMP servers used ${watched.fakePct.toFixed(2)} % answering; with real guests that is QEMU's own cost)`);
  } finally {
    await engine.close();
    for (const c of children) c.kill('SIGKILL');
    cleanup();
  }
}

void main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
