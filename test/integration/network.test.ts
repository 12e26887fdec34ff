import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { MethodInput } from '../../src-main/api/contract';
import { HangarError } from '../../src-main/api/errors';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { tempHome, waitFor, killAllAndClose } from '../helpers/env';

// Networking against real QEMU and the real test guest: an internal network between two guests
// (multicast socket netdev on loopback, no root), a NAT port forward reaching a listener inside
// a guest, and the checks that refuse what cannot work before anything is saved.

const { home, cleanup } = tempHome('hangar-net-');
const g = guestFiles();
let engine: Engine;

type NicIn = NonNullable<MethodInput<'vm.create'>['nics']>[number];
const guestVm = (name: string, nics: NicIn[]): MethodInput<'vm.create'> => ({
  name,
  memoryMiB: 128,
  display: 'none',
  nics,
  kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND },
});

/** A free TCP port on 127.0.0.1 (bound, then released). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitPrompt(vm: string): Promise<void> {
  await waitFor(
    `shell prompt of ${vm}`,
    async () => (await engine.call('vm.serialTail', { vm, maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()!.split(READY_BANNER)[1]?.includes(GUEST_PROMPT),
    120000,
    200,
  );
}

/** A serial console session: type a command, wait for a pattern in what the guest prints after it. */
async function serialShell(vm: string) {
  const clientId = `net-test-${vm}`;
  const ctx = { clientId, origin: 'internal' as const };
  let out = '';
  const unsubscribe = engine.events.subscribe((m, target) => {
    if (m.topic === 'channel.data' && target === clientId) out += Buffer.from(m.data.data, 'base64').toString('utf8');
  });
  const { channelId } = await engine.call('channel.open', { kind: 'serial', vm, scrollbackBytes: 0 }, ctx);
  return {
    async run(cmd: string, pattern: RegExp, timeoutMs = 60000): Promise<RegExpExecArray> {
      const start = out.length;
      await engine.call('channel.write', { channelId, data: Buffer.from(`${cmd}\n`).toString('base64') }, ctx);
      return waitFor(`"${pattern.source}" after "${cmd}" on ${vm}`, () => pattern.exec(out.slice(start)), timeoutMs, 100).catch((e: Error) => {
        throw new Error(`${e.message}; console: ${JSON.stringify(out.slice(start).slice(-1500))}`);
      });
    },
    async close() {
      unsubscribe();
      await engine.call('channel.close', { channelId }, ctx).catch(() => undefined);
    },
  };
}

