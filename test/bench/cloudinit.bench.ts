// Cloud-init benchmark (npm run bench): the time from `vm create` of a cloud image (a linked clone,
// the NoCloud seed, the SSH forward, QEMU started) to the first SSH login as the user it asked
// for, with the Debian cloud guest of scripts/build-cloud-guest.sh. Under TCG this is mostly the
// guest's boot and cloud-init's own run; the phases are printed apart.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { cloudGuest, sshKeyPair } from '../helpers/cloud-guest';
import { tempHome } from '../helpers/env';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const guest = cloudGuest();
  const { home, cleanup } = tempHome('hangar-bench-cloudinit-');
  const engine = await Engine.open({ home, watch: true });
  try {
    const key = sshKeyPair(fs.mkdtempSync(path.join(home, 'k-')));
    const { task } = await engine.call('image.import', { path: guest.disk, name: 'debian-12-genericcloud-bench' });
    for (let t: TaskInfo | null | undefined; (t = engine.tasks.get(task.id))?.state !== 'succeeded'; ) {
      if (t && t.state !== 'running') throw new Error(`import failed: ${JSON.stringify(t.error)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = performance.now();
    const vm = await engine.call('cloudinit.createVm', {
      name: 'bench',
      image: 'debian-12-genericcloud-bench',
      cpus: 2,
      memoryMiB: 1024,
      display: 'none',
      startAfterCreate: true,
      cloudInit: { user: 'bench', hostname: 'bench-host', sshKeys: [fs.readFileSync(key.pub, 'utf8')] },
    });
    const tCreated = performance.now();
    let tBanner = 0;
    const { argv } = await engine.call('cloudinit.sshCommand', { vm: vm.id, identityFile: key.priv, command: ['hostname'] });
    for (;;) {
      if (performance.now() - t0 > 40 * 60000) throw new Error('no SSH login within 40 minutes');
      if (!tBanner && (await engine.call('cloudinit.sshStatus', { vm: vm.id })).ready) tBanner = performance.now();
      if (tBanner) {
        const r = spawnSync(argv[0]!, [...argv.slice(1, -3), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', ...argv.slice(-3)], { encoding: 'utf8', timeout: 60000 });
        if (r.status === 0 && r.stdout.trim() === 'bench-host') break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const tLogin = performance.now();
    console.log('cloud-init: vm create → first SSH login (TCG, 2 vCPUs, 1 GiB)');
    console.log(`  create (clone + seed + forward + QEMU start): ${s(tCreated - t0)}`);
    console.log(`  → SSH banner on the forward:                  ${s(tBanner - t0)}`);
    console.log(`  → first login as the user (ssh -i):           ${s(tLogin - t0)}`);
    await engine.call('vm.kill', { vm: vm.id });
  } finally {
    await engine.close();
    cleanup();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
