import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { contract, type ImageInfo, type PoolInfo, type VmInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { CLI, tempHome, waitFor } from '../helpers/env';

// Issue 12, items 3 and 4, as a user meets them: a damaged hangar.db (emptied, truncated, garbage),
// one malformed VM row, a database from a newer Hangar, and the inputs that used to get through.
// Real CLI processes, real QEMU (a running guest must be found running after the rebuild).

const { home, cleanup } = tempHome('hangar-faults-data-');
const g = guestFiles();
const env = { ...process.env, HANGAR_HOME: home };
const dbFile = path.join(home, 'hangar.db');

function hangar(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function hangarIn(h: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, HANGAR_HOME: h }, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const ok = (r: { code: number | null; stdout: string; stderr: string }) => {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r.stdout;
};
const vmList = () => JSON.parse(ok(hangar('vm', 'list', '--json'))) as VmInfo[];
const setAside = () => fs.readdirSync(home).filter((n) => /^hangar\.db\.corrupt-/.test(n) && !/-(wal|shm)$/.test(n));
const vmDirs = () => fs.readdirSync(path.join(home, 'vms')).sort();
const guestArgs = ['--memory', '128', '--display', 'none', '--no-network', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND];

after(() => {
  for (const vm of (JSON.parse(hangar('vm', 'list', '--json').stdout || '[]') as VmInfo[]).filter((v) => v.state === 'running')) hangar('vm', 'kill', vm.name);
  cleanup();
});

describe('a lost or corrupt hangar.db loses nothing', () => {
  let imageName = '';
  before(async () => {
    ok(hangar('vm', 'create', '--name', 'runner', ...guestArgs));
    ok(hangar('vm', 'start', 'runner'));
    ok(hangar('vm', 'create', '--name', 'idle', '--disk', '8M', '--no-network', '--display', 'none'));
    const img = JSON.parse(ok(hangar('image', 'import', g.iso, '--name', 'guest-iso', '--json'))) as ImageInfo;
    imageName = img.name;
    ok(hangar('volume', 'create', 'data1', '--size', '4M'));
    await waitFor('runner running', () => vmList().find((v) => v.name === 'runner')?.state === 'running' || null, 60_000);
  });

  const damage: Array<[string, () => void]> = [
    ['emptied', () => fs.truncateSync(dbFile, 0)],
    ['truncated to half', () => fs.truncateSync(dbFile, Math.floor(fs.statSync(dbFile).size / 2))],
    ['overwritten with garbage', () => fs.writeFileSync(dbFile, 'this is not a database, it is garbage\n'.repeat(400))],
  ];
  for (const [how, hurt] of damage) {
    test(`hangar.db ${how}: VMs, image and pool come back from the files; the bad file is kept aside; a message says so`, () => {
      const asideBefore = setAside().length;
      assert.ok(fs.statSync(dbFile).size > 4096, 'the database has content before the damage');
      hurt();
      const r = hangar('vm', 'list', '--json');
      assert.equal(r.code, 0, r.stderr);
      const vms = JSON.parse(r.stdout) as VmInfo[];
      assert.deepEqual(vms.map((v) => v.name).sort(), ['idle', 'runner']);
      // the guest kept running through it all, and the rebuilt inventory knows
      assert.equal(vms.find((v) => v.name === 'runner')?.state, 'running');
      assert.match(r.stderr, /database .*hangar\.db was damaged \(.+\)\. It was moved aside to .*hangar\.db\.corrupt-/);
      assert.match(r.stderr, /Recovered 2 VM\(s\)/);
      assert.match(r.stderr, /Not recovered: /);
      assert.equal(setAside().length, asideBefore + 1, 'the damaged file is kept');
      const images = JSON.parse(ok(hangar('image', 'list', '--json'))) as ImageInfo[];
      assert.equal(images.length, 1);
      assert.equal(images[0]!.format, 'iso');
      assert.ok(imageName.length > 0);
      const pools = JSON.parse(ok(hangar('pool', 'list', '--json'))) as PoolInfo[];
      assert.ok(pools.some((p) => p.path === path.join(home, 'pools', 'default')), 'the default pool is back');
      const doctor = hangar('doctor');
      assert.match(doctor.stdout, /Set aside: +.*hangar\.db\.corrupt-/);
      assert.match(doctor.stdout, /Notice #\d+/);
      // the next call finds a healthy database: no second recovery
      const again = hangar('vm', 'list');
      assert.equal(again.code, 0);
      assert.doesNotMatch(again.stderr, /damaged/);
      assert.equal(setAside().length, asideBefore + 1);
    });
  }

  test('one malformed vms.spec_json: the others keep working, the bad VM shows damaged, can be repaired and removed', async () => {
    const idle = vmList().find((v) => v.name === 'idle')!;
    const hurt = () => {
      const db = new Database(dbFile);
      db.prepare("UPDATE vms SET spec_json = '{bad' WHERE id = ?").run(idle.id);
      db.close();
    };
    hurt();
    const list = hangar('vm', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /idle +DAMAGED/);
    assert.match(list.stdout, /runner +running/);
    assert.match(list.stdout, /idle is damaged: its stored settings \(vms\.spec_json\) are not valid JSON.*hangar vm repair "idle"/);
    ok(hangar('image', 'list'));
    ok(hangar('network', 'list'));
    // what `hangar serve` runs: a long-lived engine
    const engine = await Engine.open({ home, watch: true });
    try {
      const listed = await engine.call('vm.list', {});
      assert.equal(listed.find((v) => v.id === idle.id)?.damaged?.includes('not valid JSON'), true);
      assert.equal(listed.find((v) => v.name === 'runner')?.state, 'running');
    } finally {
      await engine.close();
    }
    const start = hangar('vm', 'start', 'idle');
    assert.equal(start.code, 1);
    assert.match(start.stderr, /Cannot start "idle": .*Repair it from its vm\.json/);
    const repaired = hangar('vm', 'repair', 'idle');
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.equal(vmList().find((v) => v.name === 'idle')?.damaged, undefined);
    assert.equal(vmList().find((v) => v.name === 'idle')?.spec.disks.length, 1);
    hurt();
    const del = hangar('vm', 'delete', 'idle');
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual(vmList().map((v) => v.name), ['runner']);
    assert.ok(fs.existsSync(path.join(idle.dir, 'disk0.qcow2')), 'a damaged VM is removed from the list; its files are kept');
  });

  test('a database written by a newer Hangar is refused with a sentence and left untouched', () => {
    const db = new Database(dbFile);
    const ours = db.pragma('user_version', { simple: true }) as number;
    db.pragma('user_version = 9999');
    db.close();
    const sizeBefore = fs.statSync(dbFile).size;
    const aside = setAside().length;
    const r = hangar('vm', 'list');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /hangar\.db was written by a newer Hangar \(database schema 9999; this Hangar knows up to \d+\)\. It was left untouched/);
    assert.equal(setAside().length, aside);
    assert.equal(fs.statSync(dbFile).size, sizeBefore);
    const back = new Database(dbFile);
    back.pragma(`user_version = ${ours}`);
    back.close();
    ok(hangar('vm', 'list'));
  });
});

describe('inputs that used to get through', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-faults-in-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('--iso pointing at a text file or /dev/null is refused by content; nothing is created', async () => {
    const text = path.join(scratch, 'notes.iso');
    fs.writeFileSync(text, 'just some text, named like an ISO\n');
    const dirs = vmDirs();
    for (const [iso, why] of [
      [text, /"[^"]*notes\.iso" is not an ISO image: it has no ISO 9660 or UDF volume descriptor/],
      ['/dev/null', /"\/dev\/null" is not an ISO image: it is a device or special file/],
    ] as const) {
      const r = hangar('vm', 'create', '--name', 'bad-iso', '--iso', iso, '--no-network');
      assert.equal(r.code, 2, r.stdout); // INVALID_INPUT: the CLI's "bad input" exit code
      assert.match(r.stderr, why);
      assert.deepEqual(vmDirs(), dirs);
    }
    // a real ISO still works
    ok(hangar('vm', 'create', '--name', 'good-iso', '--iso', g.iso, '--no-network'));
    // the API's cdrom insert and update too
    const engine = await Engine.open({ home });
    try {
      await assert.rejects(engine.call('vm.cdrom.insert', { vm: 'good-iso', path: text }), /notes\.iso" is not an ISO image/);
      await assert.rejects(engine.call('vm.update', { vm: 'good-iso', isoPath: '/dev/null' }), /"\/dev\/null" is not an ISO image/);
    } finally {
      await engine.close();
    }
    assert.equal(vmList().find((v) => v.name === 'good-iso')?.spec.cdrom, g.iso);
    ok(hangar('vm', 'delete', 'good-iso'));
  });

  test('a corrupt qcow2 given to --attach-disk is refused with qemu-img\'s reason; one corrupted later cannot start', () => {
    const bad = path.join(scratch, 'bad.qcow2');
    assert.equal(spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', bad, '16M']).status, 0);
    const fd = fs.openSync(bad, 'r+');
    fs.writeSync(fd, Buffer.alloc(512, 0xff), 0, 512, 65536); // the refcount table
    fs.closeSync(fd);
    const dirs = vmDirs();
    const r = hangar('vm', 'create', '--name', 'bad-disk', '--attach-disk', bad, '--no-network');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.qcow2" is damaged: qemu-img check found \d+ damaged clusters?/);
    assert.deepEqual(vmDirs(), dirs);

    const later = path.join(scratch, 'later.qcow2');
    assert.equal(spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', later, '16M']).status, 0);
    ok(hangar('vm', 'create', '--name', 'later', '--attach-disk', later, ...guestArgs));
    const fd2 = fs.openSync(later, 'r+');
    fs.writeSync(fd2, Buffer.alloc(512, 0xff), 0, 512, 65536);
    fs.closeSync(fd2);
    const start = hangar('vm', 'start', 'later');
    assert.equal(start.code, 2);
    assert.match(start.stderr, /later\.qcow2" is damaged/);
    assert.equal(vmList().find((v) => v.name === 'later')?.state, 'stopped');
    ok(hangar('vm', 'delete', 'later'));
  });

  test('a 7-field cron expression is refused (5 fields, or 6 with seconds, are accepted)', () => {
    const r = hangar('schedule', 'add', 'seven', '--cron', '0 0 8 * * 1-5 2027', '--action', 'start', '--vm', 'runner');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"0 0 8 \* \* 1-5 2027" is not a valid cron expression: it has 7 fields; use 5 .* or 6 with seconds first/);
    assert.doesNotMatch(hangar('schedule', 'list').stdout, /seven/);
    ok(hangar('schedule', 'add', 'six', '--cron', '30 0 8 * * 1-5', '--action', 'start', '--vm', 'runner'));
    ok(hangar('schedule', 'remove', 'six'));
  });

  test('every method that takes a hostId refuses an unknown one', async () => {
    const inputs: Record<string, Record<string, unknown>> = {
      'host.capabilities': { hostId: 'nope' },
      'vm.create': { name: 'nowhere', hostId: 'nope' },
      'image.import': { hostId: 'nope', path: g.iso },
      'image.download': { hostId: 'nope', url: 'http://127.0.0.1:9/x.iso' },
      'metrics.watch': { hostId: 'nope' },
      'metrics.unwatch': { hostId: 'nope' },
      'metrics.hostCurrent': { hostId: 'nope' },
      'metrics.hostHistory': { hostId: 'nope', range: '10m' },
      'pool.list': { hostId: 'nope' },
      'pool.add': { name: 'p', path: '/tmp/nope-pool', hostId: 'nope' },
      'network.bridges': { hostId: 'nope' },
      'channel.open': { kind: 'shell', hostId: 'nope' },
      'host.copyFile': { from: { hostId: 'nope', path: g.iso }, to: { hostId: 'local', path: '/tmp/x' } },
      'host.moveVm': { vm: 'runner', toHostId: 'nope' },
      'os.detect': { hostId: 'nope', path: g.iso },
      'appliance.inspect': { hostId: 'nope', path: g.iso },
      'appliance.import': { hostId: 'nope', path: g.iso },
      'cloudinit.createVm': { name: 'nowhere-cloud', hostId: 'nope', image: 'none', cloudInit: { user: 'alice', hostname: 'nowhere', password: 'x' } },
    };
    // the list above covers every method whose input names a host by id
    const takesHost = Object.entries(contract)
      .filter(([, def]) => {
        try {
          return /"(hostId|toHostId)"/.test(JSON.stringify(z.toJSONSchema(def.input, { unrepresentable: 'any', io: 'input' })));
        } catch {
          return false;
        }
      })
      .map(([m]) => m)
      .filter((m) => m !== 'vm.list');
    for (const m of takesHost) assert.ok(m in inputs, `${m} takes a hostId: add it to this test`);
    const engine = await Engine.open({ home });
    try {
      for (const [m, input] of Object.entries(inputs)) {
        await assert.rejects(engine.call(m, input), (e: { code?: string; message?: string }) => {
          assert.equal(e.code, 'NOT_FOUND', `${m}: ${e.message}`);
          assert.match(e.message ?? '', /No host with id "nope"/, m);
          return true;
        });
      }
    } finally {
      await engine.close();
    }
  });
});

describe('a full disk gives a typed sentence', () => {
  test('ENOSPC on a small tmpfs home: "No space left on …: needs X, has Y", never "Internal error"', (t) => {
    if (process.getuid?.() !== 0) return t.skip('not root: cannot mount a small tmpfs to fill (run as root to cover ENOSPC)');
    const small = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-full-'));
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', small], { encoding: 'utf8' });
    if (mount.status !== 0) {
      fs.rmSync(small, { recursive: true, force: true });
      return t.skip(`cannot mount a tmpfs here (${mount.stderr.trim()}): ENOSPC not covered`);
    }
    try {
      ok(hangarIn(small, 'vm', 'list'));
      // leave ~1 MiB free, then import an image bigger than that
      const filler = path.join(small, 'filler');
      spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'count=40'], { encoding: 'utf8' });
      fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - 1024 * 1024));
      const imp = hangarIn(small, 'image', 'import', g.disk);
      assert.equal(imp.code, 1);
      assert.match(imp.stderr, /No space left on the image library \(.*\): needs [\d.]+ [KMG]i?B, has [\d.]+ [KMG]?i?B free/);
      assert.doesNotMatch(imp.stderr, /Internal error|interrupted/);
      // now nothing at all is free: a VM's vm.json cannot be written
      spawnSync('dd', ['if=/dev/zero', `of=${filler}2`, 'bs=64k', 'count=100'], { encoding: 'utf8' });
      const create = hangarIn(small, 'vm', 'create', '--name', 'nospace', '--no-network', '--display', 'none');
      assert.equal(create.code, 1);
      assert.match(create.stderr, /No space left on .*: has [\d.]+ [KMG]?i?B free/);
      assert.doesNotMatch(create.stderr, /Internal error|ENOSPC/);
      const made = path.join(small, 'vms');
      assert.ok(!fs.existsSync(made) || fs.readdirSync(made).length === 0, 'nothing half-made');
    } finally {
      spawnSync('umount', [small]);
      fs.rmSync(small, { recursive: true, force: true });
    }
  });
});
