import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { PoolInfo, SnapshotTree, VmInfo, VolumeInfo } from '../../src-main/api/contract';
import { CLI, tempHome } from '../helpers/env';
import { cliRunner } from '../helpers/cli';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';

// `hangar pool|volume|snapshot` as a user runs them: one process per command, real files.
// HANGAR_TEST_CLI points at another build of bin/hangar.js (default: this checkout's).

const cli = process.env.HANGAR_TEST_CLI ?? CLI;
const built = fs.existsSync(path.join(path.dirname(cli), '..', 'dist', 'main', 'cli', 'main.js'));
const { home, cleanup } = tempHome('hangar-storage-cli-');
const env = { ...process.env, HANGAR_HOME: home, HANGAR_CLI_IN_PROCESS: '1' };

const { hangar, json } = cliRunner(env, { cli });

after(cleanup);

describe('hangar pool / volume / snapshot', { skip: built ? false : 'the CLI is not built: run npm run build:main' }, () => {
  test('volumes: create, list, grow, refuse shrink (exit 2), attach, refuse deleting attached (exit 1), detach, delete --yes', () => {
    const g = guestFiles();
    assert.equal(hangar('vm', 'create', '--name', 'box', '--memory', '128', '--display', 'none', '--no-network', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND).code, 0);
    const vol = json<VolumeInfo>('volume', 'create', 'data', '--size', '64M');
    assert.equal(vol.virtualBytes, 64 * 1024 * 1024);
    assert.match(hangar('volume', 'list').stdout, /^data\s+default\s+qcow2\s+64\.0 MiB/m);
    assert.equal(json<VolumeInfo>('volume', 'resize', 'data', '128M').virtualBytes, 128 * 1024 * 1024);
    const shrink = hangar('volume', 'resize', 'data', '1M');
    assert.equal(shrink.code, 2);
    assert.match(shrink.stderr, /can only grow/);
    assert.equal(JSON.parse(execFileSync('qemu-img', ['info', '--output=json', vol.path], { encoding: 'utf8' }))['virtual-size'], 128 * 1024 * 1024);

    assert.equal(json<VolumeInfo>('volume', 'attach', 'data', 'box', '--bus', 'sata').attachedTo?.vmName, 'box');
    assert.deepEqual(json<VmInfo>('vm', 'show', 'box').spec.disks.map((d) => [d.path, d.bus, d.owned]), [[vol.path, 'sata', false]]);
    const del = hangar('volume', 'delete', 'data', '--yes');
    assert.equal(del.code, 1);
    assert.match(del.stderr, /attached to the VM "box": detach it first/);
    assert.equal(hangar('volume', 'detach', 'data').code, 0);
    assert.equal(hangar('volume', 'delete', 'data').code, 2, 'no --yes: refused');
    assert.ok(fs.existsSync(vol.path));
    assert.equal(hangar('volume', 'delete', 'data', '--yes').code, 0);
    assert.ok(!fs.existsSync(vol.path));
  });

  test('snapshots of a stopped VM: create, tree, revert needs --yes, delete', () => {
    const g = guestFiles();
    assert.equal(hangar('vm', 'create', '--name', 'snap', '--memory', '128', '--display', 'none', '--no-network', '--disk', '16M', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND).code, 0, 'vm with a qcow2 disk');
    assert.equal(hangar('snapshot', 'create', 'snap', 'one', '-d', 'first').code, 0);
    assert.equal(hangar('snapshot', 'create', 'snap', 'two').code, 0);
    assert.match(hangar('snapshot', 'list', 'snap').stdout, /^- one .*"first"\n {2}\* two /m);
    const revert = hangar('snapshot', 'revert', 'snap', 'one');
    assert.equal(revert.code, 2);
    assert.match(revert.stderr, /--yes/);
    assert.equal(hangar('snapshot', 'revert', 'snap', 'one', '--yes').code, 0);
    assert.equal(json<SnapshotTree>('snapshot', 'list', 'snap').snapshots.find((s) => s.current)?.name, 'one');
    assert.equal(hangar('snapshot', 'delete', 'snap', 'two').code, 0);
    assert.deepEqual(json<SnapshotTree>('snapshot', 'list', 'snap').snapshots.map((s) => s.name), ['one']);
    const bad = hangar('snapshot', 'create', 'snap', 'a/b');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /may not contain "\/"/);
  });

  test('pools: list, add (a file is refused), show orphans, remove', () => {
    const file = path.join(home, 'not-a-folder');
    fs.writeFileSync(file, '');
    const r = hangar('pool', 'add', 'f', file);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a file, not a folder/);
    assert.equal(hangar('pool', 'add', 'fast', path.join(home, 'fast'), '--create').code, 0);
    assert.deepEqual(json<PoolInfo[]>('pool', 'list').map((p) => p.name), ['default', 'fast']);
    fs.writeFileSync(path.join(home, 'fast', 'stray.img'), 'x');
    assert.match(hangar('pool', 'show', 'fast').stdout, /Orphan files:\n {2}.*stray\.img/);
    assert.equal(hangar('pool', 'remove', 'fast').code, 0);
    assert.ok(fs.existsSync(path.join(home, 'fast', 'stray.img')), 'files stay');
  });
});
