import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, describe, test } from 'node:test';
import type { AutostartEntry, NetworkInfo, ScheduleInfo, VmInfo } from '../../src-main/api/contract';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { tempHome } from '../helpers/env';
import { cliRunner } from '../helpers/cli';

// `hangar network|schedule|vm forward|vm autostart|completion` as a user runs them: one process per
// command (in-process engine: no long-lived engine runs here), real SQLite, --json everywhere.

const { home, cleanup } = tempHome('hangar-netcli-');
const g = guestFiles();
const env = { ...process.env, HANGAR_HOME: home };

const { hangar, json } = cliRunner(env, { timeoutMs: 60000 });

after(() => cleanup());

describe('hangar network / schedule / forward / autostart', () => {
  test('networks: create, connect a VM (MAC kept), refuse deleting one in use, disconnect, delete', () => {
    assert.equal(hangar('vm', 'create', '--name', 'n1', '--memory', '128', '--display', 'none', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND).code, 0);
    const lab = json<NetworkInfo>('network', 'create', 'lab', '--description', 'test');
    assert.equal(lab.name, 'lab');
    const natMac = json<VmInfo>('vm', 'show', 'n1').spec.nics[0]!.mac;
    const connected = json<VmInfo>('network', 'connect', 'n1', 'lab');
    assert.deepEqual(connected.spec.nics.map((n) => [n.mode, n.network ?? null]), [['user', null], ['internal', 'lab']]);
    assert.equal(connected.spec.nics[0]!.mac, natMac, 'the existing NIC keeps its MAC');
    assert.match(hangar('vm', 'show', 'n1').stdout, /internal network "lab"/);
    const n2 = json<VmInfo>('vm', 'create', '--name', 'n2', '--memory', '128', '--display', 'none', '--internal-network', 'lab', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND);
    assert.deepEqual(n2.spec.nics.map((n) => [n.mode, n.network]), [['internal', 'lab']]);
    assert.deepEqual(json<NetworkInfo[]>('network', 'list')[0]!.members.map((m) => m.vmName).sort(), ['n1', 'n2']);

    const busy = hangar('network', 'delete', 'lab');
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /^hangar: The internal network "lab" is in use by "n1" \(nic1\), "n2" \(nic0\)/);
    const unknown = hangar('network', 'connect', 'n1', 'nowhere');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /there is no internal network "nowhere"/);
    const noBridge = hangar('network', 'connect', 'n1', '--bridge', 'hangarbr7');
    assert.equal(noBridge.code, 1);
    assert.match(noBridge.stderr, /cannot be bridged to "hangarbr7": There is no network interface/);
    assert.equal(hangar('network', 'connect', 'n1').code, 2, 'a mode is required');

    assert.deepEqual(json<VmInfo>('network', 'disconnect', 'n1', 'lab').spec.nics.map((n) => n.mode), ['user']);
    assert.equal(hangar('vm', 'delete', 'n2').code, 0);
    assert.deepEqual(json<{ deleted: string }>('network', 'delete', 'lab'), { deleted: 'lab' });
    assert.ok(hangar('network', 'bridges').stdout.includes('Bridge helper'));
  });

  test('port forwards: add (127.0.0.1 by default), refuse a port in use with nothing saved, remove', async () => {
    const added = json<VmInfo>('vm', 'forward', 'add', 'n1', '40222:22');
    assert.deepEqual(added.spec.nics[0]!.portForwards, [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 40222, guestPort: 22 }]);
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = hangar('vm', 'forward', 'add', 'n1', `${port}:80`);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`Host port tcp/127\\.0\\.0\\.1:${port} is already in use by another program`));
    } finally {
      server.close();
    }
    assert.equal(json<unknown[]>('vm', 'forward', 'list', 'n1').length, 1, 'nothing saved');
    const bad = hangar('vm', 'forward', 'add', 'n1', 'eighty:80');
    assert.equal(bad.code, 2);
    assert.deepEqual(json<VmInfo>('vm', 'forward', 'remove', 'n1', '40222').spec.nics[0]!.portForwards, []);
  });

  test('schedules: add in a time zone, list with the next run, refuse bad cron / zone (exit 2, nothing saved), run-now, runs, remove', () => {
    const s = json<ScheduleInfo>('schedule', 'add', 'tokyo', '--cron', '0 9 * * *', '--tz', 'Asia/Tokyo', '--action', 'start', '--vm', 'n1');
    assert.match(s.nextRunAt ?? '', /T00:00:00\.000Z$/, '09:00 in Tokyo is 00:00 UTC');
    const badCron = hangar('schedule', 'add', 'x', '--cron', '0 8 * *', '--action', 'start', '--vm', 'n1');
    assert.equal(badCron.code, 2);
    assert.match(badCron.stderr, /is not a valid cron expression/);
    const badZone = hangar('schedule', 'add', 'x', '--cron', '0 8 * * *', '--tz', 'Moon/Tranquility', '--action', 'start', '--vm', 'n1');
    assert.equal(badZone.code, 2);
    assert.match(badZone.stderr, /Unknown time zone "Moon\/Tranquility"/);
    assert.deepEqual(json<ScheduleInfo[]>('schedule', 'list').map((x) => x.name), ['tokyo']);
    const edited = json<ScheduleInfo>('schedule', 'edit', 'tokyo', '--tz', 'Europe/Paris', '--cron', '0 9 * * 1-5');
    assert.deepEqual([edited.timezone, edited.cron, edited.vmName], ['Europe/Paris', '0 9 * * 1-5', 'n1']);
    assert.equal(hangar('schedule', 'edit', 'tokyo').code, 2, 'nothing to change is bad usage');

    // options go before "--"; everything after it is the scheduled command's own arguments
    assert.equal(hangar('schedule', 'add', 'echo', '--cron', '*/5 * * * *', '--action', 'command', '--', 'network', 'list', '--json').code, 0);
    const run = hangar('schedule', 'run-now', 'echo');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /succeeded/);
    const failing = hangar('schedule', 'add', 'failing', '--cron', '*/5 * * * *', '--action', 'command', '--json', '--', 'vm', 'show', 'no-such-vm');
    assert.equal((JSON.parse(failing.stdout) as ScheduleInfo).argv.join(' '), 'vm show no-such-vm');
    assert.equal(json<ScheduleInfo[]>('schedule', 'list').find((x) => x.name === 'echo')?.argv.join(' '), 'network list --json');
    const failed = hangar('schedule', 'run-now', 'failing');
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /failed .*No VM named or with id "no-such-vm"/);
    assert.equal(json<unknown[]>('schedule', 'runs').length, 2);
    assert.equal(json<ScheduleInfo>('schedule', 'disable', 'tokyo').nextRunAt, null);
    for (const name of ['tokyo', 'echo', 'failing']) assert.equal(hangar('schedule', 'remove', name).code, 0);
    assert.deepEqual(json<unknown[]>('schedule', 'list'), []);
  });

  test('autostart on/off with order and delay; completion scripts for bash and zsh', () => {
    const on = json<AutostartEntry>('vm', 'autostart', 'n1', 'on', '--order', '3', '--delay', '10');
    assert.deepEqual([on.enabled, on.order, on.delaySec], [true, 3, 10]);
    assert.equal(json<VmInfo>('vm', 'show', 'n1').spec.autostart, true);
    assert.deepEqual(json<AutostartEntry[]>('vm', 'autostart').map((a) => a.vmName), ['n1']);
    assert.equal(hangar('vm', 'autostart', 'n1', 'maybe').code, 2);
    json<AutostartEntry>('vm', 'autostart', 'n1', 'off');
    assert.deepEqual(json<AutostartEntry[]>('vm', 'autostart'), []);

    const bash = hangar('completion', 'bash');
    assert.equal(bash.code, 0);
    assert.match(bash.stdout, /complete -F _hangar hangar/);
    assert.match(bash.stdout, /'schedule'\) echo 'add edit list remove enable disable runs run-now --help'/);
    assert.match(hangar('completion', 'zsh').stdout, /^#compdef hangar/);
    assert.equal(hangar('completion', 'fish').code, 2);
    assert.match(hangar('schedule', '--help').stdout, /run-now/);
  });
});
