import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { GuestExecResult, SharesInfo, VmInfo } from '../../src-main/api/contract';
import { runtimeRoot } from '../../src-main/qemu/paths';
import { GUEST_APPEND, genericGuestFiles } from '../helpers/guest';
import { tempHome, waitFor } from '../helpers/env';
import { cliRunner } from '../helpers/cli';

// virtiofs shared folders (guest/virtiofs.ts) through the `hangar` CLI: real QEMU, the real
// virtiofsd of this host (QEMU's C one in /usr/lib/qemu on Debian 12) and the generic-kernel test
// guest, whose initramfs has the virtiofs and fuse modules (scripts/build-test-guest.sh).

const { home, cleanup } = tempHome('hangar-vfs-');
const env = { ...process.env, HANGAR_HOME: home };

const { hangar, json } = cliRunner(env, { timeoutMs: 180000 });
const exec = (name: string, script: string): GuestExecResult => {
  const r = hangar('vm', 'exec', name, '--json', '--', 'sh', '-c', script);
  assert.ok(r.stdout.startsWith('{'), `vm exec ${script}: ${r.stderr}`);
  return JSON.parse(r.stdout) as GuestExecResult;
};

/**
 * The sockets served by virtiofsd processes of this Hangar home (in its runtime folder), from /proc.
 * One share can be two processes: the C virtiofsd forks into its sandbox's pid namespace.
 */
function virtiofsdOfThisHome(): string[] {
  const run = runtimeRoot(home, process.getuid?.() ?? 0);
  const out = new Set<string>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const sock = argv.find((a) => a.startsWith(`--socket-path=${run}/`));
    if (argv[0]?.endsWith('virtiofsd') && sock) out.add(sock);
  }
  return [...out];
}

after(() => {
  for (const vm of JSON.parse(hangar('vm', 'list', '--json').stdout || '[]') as VmInfo[]) if (vm.state !== 'stopped' && vm.state !== 'crashed') hangar('vm', 'kill', vm.name);
  cleanup();
});

describe('shared folders over virtiofs (generic-kernel guest)', () => {
  test('the guest mounts the tag with virtiofs, reads the host file (checksum), writes one the host sees; no virtiofsd outlives the VM', async (t) => {
    const g9 = genericGuestFiles();
    const rw = fs.mkdtempSync(path.join(home, 'share-rw-'));
    const ro = fs.mkdtempSync(path.join(home, 'share-ro-'));
    const blob = randomBytes(1024 * 1024 + 17);
    fs.writeFileSync(path.join(rw, 'blob.bin'), blob);
    fs.writeFileSync(path.join(ro, 'readme.txt'), 'read only');
    const created = hangar('vm', 'create', '--name', 'vfs-vm', '--memory', '256', '--disk', '32M', '--display', 'none', '--no-network', '--kernel', g9.kernel, '--initrd', g9.initrd, '--append', GUEST_APPEND);
    assert.equal(created.code, 0, created.stderr);
    json<SharesInfo>('vm', 'share', 'vfs-vm', rw, '--tag', 'hostdir');
    const info = json<SharesInfo>('vm', 'share', 'vfs-vm', ro, '--tag', 'rodir', '--readonly');
    if (!info.virtiofsUsable) {
      // the only honest outcome on a host without virtiofsd or without root: 9p for everything
      assert.ok(info.shares.every((s) => s.transport === '9p'));
      t.skip(`virtiofs cannot run on this host: ${info.transportNote}`);
      return;
    }
    const [hostdir, rodir] = [info.shares.find((s) => s.tag === 'hostdir')!, info.shares.find((s) => s.tag === 'rodir')!];
    assert.equal(hostdir.transport, 'virtiofs');
    assert.equal(hostdir.mountCommand, 'mkdir -p /mnt/hostdir && mount -t virtiofs hostdir /mnt/hostdir');
    assert.equal(rodir.transport, '9p', 'the C virtiofsd has no read-only option: read-only shares stay on 9p');
    assert.match(info.transportNote, /read-only option/);

    assert.equal(hangar('vm', 'start', 'vfs-vm').code, 0);
    assert.equal(virtiofsdOfThisHome().length, 1, 'one virtiofsd for the one virtiofs share');
    await waitFor('the agent of the generic-kernel guest', () => json<VmInfo>('vm', 'show', 'vfs-vm').guest?.agent === 'connected', 150000, 1000);
    for (const s of info.shares) {
      const m = exec('vfs-vm', s.mountCommand);
      assert.equal(m.exitCode, 0, `${s.mountCommand}: ${m.stderr}`);
    }
    assert.match(exec('vfs-vm', 'grep " /mnt/hostdir " /proc/mounts').stdout, /^hostdir \/mnt\/hostdir virtiofs /);
    const sum = exec('vfs-vm', 'sha256sum /mnt/hostdir/blob.bin');
    assert.equal(sum.stdout.split(' ')[0], createHash('sha256').update(blob).digest('hex'));
    const w = exec('vfs-vm', 'echo from-guest > /mnt/hostdir/guest.txt && sync');
    assert.equal(w.exitCode, 0, w.stderr);
    assert.equal(fs.readFileSync(path.join(rw, 'guest.txt'), 'utf8'), 'from-guest\n');
    assert.match(exec('vfs-vm', 'echo no > /mnt/rodir/new.txt').stderr, /Read-only file system/);

    // vhost-user-fs cannot migrate: a RAM snapshot is refused with a sentence, not QEMU's error
    const snap = hangar('snapshot', 'create', 'vfs-vm', 'with-ram');
    assert.equal(snap.code, 1);
    assert.match(snap.stderr, /shares a folder over virtiofs .* a snapshot with memory/);
    t.diagnostic(`virtiofs: sha256 matched (${blob.length} bytes), wrote guest.txt; snapshot refused: ${snap.stderr.trim()}`);

    const stop = hangar('vm', 'stop', 'vfs-vm', '--wait', '--timeout', '120');
    assert.equal(stop.code, 0, stop.stderr);
    await waitFor('no virtiofsd after the stop', () => virtiofsdOfThisHome().length === 0, 15000, 200);

    // killed: QEMU ends without a shutdown, virtiofsd still does not outlive it
    assert.equal(hangar('vm', 'start', 'vfs-vm').code, 0);
    assert.equal(virtiofsdOfThisHome().length, 1);
    assert.equal(hangar('vm', 'kill', 'vfs-vm').code, 0);
    await waitFor('no virtiofsd after the kill', () => virtiofsdOfThisHome().length === 0, 15000, 200);
  });
});
