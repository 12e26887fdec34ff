// LAN host benchmark (npm run bench): a real sshd in a network namespace (veth, no real network).
//  - exec round trip over SSH (`true`) against local spawn
//  - SFTP stat and small-file read (what state checks do)
//  - host.copyFile of 256 MiB to the host (stream + SHA-256 at both ends) against `scp` of the same file
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { tempHome } from '../helpers/env';
import { netnsUnsupportedReason, startSshdNetns } from '../helpers/sshd-netns';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function main() {
  const skip = netnsUnsupportedReason();
  if (skip) {
    console.log(`hosts bench skipped: ${skip}`);
    return;
  }
  const sshd = await startSshdNetns();
  const { home, cleanup } = tempHome('hangar-bench-hosts-');
  const engine = await Engine.open({ home, watch: false });
  try {
    const first = await engine.call('host.add', { name: 'bench', address: sshd.address, user: 'root', keyPath: sshd.keys.good });
    if (!first.needsConfirmation) throw new Error('expected a fingerprint first');
    const added = await engine.call('host.add', { name: 'bench', address: sshd.address, user: 'root', keyPath: sshd.keys.good, acceptFingerprint: first.fingerprint });
    if (added.needsConfirmation) throw new Error('not added');
    const remote = engine.hosts.get(added.host.id);
    const local = engine.hosts.get('local');

    console.log(`exec \`true\`:        local ${ms(await timeEach(30, () => local.exec('true', [])))}   ssh ${ms(await timeEach(30, () => remote.exec('true', [])))} (median of 30)`);
    const small = path.join(sshd.homes.good, 'small.json');
    fs.writeFileSync(small, JSON.stringify({ x: 'y'.repeat(2000) }));
    console.log(`stat:                local ${ms(await timeEach(50, () => local.fs.stat(small)))}   sftp ${ms(await timeEach(50, () => remote.fs.stat(small)))} (median of 50)`);
    console.log(`read 2 KiB file:     local ${ms(await timeEach(50, () => local.fs.readFile(small)))}   sftp ${ms(await timeEach(50, () => remote.fs.readFile(small)))} (median of 50)`);

    const src = path.join(home, 'blob.img');
    spawnSync('sh', ['-c', 'head -c 268435456 /dev/urandom > "$1"', 'sh', src]);
    const mib = 256;
    const dest = path.join(sshd.homes.good, 'blob.img');
    let t = performance.now();
    const task = await engine.call('host.copyFile', { from: { hostId: 'local', path: src }, to: { hostId: added.host.id, path: dest } });
    let info: TaskInfo | null = null;
    while (!info || info.state === 'running') {
      await new Promise((r) => setTimeout(r, 20));
      info = engine.tasks.get(task.id);
    }
    const copyMs = performance.now() - t;
    if (info.state !== 'succeeded') throw new Error(`copy failed: ${info.error?.message}`);
    t = performance.now();
    const scp = spawnSync('scp', ['-q', '-i', sshd.keys.good, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', src, `root@${sshd.address}:${dest}.scp`]);
    const scpMs = performance.now() - t;
    const sumMs = (() => {
      const s = performance.now();
      spawnSync('sha256sum', [src]);
      return performance.now() - s;
    })();
    console.log(`copy ${mib} MiB:        host.copyFile ${(mib / (copyMs / 1000)).toFixed(0)} MiB/s (${copyMs.toFixed(0)} ms, incl. SHA-256 at both ends)`);
    console.log(`                     scp ${scp.status === 0 ? `${(mib / (scpMs / 1000)).toFixed(0)} MiB/s (${scpMs.toFixed(0)} ms, no verification)` : 'failed'}; one local sha256sum pass: ${sumMs.toFixed(0)} ms`);
  } finally {
    await engine.close();
    sshd.stop();
    cleanup();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
