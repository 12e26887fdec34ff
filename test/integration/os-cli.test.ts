import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { OsDetection, OsEntry, VmInfo } from '../../src-main/api/contract';
import { CLI, tempHome } from '../helpers/env';
import { buildIso } from '../helpers/os-isos';

// `hangar os ...` and `hangar vm create --os-id` as a user runs them (built CLI, in-process engine).

const { home, cleanup } = tempHome('hangar-os-cli-');
const env = { ...process.env, HANGAR_HOME: home };
after(cleanup);

function hangar(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const json = <T>(...args: string[]): T => {
  const r = hangar([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};

describe('hangar os (CLI)', () => {
  test('os list --search finds Windows 11 and Debian 11; the table names minimums and firmware', () => {
    const win = json<OsEntry[]>('os', 'list', '--search', 'windows 11');
    assert.deepEqual(win.map((o) => o.id), ['win11']);
    const all = json<OsEntry[]>('os', 'list');
    assert.ok(all.length > 500, `${all.length} OSes`);
    const text = hangar(['os', 'list', '--search', 'debian 11']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ID\s+NAME\s+VENDOR/);
    assert.match(text.stdout, /debian11\s+Debian 11\s+Debian Project\s+2021-08-14\s+1 \/ 1 GiB \/ 10.0 GiB\s+BIOS/);
    assert.match(hangar(['os', 'list', '--search', 'windows 11']).stdout, /win11 .* 2 \/ 4 GiB \/ 64.0 GiB\s+UEFI\+TPM/);
  });

  test('os detect: a Windows 11 ISO, an unknown ISO, a text file', () => {
    const dir = path.join(home, 'isos');
    const d = json<OsDetection>('os', 'detect', buildIso(dir, 'windows11'));
    assert.equal(d.os?.id, 'win11');
    const plain = hangar(['os', 'detect', buildIso(dir, 'unknown')]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /Volume ID:\s+MY_HOLIDAY_PHOTOS/);
    assert.match(plain.stdout, /OS:\s+Unknown OS/);
    const txt = path.join(dir, 'readme.txt');
    fs.writeFileSync(txt, 'hello\n');
    const bad = hangar(['os', 'detect', txt]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /is not an ISO image/);
  });

  test('vm create --os-id win11: the OS defaults; --os-id debian11 with overrides keeps them and warns under the minimum', () => {
    const w = json<VmInfo>('vm', 'create', '--name', 'win', '--os-id', 'win11');
    const s = w.spec;
    assert.deepEqual(
      { os: s.os, cpus: s.cpus, mem: s.memoryMiB, fw: s.firmware, sb: s.secureBoot, tpm: s.tpm, machine: s.machine, rtc: s.rtc, hv: s.hyperv, bus: s.disks[0]?.bus, nic: s.nics[0]?.model },
      { os: { family: 'windows', variant: '', id: 'win11', name: 'Microsoft Windows 11' }, cpus: 2, mem: 4096, fw: 'uefi', sb: true, tpm: true, machine: 'q35', rtc: 'localtime', hv: true, bus: 'sata', nic: 'e1000e' },
    );
    const info = JSON.parse(spawnSync('qemu-img', ['info', '--output=json', s.disks[0]!.path], { encoding: 'utf8' }).stdout) as { 'virtual-size': number };
    assert.equal(info['virtual-size'], 64 * 1024 ** 3, 'a 64 GiB disk (sparse)');
    const shown = hangar(['vm', 'show', 'win']);
    assert.match(shown.stdout, /OS \(osinfo\): Microsoft Windows 11 \(win11\)/);
    assert.match(shown.stdout, /Clock:\s+RTC localtime, Hyper-V enlightenments/);

    const r = hangar(['vm', 'create', '--name', 'deb', '--os-id', 'debian11', '--memory', '512', '--disk', '2G', '--nic-model', 'e1000', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: Debian 11 needs at least 1 GiB of memory \(given 512 MiB\)/);
    assert.match(r.stderr, /warning: Debian 11 needs a disk of at least 10.0 GiB/);
    const d = (JSON.parse(r.stdout) as VmInfo).spec;
    assert.deepEqual([d.memoryMiB, d.cpus, d.firmware, d.disks[0]?.bus, d.nics[0]?.model, d.rtc, d.os.id], [512, 2, 'bios', 'virtio', 'e1000', 'utc', 'debian11']);

    const bad = hangar(['vm', 'create', '--name', 'x', '--os-id', 'no-such-os']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /osinfo-db knows no OS "no-such-os"/);
  });

  test('without osinfo-db: doctor says how to install it, os list says so, vm create still works with a family', () => {
    const noDb = { HANGAR_OSINFO_DIRS: '' };
    const doc = hangar(['doctor'], noDb);
    assert.match(doc.stdout, /warn osinfo-db:\s+osinfo-db is not installed.*apt install osinfo-db/);
    assert.match(hangar(['os', 'list'], noDb).stdout, /osinfo-db is not installed/);
    const r = hangar(['vm', 'create', '--name', 'plain', '--os', 'bsd', '--json'], noDb);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as VmInfo).spec.os.family, 'bsd');
  });
});
