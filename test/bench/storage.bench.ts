// Storage benchmark (numbers, not pass/fail):
//  - volume create (qcow2) through the API vs bare `qemu-img create`
//  - clone of a 256 MiB volume with 128 MiB of data (Task + qemu-img convert) vs bare `qemu-img convert`
//  - hot-plug and unplug round trip on a running guest (API call → returned)
//  - RAM snapshot save and load on a running 128 MiB guest
//  - pool.list with 50 volumes
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { tempHome, waitFor } from '../helpers/env';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;
async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main() {
  const { home, cleanup } = tempHome('hangar-bench-storage-');
  const g = guestFiles();
  const engine = await Engine.open({ home, watch: true });
  try {
    const pool = (await engine.call('pool.list', {}))[0]!;
    const api: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      api.push(await time(() => engine.call('volume.create', { name: `c${i}`, size: '1G' })));
      bare.push(await time(() => execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(home, `bare${i}.qcow2`), '1G'])));
    }
    console.log(`volume.create (qcow2, 1 GiB): ${ms(median(api))} median; bare qemu-img create ${ms(median(bare))}`);

    const src = await engine.call('volume.create', { name: 'src', size: '256M' });
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 0 128M', src.path], { stdio: 'ignore' });
    const cloneApi: number[] = [];
    const cloneBare: number[] = [];
    for (let i = 0; i < Math.min(ROUNDS, 3); i++) {
      cloneApi.push(await time(() => engine.call('volume.clone', { volume: 'src', name: `copy${i}`, wait: true })));
      cloneBare.push(await time(() => execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'qcow2', src.path, path.join(home, `barecopy${i}.qcow2`)])));
    }
    console.log(`volume.clone (128 MiB of data): ${ms(median(cloneApi))} median; bare qemu-img convert ${ms(median(cloneBare))} (${(median(cloneApi) / median(cloneBare)).toFixed(2)}×)`);

    for (let i = 0; i < 40; i++) await engine.call('volume.create', { name: `many${i}`, size: '64M' });
    const listMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) listMs.push(await time(() => engine.call('pool.list', {})));
    console.log(`pool.list with ${(await engine.call('volume.list', {})).length} volumes in ${pool.name}: ${ms(median(listMs))} median`);

    await engine.call('vm.create', { name: 'guest', memoryMiB: 128, display: 'none', nics: [], diskSizeBytes: 32 * 1024 * 1024, kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await engine.call('vm.start', { vm: 'guest' });
    await waitFor('prompt', async () => (await engine.call('vm.serialTail', { vm: 'guest', maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()!.split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 120000, 200);
    await engine.call('volume.create', { name: 'hp', size: '64M' });
    const plug: number[] = [];
    const unplug: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      plug.push(await time(() => engine.call('volume.attach', { volume: 'hp', vm: 'guest' })));
      await new Promise((r) => setTimeout(r, 1500)); // let the guest finish probing the disk
      unplug.push(await time(() => engine.call('volume.detach', { volume: 'hp' })));
    }
    console.log(`hot-plug: ${ms(median(plug))} median; unplug (until DEVICE_DELETED + blockdev-del): ${ms(median(unplug))} median (TCG)`);

    const save: number[] = [];
    const load: number[] = [];
    for (let i = 0; i < Math.min(ROUNDS, 3); i++) {
      save.push(await time(() => engine.call('snapshot.create', { vm: 'guest', name: `s${i}`, wait: true })));
      load.push(await time(() => engine.call('snapshot.revert', { vm: 'guest', snapshot: `s${i}`, confirm: true, wait: true })));
    }
    const tree = await engine.call('snapshot.list', { vm: 'guest' });
    console.log(`RAM snapshot of a 128 MiB guest: save ${ms(median(save))}, load ${ms(median(load))} median; vmstate ${(tree.snapshots[0]!.vmStateBytes / 1048576).toFixed(1)} MiB (TCG)`);
    await engine.call('vm.kill', { vm: 'guest' });
  } finally {
    await engine.close();
    cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
