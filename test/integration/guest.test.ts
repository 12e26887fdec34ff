import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { GuestExecResult, SharesInfo, VmInfo } from '../../src-main/api/contract';
import { GUEST_APPEND, guestFiles, GUEST_DIR, genericGuestFiles } from '../helpers/guest';
import { tempHome, waitFor } from '../helpers/env';
import { cliRunner } from '../helpers/cli';

// The guest agent and shared folders through the `hangar` CLI, against real QEMU and the real
// qemu-ga inside the test guest (scripts/build-test-guest.sh copies Debian's into its initramfs).

const { home, cleanup } = tempHome('hangar-guest-');
const g = guestFiles();
const env = { ...process.env, HANGAR_HOME: home };
const manifest = JSON.parse(fs.readFileSync(path.join(GUEST_DIR, 'manifest.json'), 'utf8')) as { kernelVersion: string; hostname: string };

const { hangar, json } = cliRunner(env, { timeoutMs: 180000 });

/** `hangar vm exec NAME --json -- CMD...`: the exit code is the command's, so it is not asserted here. */
const exec = (name: string, ...command: string[]): GuestExecResult => {
  const r = hangar('vm', 'exec', name, '--json', '--', ...command);
  assert.ok(r.stdout.startsWith('{'), `vm exec ${command.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as GuestExecResult;
};

after(() => {
  for (const vm of JSON.parse(hangar('vm', 'list', '--json').stdout || '[]') as VmInfo[]) if (vm.state !== 'stopped' && vm.state !== 'crashed') hangar('vm', 'kill', vm.name);
  cleanup();
});

describe('guest agent (qemu-ga in the test guest)', () => {
  test('address and hostname in vm show, vm exec, consistent snapshot, shutdown through the agent of a guest that ignores ACPI', async () => {
    // hangar.acpi=ignore: the guest's init ignores the power button, so only the agent can stop it
    const created = hangar('vm', 'create', '--name', 'agent-vm', '--memory', '192', '--disk', '32M', '--display', 'none', '--kernel', g.kernel, '--initrd', g.initrd, '--append', `${GUEST_APPEND} hangar.acpi=ignore`, '--start');
    assert.equal(created.code, 0, created.stderr);

    // right after start the agent is not up yet: asking must not hang
    const t0 = Date.now();
    const early = hangar('vm', 'agent', 'agent-vm', '--json');
    assert.equal(early.code, 0, early.stderr);
    assert.ok(Date.now() - t0 < 30000, `vm agent took ${Date.now() - t0} ms`);
    console.log(`# agent right after start: ${(JSON.parse(early.stdout) as { agent: string }).agent} (${Date.now() - t0} ms)`);

    const shown = await waitFor(
      'the guest agent to report 10.0.2.15',
      () => {
        const vm = json<VmInfo>('vm', 'show', 'agent-vm');
        return vm.guest?.ips.includes('10.0.2.15') ? vm : null;
      },
      150000,
      1000,
    );
    assert.equal(shown.guest?.agent, 'connected');
    assert.equal(shown.guest?.hostname, manifest.hostname);
    assert.equal(shown.guest?.os?.kernel, manifest.kernelVersion);
    const ip = hangar('vm', 'ip', 'agent-vm');
    assert.equal(ip.code, 0, ip.stderr);
    assert.equal(ip.stdout.split('\n')[0], '10.0.2.15');

    const version = hangar('vm', 'exec', 'agent-vm', '--', 'cat', '/proc/version');
    assert.equal(version.code, 0, version.stderr);
    assert.ok(version.stdout.includes(`Linux version ${manifest.kernelVersion}`), version.stdout);
    const failing = exec('agent-vm', 'sh', '-c', 'echo out; echo err >&2; exit 7');
    assert.deepEqual([failing.exitCode, failing.stdout, failing.stderr], [7, 'out\n', 'err\n']);
    assert.equal(hangar('vm', 'exec', 'agent-vm', '--', 'sh', '-c', 'exit 7').code, 7);

    const task = json<{ state: string; result: { consistency: string } }>('snapshot', 'create', 'agent-vm', 'quiet');
    assert.equal(task.state, 'succeeded');
    assert.equal(task.result.consistency, 'consistent');
    const tree = json<{ snapshots: Array<{ name: string; consistency: string }> }>('snapshot', 'list', 'agent-vm');
    assert.equal(tree.snapshots.find((s) => s.name === 'quiet')?.consistency, 'consistent');
    const log = hangar('vm', 'exec', 'agent-vm', '--', 'cat', '/var/log/qemu-ga.log');
    assert.equal(log.code, 0, log.stderr);
    const freezeAt = log.stdout.indexOf('"execute":"guest-fsfreeze-freeze"');
    const thawAt = log.stdout.indexOf('"execute":"guest-fsfreeze-thaw"');
    assert.ok(freezeAt >= 0 && thawAt > freezeAt, 'the agent log shows the freeze, then the thaw');

    const stop = hangar('vm', 'stop', 'agent-vm', '--wait', '--timeout', '120', '--json');
    assert.equal(stop.code, 0, stop.stderr);
    const stopped = JSON.parse(stop.stdout) as VmInfo;
    assert.equal(stopped.state, 'stopped');
    assert.match(stopped.stateReason ?? '', /guest agent/);
    const serial = fs.readFileSync(path.join(home, 'vms', stopped.id, 'serial.log'), 'utf8');
    assert.match(serial, /ignoring the ACPI power button/);
    assert.match(serial, /shutdown: .*-P \+0 .*from the guest agent/);
  });
});