async function expectError(p: Promise<unknown>, code: string, message: RegExp): Promise<HangarError> {
  const e = await p.then(
    () => assert.fail('expected an error'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof HangarError, String(e));
  assert.equal(e.code, code, e.message);
  assert.match(e.message, message);
  return e;
}

before(async () => {
  engine = await Engine.open({ home, watch: true });
});

after(async () => {
  await killAllAndClose(engine);
  cleanup();
});

describe('networking against real QEMU', () => {
  let forwardPort = 0;

  test('two guests on one internal network ping each other; a NAT port forward reaches a listener in a guest', async () => {
    const lab = await engine.call('network.create', { name: 'lab', description: 'test network' });
    assert.match(lab.mcastGroup, /^239\.\d+\.\d+\.\d+$/);
    forwardPort = await freePort();
    // alpha: eth0 = NAT with a forward (DHCP from slirp at boot), eth1 = internal "lab"; beta: eth0 = internal "lab"
    await engine.call('vm.create', guestVm('alpha', [{ portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: forwardPort, guestPort: 8080 }] }, { mode: 'internal', network: 'LAB' }]));
    await engine.call('vm.create', guestVm('beta', [{ mode: 'internal', network: 'lab' }]));
    // a third guest on another internal network: same subnet, but it must not be reachable
    await engine.call('network.create', { name: 'other' });
    await engine.call('vm.create', guestVm('outsider', [{ mode: 'internal', network: 'other' }]));

    const listed = await engine.call('network.get', { network: 'lab' });
    assert.deepEqual(listed.members.map((m) => `${m.vmName}/${m.nicId}`).sort(), ['alpha/nic1', 'beta/nic0']);
    const alphaSpec = (await engine.call('vm.get', { vm: 'alpha' })).spec;
    assert.equal(alphaSpec.nics[1]!.network, 'lab', 'the network name is stored as the network spells it');

    await engine.call('vm.start', { vm: 'alpha' });
    await engine.call('vm.start', { vm: 'beta' });
    await engine.call('vm.start', { vm: 'outsider' });
    await Promise.all([waitPrompt('alpha'), waitPrompt('beta'), waitPrompt('outsider')]);
    const a = await serialShell('alpha');
    const b = await serialShell('beta');
    const o = await serialShell('outsider');
    try {
      await o.run('ip addr add 10.0.0.3/24 dev eth0; ip link set eth0 up; echo O-UP-$((1+1))', /O-UP-2/);
      await b.run('ip addr add 10.0.0.2/24 dev eth0; ip link set eth0 up; echo B-UP-$((1+1))', /B-UP-2/);
      await a.run('ip addr add 10.0.0.1/24 dev eth1; ip link set eth1 up; echo A-UP-$((1+1))', /A-UP-2/);
      const ping = await a.run('ping -c 3 -W 2 10.0.0.2; echo PING-RC=$?', /PING-RC=(\d+)/, 90000);
      assert.equal(ping[1], '0', 'alpha reached beta over the internal network');
      const back = await b.run('ping -c 3 -W 2 10.0.0.1; echo PING-RC=$?', /PING-RC=(\d+)/, 90000);
      assert.equal(back[1], '0', 'beta reached alpha over the internal network');
      const isolated = await a.run('ping -c 2 -W 1 10.0.0.3; echo PING-RC=$?', /PING-RC=(\d+)/, 90000);
      assert.notEqual(isolated[1], '0', 'a guest on another internal network is not reachable');
      await engine.call('vm.kill', { vm: 'outsider' });

      // NAT: eth0 has its slirp address (udhcpc at boot), then a listener on guest port 8080
      await a.run('i=0; until ip addr show eth0 | grep -q 10.0.2.15 || [ $i -ge 60 ]; do sleep 1; i=$((i+1)); done; ip addr show eth0 | grep -c 10.0.2.15 | sed s/^/DHCP-/', /DHCP-(\d+)/, 90000);
      await a.run('(while true; do nc -l -p 8080 -e echo hello-from-guest; done) & echo NC-STARTED-$((2+3))', /NC-STARTED-5/);
      const reply = await waitFor(
        'a reply through the port forward',
        () =>
          new Promise<string | null>((resolve) => {
            const sock = net.connect({ host: '127.0.0.1', port: forwardPort });
            let data = '';
            sock.setTimeout(5000, () => sock.destroy());
            sock.on('data', (d: Buffer) => (data += d.toString('utf8')));
            sock.on('close', () => resolve(data.includes('hello-from-guest') ? data : null));
            sock.on('error', () => resolve(null));
          }),
        90000,
        500,
      );
      assert.match(reply, /hello-from-guest/);
    } finally {
      await a.close();
      await b.close();
      await o.close();
    }
  });

  test('a network in use cannot be deleted; an unused one can', async () => {
    await expectError(engine.call('network.delete', { network: 'lab' }), 'CONFLICT', /in use by "alpha" \(nic1\), "beta" \(nic0\)/);
    assert.deepEqual((await engine.call('network.list', {})).map((n) => n.name), ['lab', 'other']);
    await engine.call('network.create', { name: 'spare' });
    assert.deepEqual(await engine.call('network.delete', { network: 'spare' }), { deleted: 'spare' });
    await expectError(engine.call('network.create', { name: 'Lab' }), 'CONFLICT', /already exists/);
  });

  test('refused before anything is saved: a port in use, a port another VM forwards, an unknown network, a bridge the host lacks', async () => {
    const before = (await engine.call('vm.list', {})).length;
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const busyPort = (busy.address() as net.AddressInfo).port;
    try {
      await expectError(
        engine.call('vm.create', guestVm('gamma', [{ portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: busyPort, guestPort: 22 }] }])),
        'CONFLICT',
        new RegExp(`127\\.0\\.0\\.1:${busyPort} is already in use by another program`),
      );
      // 0.0.0.0 overlaps with the 127.0.0.1 listener too
      await expectError(
        engine.call('vm.create', guestVm('gamma', [{ portForwards: [{ protocol: 'tcp', hostAddress: '0.0.0.0', hostPort: busyPort, guestPort: 22 }] }])),
        'CONFLICT',
        /already in use by another program/,
      );
    } finally {
      busy.close();
    }
    await expectError(
      engine.call('vm.create', guestVm('gamma', [{ portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: forwardPort, guestPort: 22 }] }])),
      'CONFLICT',
      /already forwarded by VM "alpha"/,
    );
    await expectError(engine.call('vm.create', guestVm('gamma', [{ mode: 'internal', network: 'nowhere' }])), 'NOT_FOUND', /no internal network "nowhere"/);
    await expectError(engine.call('vm.create', guestVm('gamma', [{ mode: 'bridge', bridge: 'hangarbr9' }])), 'UNSUPPORTED', /no network interface "hangarbr9"/);
    await expectError(engine.call('vm.create', guestVm('gamma', [{ mode: 'internal', network: 'lab', portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 40000, guestPort: 22 }] }])), 'INVALID_INPUT', /only on NAT/);
    await expectError(engine.call('vm.create', guestVm('gamma', [{ portForwards: [{ protocol: 'tcp', hostAddress: '10.255.255.254', hostPort: 40001, guestPort: 22 }] }])), 'INVALID_INPUT', /not an address of this computer/);
    assert.equal((await engine.call('vm.list', {})).length, before, 'no VM was saved');
    // an update is refused the same way and leaves the spec as it was
    const beta = await engine.call('vm.get', { vm: 'beta' });
    await engine.call('vm.kill', { vm: 'beta' });
    await expectError(engine.call('vm.update', { vm: 'beta', nics: [{ portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: forwardPort, guestPort: 22 }] }] }), 'CONFLICT', /already forwarded by VM "alpha"/);
    assert.deepEqual((await engine.call('vm.get', { vm: 'beta' })).spec.nics, beta.spec.nics);
  });

  test('a port taken by another program after the VM was created is refused at start, before QEMU runs', async () => {
    const port = await freePort();
    await engine.call('vm.create', guestVm('delta', [{ portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: port, guestPort: 22 }] }]));
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      await expectError(engine.call('vm.start', { vm: 'delta' }), 'CONFLICT', new RegExp(`127\\.0\\.0\\.1:${port} is already in use by another program`));
      const vm = await engine.call('vm.get', { vm: 'delta' });
      assert.equal(vm.state, 'stopped');
      assert.equal(vm.pid, null);
    } finally {
      squatter.close();
    }
    await engine.call('vm.delete', { vm: 'delta', deleteDisks: true });
  });

  test('MAC addresses stay the same when NICs are edited', async () => {
    const beta = await engine.call('vm.get', { vm: 'beta' });
    const mac = beta.spec.nics[0]!.mac;
    const updated = await engine.call('vm.update', { vm: 'beta', nics: [{ mode: 'internal', network: 'lab' }, {}] });
    assert.equal(updated.spec.nics[0]!.mac, mac);
    assert.match(updated.spec.nics[1]!.mac, /^52:54:00:/);
    assert.notEqual(updated.spec.nics[1]!.mac, mac);
  });
});
