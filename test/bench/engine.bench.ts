// Engine foundation benchmark:
//  - API start → first serial byte, against bare qemu-system-x86_64 with the same argv (target ≤ 1.05×)
//  - engine cold start (in-process open, and a whole `hangar vm list` CLI run)
//  - engine RSS
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Engine } from '../../src-main/engine/engine';
import { buildQemuArgv } from '../../src-main/qemu/argv';
import { probeHost } from '../../src-main/qemu/probe';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { CLI, tempHome } from '../helpers/env';

// TCG boot times vary by ±15 % from run to run: pair the runs and take many.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Time until QEMU wrote its first serial byte (Hangar's own boot-marker line does not count). */
async function firstByte(file: string, t0: number): Promise<number> {
  for (;;) {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st && st.size > 0) {
      const text = fs.readFileSync(file, 'latin1');
      const afterMarker = text.startsWith(BOOT_MARKER_PREFIX) ? text.slice(text.indexOf('\n') + 1) : text;
      if (afterMarker.length > 0) return performance.now() - t0;
    }
    // 1 ms timer, not a busy loop: a spinning poller would take a core from QEMU under TCG
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** CPU time of this process's waited-for children so far (/proc/self/stat cutime + cstime; 10 ms ticks on Linux). */
function childrenCpuMs(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // after "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

async function main() {
  const { home, cleanup } = tempHome('hangar-bench-');
  const g = guestFiles();

  const t0 = performance.now();
  const engine = await Engine.open({ home, watch: process.env.BENCH_WATCH !== '0' });
  const openMs = performance.now() - t0;
  await engine.call('host.capabilities', {}); // probe once, as a running engine would have

  await engine.call('vm.create', { name: 'bench', memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
  const vm = await engine.call('vm.get', { vm: 'bench' });
  const paths = await engine.vms.paths(vm);
  const caps = await probeHost(engine.hosts.get('local'));
  const argv = buildQemuArgv(vm.spec, paths, { accel: caps.accel, ovmf: caps.ovmf });

  const viaApi: number[] = [];
  const untilQemu: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Hangar: API call → QEMU under its keeper → first byte in the serial log
    fs.rmSync(paths.serialLog, { force: true });
    fs.rmSync(paths.pidFile, { force: true });
    let t = performance.now();
    let pidAt = 0;
    const watchPid = setInterval(() => {
      if (!pidAt && fs.existsSync(paths.pidFile)) pidAt = performance.now() - t;
    }, 1);
    await engine.call('vm.start', { vm: 'bench' });
    viaApi.push(await firstByte(paths.serialLog, t));
    clearInterval(watchPid);
    untilQemu.push(pidAt);
    await engine.call('vm.kill', { vm: 'bench' });

    // Bare QEMU, same argv, started directly
    fs.rmSync(paths.serialLog, { force: true });
    fs.mkdirSync(paths.runDir, { recursive: true });
    t = performance.now();
    const child = spawn(caps.qemu!.binary, argv, { stdio: 'ignore' });
    bare.push(await firstByte(paths.serialLog, t));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  const rss = process.memoryUsage().rss;
  await engine.call('vm.delete', { vm: 'bench', deleteDisks: true });
  await engine.close();

  const cli: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    spawnSync(process.execPath, [CLI, 'vm', 'list'], { env: { ...process.env, HANGAR_HOME: home }, stdio: 'ignore' });
    cli.push(performance.now() - t);
  }

  // The same call through a running engine (`hangar serve` listening on engine.sock), as users
  // run it next to the desktop app; `node -e 0` beside it is the floor of any Node CLI.
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: { ...process.env, HANGAR_HOME: home }, stdio: 'ignore' });
  for (let i = 0; i < 1200 && !fs.existsSync(`${home}/engine.sock`); i++) await new Promise((r) => setTimeout(r, 50));
  const viaSocket: number[] = [];
  const nodeFloor: number[] = [];
  // CPU time (user + system) of the children, which a loaded machine inflates far less than wall time
  let cliCpu = 0;
  let floorCpu = 0;
  for (let i = 0; i < 9; i++) {
    let t = performance.now();
    let c = childrenCpuMs();
    spawnSync(process.execPath, [CLI, 'vm', 'list'], { env: { ...process.env, HANGAR_HOME: home }, stdio: 'ignore' });
    viaSocket.push(performance.now() - t);
    cliCpu += childrenCpuMs() - c;
    t = performance.now();
    c = childrenCpuMs();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    nodeFloor.push(performance.now() - t);
    floorCpu += childrenCpuMs() - c;
  }
  // one more call that says where its time went (bin/hangar.js, HANGAR_TIMING)
  const timed = spawnSync(process.execPath, [CLI, 'vm', 'list'], { env: { ...process.env, HANGAR_HOME: home, HANGAR_TIMING: '1' }, encoding: 'utf8' });
  const timingLine = /hangar timing.*/.exec(timed.stderr ?? '')?.[0] ?? 'hangar timing: not printed';
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  cleanup();

  const ratio = median(viaApi) / median(bare);
  const pairRatios = viaApi.map((v, i) => v / bare[i]!);
  console.log(`accelerator:                          ${caps.accel}`);
  console.log(`API start → first serial byte:        ${ms(median(viaApi))} (median of ${ROUNDS}; all: ${viaApi.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`bare QEMU → first serial byte:        ${ms(median(bare))} (median of ${ROUNDS}; all: ${bare.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`ratio Hangar / bare:                  ${ratio.toFixed(3)}× of medians; ${median(pairRatios).toFixed(3)}× median of paired runs (target ≤ 1.05×)`);
  console.log(`Hangar's own time before QEMU runs:   ${ms(median(untilQemu))} (API call → QEMU's pid file; the rest is QEMU booting, run-to-run noise ±10 %)`);
  console.log(`engine cold start (open, in process): ${ms(openMs)}`);
  console.log(`CLI "hangar vm list" wall time:       ${ms(median(cli))} (a new Node process each time)`);
  console.log(`CLI "hangar vm list" via a running engine: ${ms(median(viaSocket))} median of 9 (target < 50 ms; \`node -e 0\` takes ${ms(median(nodeFloor))} here; load average ${os.loadavg()[0]!.toFixed(1)})`);
  console.log(`  one call: ${timingLine}`);
  console.log(`  CPU per call (user + system, mean of 9): hangar vm list ${ms(cliCpu / 9)}, node -e 0 ${ms(floorCpu / 9)}: Hangar's own share ${ms((cliCpu - floorCpu) / 9)}`);
  console.log(`engine RSS after the runs:            ${(rss / 1024 / 1024).toFixed(1)} MiB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
