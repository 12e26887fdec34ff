// Start → guest banner with Hangar's default devices, against a minimal bare QEMU on the same
// guest (target ≤ 1.2×). Hangar's VM is created with vm.create's defaults (VNC display → VGA,
// USB tablet, one NAT virtio-net NIC, q35 hot-plug ports, guest-agent channel, balloon); the bare
// QEMU has only what the guest needs: q35, TCG/KVM with Hangar's CPU model, memory, the kernel
// and a serial log (the same virtual CPU, so the ratio is the cost of the devices).
// A third column starts Hangar's argv with the NIC's iPXE option ROM put back (as before
// `romfile=`), so the effect of that choice is measured in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src-main/engine/engine';
import { buildQemuArgv } from '../../src-main/qemu/argv';
import { probeHost } from '../../src-main/qemu/probe';
import { GUEST_APPEND, READY_BANNER, guestFiles } from '../helpers/guest';
import { tempHome } from '../helpers/env';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function untilBanner(file: string, t0: number, timeoutMs = 300_000): Promise<number> {
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : '';
    if (text.includes(READY_BANNER)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`no "${READY_BANNER}" in ${file} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function bare(binary: string, argv: string[], serialLog: string): Promise<number> {
  fs.rmSync(serialLog, { force: true });
  const t = performance.now();
  const child: ChildProcess = spawn(binary, argv, { stdio: 'ignore' });
  try {
    return await untilBanner(serialLog, t);
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main() {
  const { home, cleanup } = tempHome('hangar-bootbench-');
  const g = guestFiles();
  const engine = await Engine.open({ home, watch: false });
  try {
    const caps = await probeHost(engine.hosts.get('local'));
    await engine.call('vm.create', { name: 'defaults', memoryMiB: 256, kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    const vm = await engine.call('vm.get', { vm: 'defaults' });
    const paths = await engine.vms.paths(vm);
    const withRom = buildQemuArgv(vm.spec, paths, { accel: caps.accel, ovmf: caps.ovmf }).map((a) => a.replace(/,romfile=$/, ''));
    const minLog = path.join(home, 'minimal-serial.log');
    const romLog = path.join(home, 'rom-serial.log');
    fs.mkdirSync(paths.runDir, { recursive: true });
    const minimal = ['-nodefaults', '-machine', 'q35', '-accel', caps.accel, '-cpu', caps.accel === 'kvm' ? 'host' : 'max', '-m', '256M', '-display', 'none', '-kernel', g.kernel, '-initrd', g.initrd, '-append', GUEST_APPEND, '-serial', `file:${minLog}`];
    const romArgv = withRom.map((a) => a.replace(paths.serialLog, romLog)).filter((a) => !a.includes('qemu.pid'));
    const pidAt = romArgv.indexOf('-pidfile');
    if (pidAt >= 0) romArgv.splice(pidAt, 1);

    const hangar: number[] = [];
    const bareMin: number[] = [];
    const rom: number[] = [];
    const loads: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      fs.rmSync(paths.serialLog, { force: true });
      const t = performance.now();
      await engine.call('vm.start', { vm: 'defaults' });
      hangar.push(await untilBanner(paths.serialLog, t));
      await engine.call('vm.kill', { vm: 'defaults' });
      bareMin.push(await bare(caps.qemu!.binary, minimal, minLog));
      rom.push(await bare(caps.qemu!.binary, romArgv, romLog));
      loads.push(os.loadavg()[0]!);
    }
    const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    console.log(`accelerator: ${caps.accel}; 1-min load average during the rounds: ${loads.map((x) => x.toFixed(1)).join(', ')}`);
    console.log(`Hangar defaults, API start → guest banner:     ${median(hangar).toFixed(0)} ms median of ${ROUNDS} (${list(hangar)})`);
    console.log(`minimal bare QEMU → guest banner:              ${median(bareMin).toFixed(0)} ms median of ${ROUNDS} (${list(bareMin)})`);
    console.log(`ratio Hangar defaults / minimal bare:          ${(median(hangar) / median(bareMin)).toFixed(2)}× of medians; ${median(hangar.map((h, i) => h / bareMin[i]!)).toFixed(2)}× median of paired runs (target ≤ 1.2×)`);
    console.log(`Hangar's argv with the NICs' iPXE ROM (before): ${median(rom).toFixed(0)} ms median (${list(rom)}), ${(median(rom) / median(bareMin)).toFixed(2)}× minimal`);
    await engine.call('vm.delete', { vm: 'defaults', deleteDisks: true });
  } finally {
    await engine.close();
    cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
