import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HostCapabilities, HostSummary, VmInfo } from '../../src-main/api/contract';
import { tempHome } from '../helpers/env';
import { cliRunner } from '../helpers/cli';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { netnsUnsupportedReason, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';

// `hangar host ...` and `hangar vm create --host` as a user runs them: one process per command
// (each an in-process engine that connects to the LAN host on demand), a real sshd in a netns.

const skipReason = netnsUnsupportedReason();
if (skipReason) console.log(`# SKIP hosts CLI tests: ${skipReason}`);

const { home, cleanup } = tempHome('hangar-hosts-cli-');
let sshd: SshdNetns;

const { hangar } = cliRunner({ ...process.env, HANGAR_HOME: home });

describe('hangar host (CLI, sshd in a network namespace)', { skip: skipReason ?? false }, () => {
  before(async () => {
    sshd = await startSshdNetns();
  });

  after(() => {
    try {
      for (const vm of JSON.parse(hangar('vm', 'list', '--json').stdout || '[]') as VmInfo[]) {
        if (vm.state !== 'stopped' && vm.state !== 'crashed') hangar('vm', 'kill', vm.name);
      }
    } finally {
      sshd?.stop();
      cleanup();
    }
  });

  test('host add without a terminal prints the fingerprint to check and adds nothing', () => {
    const r = hangar('host', 'add', 'cli-box', sshd.address, '--user', 'root', '--key', sshd.keys.good);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(sshd.hostKeyFingerprint), r.stderr);
    assert.match(r.stderr, /--accept-fingerprint SHA256:/);
    const list = JSON.parse(hangar('host', 'list', '--json').stdout) as HostSummary[];
    assert.deepEqual(list.map((h) => h.kind), ['local']);
  });

  test('host add --accept-fingerprint, list, probe', () => {
    const bad = hangar('host', 'add', 'cli-box', 'box;reboot', '--key', sshd.keys.good, '--accept-fingerprint', sshd.hostKeyFingerprint);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /shell characters/);

    const r = hangar('host', 'add', 'cli-box', sshd.address, '--user', 'root', '--key', sshd.keys.good, '--accept-fingerprint', sshd.hostKeyFingerprint);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Added "cli-box" \(SHA256:/);
    assert.match(r.stdout, /QEMU: +\d+\.\d+/);

    const list = JSON.parse(hangar('host', 'list', '--json').stdout) as HostSummary[];
    const h = list.find((x) => x.name === 'cli-box');
    assert.equal(h?.state, 'online', 'a CLI engine connects to list real states');
    assert.equal(h?.fingerprint, sshd.hostKeyFingerprint);

    const probe = hangar('host', 'probe', 'cli-box', '--json');
    assert.equal(probe.code, 0, probe.stderr);
    const caps = JSON.parse(probe.stdout) as HostCapabilities;
    assert.equal(caps.hangarHome, path.join(sshd.homes.good, '.local/share/hangar'));
    assert.ok(caps.qemu);
  });

  test('vm create --host runs the guest there; it outlives the CLI process and its SSH session; move-vm brings it home', () => {
    const g = guestFiles();
    const created = hangar('vm', 'create', '--name', 'cli-remote', '--host', 'cli-box', '--memory', '128', '--display', 'none', '--no-network', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND, '--json');
    assert.equal(created.code, 0, created.stderr);
    const vm = JSON.parse(created.stdout) as VmInfo;
    assert.ok(vm.dir.startsWith(sshd.homes.good), vm.dir);
    assert.notEqual(vm.hostId, 'local');

    const started = hangar('vm', 'start', 'cli-remote', '--json');
    assert.equal(started.code, 0, started.stderr);
    const pid = (JSON.parse(started.stdout) as VmInfo).pid;
    assert.ok(pid && fs.existsSync(`/proc/${pid}`));
    // that CLI process (and its SSH connection) is gone; QEMU is not
    const shown = JSON.parse(hangar('vm', 'show', 'cli-remote', '--json').stdout) as VmInfo;
    assert.equal(shown.state, 'running');
    assert.equal(shown.pid, pid);

    const removeRefused = hangar('host', 'remove', 'cli-box');
    assert.equal(removeRefused.code, 1);
    assert.match(removeRefused.stderr, /still has 1 VM/);

    assert.equal(hangar('vm', 'kill', 'cli-remote').code, 0);
    assert.equal(fs.existsSync(`/proc/${pid}`), false);
    const moved = hangar('host', 'move-vm', 'cli-remote', 'local');
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /Moved "cli-remote" to local: .*\n.*old folder is kept at/);
    assert.ok(fs.existsSync(vm.dir), 'without --delete-source the old folder stays');
    const local = JSON.parse(hangar('vm', 'show', 'cli-remote', '--json').stdout) as VmInfo;
    assert.equal(local.hostId, 'local');
    assert.ok(local.dir.startsWith(home));
    assert.equal(hangar('vm', 'delete', 'cli-remote', '--delete-disks').code, 0);
    assert.equal(fs.existsSync(local.dir), false);
  });

  test('host copy verifies the SHA-256 on the target; host remove', () => {
    const src = path.join(home, 'blob.bin');
    const data = randomBytes(1024 * 1024 + 7);
    fs.writeFileSync(src, data);
    const dest = path.join(sshd.homes.good, 'copied', 'blob.bin');
    const r = hangar('host', 'copy', `local:${src}`, `cli-box:${dest}`);
    assert.equal(r.code, 0, r.stderr);
    const sha = createHash('sha256').update(data).digest('hex');
    assert.match(r.stdout, new RegExp(`SHA-256 ${sha} verified`));
    assert.ok(fs.readFileSync(dest).equals(data));

    const removed = hangar('host', 'remove', 'cli-box');
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual((JSON.parse(hangar('host', 'list', '--json').stdout) as HostSummary[]).map((h) => h.kind), ['local']);
  });
});
