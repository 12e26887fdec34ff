// Image library benchmark (npm run bench):
//  - import of a 1 GiB file (copy + SHA-256 in one pass) against `cp` then `sha256sum` (target ≤ 0.7×)
//  - a VM from a 1 GiB image: linked clone (qcow2 overlay) against a full copy (target < 100 ms)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TaskInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { tempHome } from '../helpers/env';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

function timed(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

async function waitTask(e: Engine, id: string): Promise<TaskInfo> {
  for (;;) {
    const t = e.tasks.get(id);
    if (t && t.state !== 'running') return t;
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function main() {
  const { home, cleanup } = tempHome('hangar-bench-images-');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-bench-img-src-'));
  const engine = await Engine.open({ home, watch: false });
  try {
    const src = path.join(work, 'one-gib.img');
    // random content: no holes or compressible runs to flatter either side
    spawnSync('sh', ['-c', 'head -c 1073741824 /dev/urandom > "$1"', 'sh', src]);
    spawnSync('cat', [src], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache for both sides
    await engine.call('host.capabilities', {});

    const baseline: number[] = [];
    const hangar: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const dst = path.join(work, 'copy.img');
      baseline.push(
        timed(() => {
          spawnSync('cp', [src, dst]);
          spawnSync('sha256sum', [dst], { stdio: ['ignore', 'ignore', 'inherit'] });
        }),
      );
      fs.rmSync(dst);

      const t = performance.now();
      const { task } = await engine.call('image.import', { path: src, name: 'bench' });
      const done = await waitTask(engine, task.id);
      hangar.push(performance.now() - t);
      if (done.state !== 'succeeded') throw new Error(`import failed: ${JSON.stringify(done.error)}`);
      await engine.call('image.delete', { image: 'bench', confirm: true });
    }
    const b = median(baseline);
    const h = median(hangar);
    console.log(`import 1 GiB (copy + sha256):   hangar ${ms(h)}   cp + sha256sum ${ms(b)}   ratio ${(h / b).toFixed(2)}× (target ≤ 0.70×)`);
    console.log(`  rounds: hangar ${hangar.map(ms).join(', ')} | baseline ${baseline.map(ms).join(', ')}`);

    // a 1 GiB qcow2 image of random data, imported once
    const qcow = path.join(work, 'one-gib.qcow2');
    spawnSync('qemu-img', ['convert', '-O', 'qcow2', src, qcow]);
    fs.rmSync(src);
    const { task } = await engine.call('image.import', { path: qcow, name: 'base' });
    if ((await waitTask(engine, task.id)).state !== 'succeeded') throw new Error('import of the qcow2 failed');
    fs.rmSync(qcow);

    const linked: number[] = [];
    const full: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      await engine.call('vm.create', { name: `linked-${i}`, image: 'base', memoryMiB: 128, display: 'none', nics: [] });
      linked.push(performance.now() - t);
      t = performance.now();
      await engine.call('vm.create', { name: `full-${i}`, image: 'base', fullCopy: true, memoryMiB: 128, display: 'none', nics: [] });
      full.push(performance.now() - t);
      await engine.call('vm.delete', { vm: `linked-${i}`, deleteDisks: true });
      await engine.call('vm.delete', { vm: `full-${i}`, deleteDisks: true });
    }
    console.log(`VM from a 1 GiB image (vm.create): linked clone ${ms(median(linked))} (target < 100 ms)   full copy ${ms(median(full))}   (${(median(full) / median(linked)).toFixed(0)}× faster)`);
    console.log(`  rounds: linked ${linked.map(ms).join(', ')} | full ${full.map(ms).join(', ')}`);
  } finally {
    await engine.close();
    fs.rmSync(work, { recursive: true, force: true });
    cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