describe('shared folders (virtio-9p, generic-kernel guest)', () => {
  test('the guest mounts the tag, reads the host file, writes one the host sees; read-only refuses writes', async (t) => {
    const g9 = genericGuestFiles();
    const rw = fs.mkdtempSync(path.join(home, 'share-rw-'));
    const ro = fs.mkdtempSync(path.join(home, 'share-ro-'));
    const token = `from-host-${process.pid}`;
    fs.writeFileSync(path.join(rw, 'hello.txt'), token);
    fs.writeFileSync(path.join(ro, 'readme.txt'), 'read only');
    assert.equal(hangar('vm', 'create', '--name', 'share-vm', '--memory', '256', '--display', 'none', '--no-network', '--kernel', g9.kernel, '--initrd', g9.initrd, '--append', GUEST_APPEND).code, 0);
    // --transport 9p: this test is about 9p; where virtiofsd can run (root + virtiofsd) a read-write
    // share would otherwise use virtiofs, which test/integration/virtiofs.test.ts covers.
    const shared = json<SharesInfo>('vm', 'share', 'share-vm', rw, '--tag', 'hostdir', '--transport', '9p');
    assert.match(shared.shares[0]!.mountCommand, /mount -t 9p -o trans=virtio.* hostdir \/mnt\/hostdir/);
    json<SharesInfo>('vm', 'share', 'share-vm', ro, '--tag', 'rodir', '--readonly');
    assert.equal(hangar('vm', 'share', 'share-vm', rw, '--tag', 'hostdir').code, 1, 'a tag is used once');
    assert.equal(hangar('vm', 'start', 'share-vm').code, 0);
    await waitFor('the agent of the 9p guest', () => json<VmInfo>('vm', 'show', 'share-vm').guest?.agent === 'connected', 150000, 1000);
    const sh = (script: string) => exec('share-vm', 'sh', '-c', script);
    for (const s of json<SharesInfo>('vm', 'shares', 'share-vm').shares) {
      const m = sh(s.mountCommand);
      assert.equal(m.exitCode, 0, `${s.mountCommand}: ${m.stderr}`);
    }
    assert.equal(sh('cat /mnt/hostdir/hello.txt').stdout, token);
    const w = sh('echo from-guest > /mnt/hostdir/guest.txt && sync');
    assert.equal(w.exitCode, 0, w.stderr);
    assert.equal(fs.readFileSync(path.join(rw, 'guest.txt'), 'utf8'), 'from-guest\n');
    assert.equal(sh('cat /mnt/rodir/readme.txt').stdout, 'read only');
    const refused = sh('echo no > /mnt/rodir/new.txt');
    assert.notEqual(refused.exitCode, 0);
    assert.match(refused.stderr, /Read-only file system/);
    assert.ok(!fs.existsSync(path.join(ro, 'new.txt')));
    t.diagnostic(`9p: read "${token}", wrote guest.txt, read-only refused: ${refused.stderr.trim()}`);
    assert.equal(hangar('vm', 'unshare', 'share-vm', '--tag', 'rodir').code, 1, 'not while running');
    hangar('vm', 'kill', 'share-vm');
    assert.equal(hangar('vm', 'unshare', 'share-vm', '--tag', 'rodir').code, 0);
  });
});
