import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { VmInfo } from '../../src-main/api/contract';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { CLI, ROOT, tempHome, waitFor } from '../helpers/env';
import { cliRunner } from '../helpers/cli';

// The `hangar` command as a user runs it: a separate process per command, each one an engine
// client (in-process here, since no long-lived engine is running), against real QEMU.

const { home, cleanup } = tempHome('hangar-cli-');
const g = guestFiles();
const env = { ...process.env, HANGAR_HOME: home };

const { hangar } = cliRunner(env);

function show(name: string): VmInfo {
  const r = hangar('vm', 'show', name, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as VmInfo;
}

const vmDirs = () => (fs.existsSync(path.join(home, 'vms')) ? fs.readdirSync(path.join(home, 'vms')).sort() : []);
const guestArgs = ['--memory', '128', '--display', 'none', '--no-network', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND];

after(() => {
  for (const vm of JSON.parse(hangar('vm', 'list', '--json').stdout || '[]') as VmInfo[]) {
    if (vm.state !== 'stopped' && vm.state !== 'crashed') hangar('vm', 'kill', vm.name);
  }
  cleanup();
});

/** Run `hangar vm console NAME` without a terminal and collect what it prints. */
function consoleProcess(name: string) {
  const child = spawn(process.execPath, [CLI, 'vm', 'console', name], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { text: '' };
  child.stdout.on('data', (b: Buffer) => (out.text += b.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, exited };
}

describe('hangar CLI', () => {
  test('doctor reports QEMU, the accelerator and OVMF, exit 0', () => {
    const r = hangar('doctor');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /QEMU: +\d+\.\d+/);
    assert.match(r.stdout, /Accelerator: (KVM|TCG)/);
    const json = JSON.parse(hangar('doctor', '--json').stdout) as { accel: string; qemu: { version: string } };
    assert.ok(json.accel === 'kvm' || json.accel === 'tcg');
  });

  test('doctor without qemu-system-x86_64 in PATH says how to install it, exit 1', () => {
    const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-nobin-'));
    const r = spawnSync(process.execPath, [CLI, 'doctor'], { env: { ...env, PATH: emptyBin }, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /QEMU: +not installed/);
    assert.match(r.stdout, /apt-get install qemu-system-x86 qemu-utils/);
    const create = spawnSync(process.execPath, [CLI, 'vm', 'create', '--name', 'noqemu'], { env: { ...env, PATH: emptyBin }, encoding: 'utf8' });
    assert.equal(create.status, 1);
    assert.match(create.stderr, /QEMU \(qemu-system-x86_64\) is not installed.*apt-get install/);
    fs.rmSync(emptyBin, { recursive: true });
  });

  test('create → start → console shows the banner and runs a command → kill', async () => {
    const created = hangar('vm', 'create', '--name', 'cli-vm', ...guestArgs, '--json');
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as VmInfo).state, 'stopped');
    assert.equal(hangar('vm', 'start', 'cli-vm').code, 0);
    assert.equal(show('cli-vm').state, 'running');

    const c = consoleProcess('cli-vm');
    await waitFor('banner and prompt through `hangar vm console`', () => c.out.text.includes(READY_BANNER) && c.out.text.split(READY_BANNER).pop()!.includes(GUEST_PROMPT), 90000);
    c.child.stdin.write('echo CLI-$((40+2))\n');
    await waitFor('command output through the console', () => c.out.text.includes('CLI-42'), 20000);
    c.child.kill('SIGINT');
    assert.equal(await c.exited, 0);

    const killed = hangar('vm', 'kill', 'cli-vm', '--json');
    assert.equal(killed.code, 0, killed.stderr);
    assert.equal((JSON.parse(killed.stdout) as VmInfo).state, 'stopped');
  });

  test('console of a running VM ends with a message when QEMU is killed (no hang)', async () => {
    assert.equal(hangar('vm', 'start', 'cli-vm').code, 0);
    const c = consoleProcess('cli-vm');
    let err = '';
    c.child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    await waitFor('banner', () => c.out.text.split('--- Hangar: VM started').pop()!.includes(READY_BANNER), 90000);
    process.kill(show('cli-vm').pid!, 'SIGKILL');
    assert.equal(await c.exited, 0);
    assert.match(err, /VM stopped/);
  });

  test('QEMU killed with SIGKILL → `vm show` says crashed, with the last serial lines', async () => {
    const vm = show('cli-vm');
    assert.equal(vm.state, 'crashed');
    assert.match(vm.stateReason ?? '', /SIGKILL/);
    assert.ok(vm.lastSerialLines.some((l) => l.includes(READY_BANNER)));
    const text = hangar('vm', 'show', 'cli-vm');
    assert.match(text.stdout, /State: +crashed/);
    assert.match(text.stdout, /Last serial lines:/);
  });

  test('engine killed with SIGKILL while two guests run → the CLI finds both running and controls them', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'engine-process.ts'), home, 'twin-1', 'twin-2', g.kernel, g.initrd, GUEST_APPEND], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor('two guests started by the engine process', () => out.includes('BOTH-RUNNING'), 90000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const list = JSON.parse(hangar('vm', 'list', '--json').stdout) as VmInfo[];
    assert.deepEqual(list.filter((v) => v.name.startsWith('twin')).map((v) => [v.name, v.state]), [['twin-1', 'running'], ['twin-2', 'running']]);
    assert.equal(hangar('vm', 'pause', 'twin-1').code, 0);
    assert.equal(show('twin-1').state, 'paused');
    assert.equal(hangar('vm', 'resume', 'twin-1').code, 0);
    assert.equal(show('twin-1').state, 'running');
    await waitFor('twin-2 banner', async () => fs.readFileSync(path.join(show('twin-2').dir, 'serial.log'), 'utf8').includes(READY_BANNER), 60000);
    const stop = hangar('vm', 'stop', 'twin-2', '--wait', '--timeout', '60');
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(show('twin-2').state, 'stopped');
    assert.equal(hangar('vm', 'kill', 'twin-1').code, 0);
  });

  test('bad input: each refused with a clear error, exit code 1 or 2, and nothing half-made', () => {
    const before = { list: hangar('vm', 'list', '--json').stdout, dirs: vmDirs() };
    const isoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-isodir-'));
    const cases: Array<{ args: string[]; code: number; message: RegExp }> = [
      { args: ['--name', 'a;rm -rf ~'], code: 2, message: /may not contain "\/" or shell characters/ },
      { args: ['--name', '$(reboot)'], code: 2, message: /shell characters/ },
      { args: ['--name', 'a/b'], code: 2, message: /"\/"/ },
      { args: ['--name', ''], code: 2, message: /name is required/ },
      { args: ['--name', 'x'.repeat(200)], code: 2, message: /at most 64 characters/ },
      { args: ['--name', 'cli-vm'], code: 1, message: /already exists/ },
      { args: ['--name', 'm0', '--memory', '0'], code: 2, message: /at least 16 MiB/ },
      { args: ['--name', 'mneg', '--memory=-5'], code: 2, message: /(not a size|at least 16 MiB)/ },
      { args: ['--name', 'mbig', '--memory', String(64 * 1024 * 1024)], code: 1, message: /more than this host has/ },
      { args: ['--name', 'cbig', '--cpus', '64'], code: 1, message: /CPUs is more than this host has/ },
      { args: ['--name', 'noiso', '--iso', '/nonexistent/x.iso'], code: 2, message: /ISO file "\/nonexistent\/x.iso" does not exist/ },
      { args: ['--name', 'nokernel', '--kernel', '/nonexistent/vmlinuz'], code: 2, message: /Kernel file .* does not exist/ },
      { args: ['--name', 'diriso', '--iso', isoDir], code: 2, message: /is a folder, not a file/ },
      { args: ['--name', 'bad-disk', '--disk', 'lots'], code: 2, message: /not a size/ },
      { args: ['--name', 'fwd', '--forward', '99999:22'], code: 2, message: /1–65535/ },
    ];
    for (const c of cases) {
      const r = hangar('vm', 'create', ...c.args);
      assert.equal(r.code, c.code, `${c.args.join(' ')} → exit ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, c.message, c.args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length <= 2, true, `one-line error for ${c.args.join(' ')}: ${r.stderr}`);
    }
    assert.equal(hangar('vm', 'list', '--json').stdout, before.list);
    assert.deepEqual(vmDirs(), before.dirs);
    fs.rmSync(isoDir, { recursive: true });
  });

  test('bad input on lifecycle: starting a running VM, deleting a running VM, unknown VM, bad usage', async () => {
    assert.equal(hangar('vm', 'start', 'cli-vm').code, 0);
    const again = hangar('vm', 'start', 'cli-vm');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already running/);
    const del = hangar('vm', 'delete', 'cli-vm');
    assert.equal(del.code, 1);
    assert.match(del.stderr, /shut it down or force it off before deleting/);
    assert.equal(show('cli-vm').state, 'running');
    const unknown = hangar('vm', 'start', 'no-such-vm');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No VM named or with id "no-such-vm"/);
    assert.equal(hangar('vm', 'frobnicate').code, 2);
    assert.equal(hangar('vm', 'create').code, 2);
    assert.equal(hangar('vm', 'kill', 'cli-vm').code, 0);
  });

  test('delete keeps disks unless asked, and removes them with --delete-disks', () => {
    assert.equal(hangar('vm', 'create', '--name', 'disky', '--disk', '16M', '--no-network').code, 0);
    const dir = show('disky').dir;
    const disk = path.join(dir, 'disk0.qcow2');
    assert.ok(fs.existsSync(disk));
    const kept = hangar('vm', 'delete', 'disky');
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /kept +.*disk0\.qcow2/);
    assert.ok(fs.existsSync(disk), 'disk kept');
    assert.equal(hangar('vm', 'show', 'disky').code, 1);

    assert.equal(hangar('vm', 'create', '--name', 'disky2', '--disk', '16M', '--no-network').code, 0);
    const dir2 = show('disky2').dir;
    const r = hangar('vm', 'delete', 'disky2', '--delete-disks');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /removed .*disk0\.qcow2/);
    assert.equal(fs.existsSync(dir2), false);
  });
});
