import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { TaskInfo, VmInfo } from '../../src-main/api/contract';
import { tempHome } from '../helpers/env';
import { cliRunner } from '../helpers/cli';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { netnsUnsupportedReason, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';

// `hangar vm move NAME --to HOST [--live]` as a user runs it (one process per command, each an
// in-process engine), with a real sshd in a network namespace as the LAN host.

const skipReason = netnsUnsupportedReason();
if (skipReason) console.log(`# SKIP vm move CLI tests: ${skipReason}`);

const { home, cleanup } = tempHome('hangar-vm-move-cli-');
let sshd: SshdNetns;

const { hangar } = cliRunner({ ...process.env, HANGAR_HOME: home }, { timeoutMs: 300000 });
const vmInfo = (name: string) => JSON.parse(hangar('vm', 'show', name, '--json').stdout) as VmInfo;

describe('hangar vm move (CLI, sshd in a network namespace)', { skip: skipReason ?? false }, () => {
  before(async () => {
    sshd = await startSshdNetns();
    const r = hangar('host', 'add', 'far', sshd.address, '--user', 'root', '--key', sshd.keys.good, '--accept-fingerprint', sshd.hostKeyFingerprint);
    assert.equal(r.code, 0, r.stderr);
    const g = guestFiles();
    const c = hangar('vm', 'create', '--name', 'mover', '--memory', '96', '--disk', '16M', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND, '--display', 'none', '--json');
    assert.equal(c.code, 0, c.stderr + c.stdout);
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

  test('bad input and impossible moves end in sentences that say what to do', () => {
    const storage = hangar('vm', 'move', 'mover', '--to', 'far', '--live', '--storage', 'magic');
    assert.equal(storage.code, 2, storage.stderr);
    assert.match(storage.stderr, /--storage is one of auto, copy, shared/);
    const both = hangar('vm', 'move', 'mover', '--to', 'far', '--live', '--stop');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exclude each other/);
    const nowhere = hangar('vm', 'move', 'mover', '--to', 'atlantis');
    assert.notEqual(nowhere.code, 0);
    assert.match(nowhere.stderr, /No host named "atlantis".*"local" means this computer/);
    const same = hangar('vm', 'move', 'mover', '--to', 'local');
    assert.notEqual(same.code, 0);
    assert.match(same.stderr, /"mover" is already on this computer/);
    const notRunning = hangar('vm', 'move', 'mover', '--to', 'far', '--live');
    assert.notEqual(notRunning.code, 0);
    assert.match(notRunning.stderr, /"mover" is stopped on this computer: a live move needs it running/);
    assert.doesNotMatch(storage.stderr + nowhere.stderr + same.stderr + notRunning.stderr, /Internal error/);
  });

  test('offline there and back (--delete-source), with progress lines and --json', () => {
    const before = vmInfo('mover');
    const out = hangar('vm', 'move', 'mover', '--to', 'far', '--delete-source');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /^Move mover to far$/m, 'the task title first');
    assert.match(out.stderr, /^\d+% .+: /m, 'progress lines on a pipe');
    assert.match(out.stdout, /^Moved "mover" to far \([\d.]+ \w+ copied\): /);
    const there = vmInfo('mover');
    assert.ok(there.dir.startsWith(sshd.homes.good), there.dir);
    assert.ok(!fs.existsSync(before.dir), 'the old folder was removed (--delete-source)');

    const back = hangar('vm', 'move', 'mover', '--to', 'local', '--delete-source', '--json');
    assert.equal(back.code, 0, back.stderr);
    const task = JSON.parse(back.stdout) as TaskInfo;
    assert.equal(task.state, 'succeeded');
    assert.equal(task.result?.dir, before.dir);
    assert.equal(vmInfo('mover').dir, before.dir);
  });

  test('a running machine: refused without --live, then moved --live with its disk (storage auto)', () => {
    assert.equal(hangar('vm', 'start', 'mover').code, 0);
    const started = vmInfo('mover');
    const refused = hangar('vm', 'move', 'mover', '--to', 'far');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /"mover" is running on this computer: move it live \(--live/);

    const live = hangar('vm', 'move', 'mover', '--to', 'far', '--live');
    assert.equal(live.code, 0, live.stderr);
    assert.match(live.stderr, /Disk: .* copied to far/, 'the disk copy shows as progress lines');
    assert.match(live.stderr, /RAM sent/);
    assert.match(live.stdout, /^Moved "mover" to far, running \(.+ of RAM, .+ of disk\): /);
    const moved = vmInfo('mover');
    assert.equal(moved.state, 'running');
    assert.ok(moved.dir.startsWith(sshd.homes.good));
    assert.ok(moved.spec.disks[0]!.path.startsWith(moved.dir), 'the disk moved with it');
    assert.ok(fs.existsSync(started.spec.disks[0]!.path), 'the source disk is kept');
    assert.equal(hangar('vm', 'kill', 'mover').code, 0);
  });
});
