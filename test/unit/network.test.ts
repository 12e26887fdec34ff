import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { NicInput, VmSpecSchema, type PortForward, type VmInfo, type VmSpec } from '../../src-main/api/contract';
import { HangarError } from '../../src-main/api/errors';
import { LocalHost } from '../../src-main/hosts/local-host';
import { checkForwardRules, checkPortForwards, portPrivileges } from '../../src-main/hosts/port-check';
import { bridgeProblem, hostBridges } from '../../src-main/network/bridge-check';
import { buildQemuArgv } from '../../src-main/qemu/argv';
import { runtimeRoot, vmPaths } from '../../src-main/qemu/paths';
import { draftFromVm, toUpdateInput } from '../../src-renderer/features/settings/settings-logic';

// NIC modes in the spec and in QEMU's argv (golden), and the port-forward rules.

import { assertGolden } from '../helpers/golden';
const paths = vmPaths('/home/u/.local/share/hangar', runtimeRoot('/home/u/.local/share/hangar', 1000), '11111111-2222-4333-8444-555555555555');
const fwd = (hostPort: number, over: Partial<PortForward> = {}): PortForward => ({ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort, guestPort: 22, ...over });

const spec: VmSpec = VmSpecSchema.parse({
  version: 1,
  id: '11111111-2222-4333-8444-555555555555',
  name: 'router',
  os: { family: 'linux' },
  cpus: 1,
  memoryMiB: 256,
  firmware: 'bios',
  machine: 'q35',
  disks: [],
  cdrom: null,
  kernel: null,
  nics: [
    { id: 'nic0', mode: 'user', model: 'virtio-net-pci', mac: '52:54:00:00:00:01', portForwards: [fwd(2222), fwd(5353, { protocol: 'udp', hostAddress: '0.0.0.0', guestPort: 53 })] },
    { id: 'nic1', mode: 'internal', network: 'lab', model: 'e1000', mac: '52:54:00:00:00:02' },
    { id: 'nic2', mode: 'bridge', bridge: 'br0', model: 'virtio-net-pci', mac: '52:54:00:00:00:03' },
  ],
  display: 'none',
  bootOrder: ['network', 'disk'],
});

test('argv: NAT with forwards, internal network (multicast socket on loopback) and bridge NICs match golden', () => {
  const argv = buildQemuArgv(spec, paths, { accel: 'tcg', ovmf: null, internalNetworks: { lab: { mcastGroup: '239.1.2.3', mcastPort: 41000 } } });
  assertGolden('nics-nat-internal-bridge', argv);
  const netdevs = argv.flatMap((a, i) => (a === '-netdev' ? [argv[i + 1]] : []));
  assert.deepEqual(netdevs, [
    'user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp:0.0.0.0:5353-:53',
    'socket,id=net1,mcast=239.1.2.3:41000,localaddr=127.0.0.1',
    'bridge,id=net2,br=br0',
  ]);
  assert.ok(argv.includes('e1000,id=nic1,netdev=net1,mac=52:54:00:00:00:02,romfile='));
});

test('argv: an internal NIC whose network endpoint is unknown is an error, not a NIC on no network', () => {
  assert.throws(() => buildQemuArgv(spec, paths, { accel: 'tcg', ovmf: null }), /Internal network "lab" is unknown/);
});

test('NIC schema: each mode needs its own field; forwards only with NAT; bridge names cannot smuggle QEMU options', () => {
  const issue = (v: unknown) => {
    const r = NicInput.safeParse(v);
    return r.success ? null : r.error.issues[0]!.message;
  };
  assert.equal(issue({ mode: 'internal', network: 'lab' }), null);
  assert.equal(issue({ mode: 'bridge', bridge: 'br0' }), null);
  assert.equal(issue({}), null, 'NAT is the default');
  assert.match(issue({ mode: 'internal' })!, /needs the name of its internal network/);
  assert.match(issue({ mode: 'bridge' })!, /needs the name of the host bridge/);
  assert.match(issue({ mode: 'bridge', bridge: 'br0,script=/tmp/x' })!, /host interface name/);
  assert.match(issue({ mode: 'bridge', bridge: 'averyveryverylongname' })!, /at most 15/);
  assert.match(issue({ network: 'lab' })!, /Only an internal NIC has a network name/);
  assert.match(issue({ mode: 'internal', network: 'lab', portForwards: [fwd(2222)] })!, /only on NAT/);
  assert.match(issue({ mode: 'internal', network: 'a/b' })!, /network name may use letters/);
});

const code = (fn: () => void): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof HangarError);
    return `${e.code}: ${e.message}`;
  }
  return 'ok';
};

test('forward rules: privileged ports need root (or a lowered ip_unprivileged_port_start)', () => {
  const user = { uid: 1000, unprivilegedPortStart: 1024 };
  assert.match(code(() => checkForwardRules([fwd(80, { guestPort: 80 })], [], user)), /^INVALID_INPUT: Host port 80 is privileged \(below 1024\).*choose a host port of 1024 or above \(the guest port can stay 80\)/);
  assert.equal(code(() => checkForwardRules([fwd(80)], [], { uid: 0, unprivilegedPortStart: 1024 })), 'ok', 'root may');
  assert.equal(code(() => checkForwardRules([fwd(80)], [], { uid: 1000, unprivilegedPortStart: 0 })), 'ok', 'the admin lowered the limit');
  assert.equal(code(() => checkForwardRules([fwd(1024)], [], user)), 'ok');
});

test('forward rules: duplicates and other VMs, with 0.0.0.0 overlapping every address', () => {
  const root = { uid: 0, unprivilegedPortStart: 1024 };
  assert.match(code(() => checkForwardRules([fwd(2222), fwd(2222, { guestPort: 80 })], [], root)), /^CONFLICT: Host port tcp\/2222 is forwarded twice/);
  assert.equal(code(() => checkForwardRules([fwd(2222), fwd(2222, { protocol: 'udp' })], [], root)), 'ok', 'tcp and udp are different ports');
  assert.equal(code(() => checkForwardRules([fwd(2222), fwd(2222, { hostAddress: '127.0.0.2' })], [], root)), 'ok', 'different addresses');
  const used = [{ vm: 'web', protocol: 'tcp', hostAddress: '0.0.0.0', hostPort: 8080 }];
  assert.match(code(() => checkForwardRules([fwd(8080)], used, root)), /already forwarded by VM "web"/);
  assert.equal(code(() => checkForwardRules([fwd(8080, { protocol: 'udp' })], used, root)), 'ok');
});

test('port probe on this computer: a TCP or UDP port in use, and an address the computer does not have', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-portcheck-'));
  const host = new LocalHost(home);
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const dgram = await import('node:dgram');
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  const udpPort = udp.address().port;
  try {
    await assert.rejects(checkPortForwards(host, [fwd(port)], []), (e: HangarError) => e.code === 'CONFLICT' && /already in use by another program/.test(e.message) && e.details?.field === 'portForwards');
    await assert.rejects(checkPortForwards(host, [fwd(udpPort, { protocol: 'udp' })], []), /udp\/127\.0\.0\.1:\d+ is already in use/);
    await assert.rejects(checkPortForwards(host, [fwd(41234, { hostAddress: '192.0.2.77' })], []), /192\.0\.2\.77 is not an address of this computer/);
    await checkPortForwards(host, [fwd(port)], [], false); // start-time re-checks may skip the probe
    const priv = await portPrivileges(host);
    assert.equal(priv.uid, process.getuid!());
    assert.equal(priv.unprivilegedPortStart, Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim()));
  } finally {
    server.close();
    udp.close();
    await host.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('bridges: a missing interface, a non-bridge interface, and the host report say what is wrong', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-bridge-'));
  const host = new LocalHost(home);
  try {
    assert.match((await bridgeProblem(host, 'nosuchbr0'))!, /no network interface "nosuchbr0"/);
    assert.match((await bridgeProblem(host, 'lo'))!, /"lo" is a network interface but not a bridge/);
    const report = await hostBridges(host);
    assert.equal(report.hostId, 'local');
    for (const b of report.bridges) assert.equal(b.usable, b.reason === null);
  } finally {
    await host.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('the settings dialog keeps internal and bridged NICs as they are when the NAT NIC is edited', () => {
  const vm = { id: spec.id, name: spec.name, spec, state: 'stopped' } as unknown as VmInfo;
  const draft = draftFromVm(vm);
  const input = toUpdateInput({ ...draft, portForwards: draft.portForwards.slice(0, 1) }, vm);
  assert.deepEqual(
    input.nics?.map((n) => [n.mode ?? 'user', n.network ?? n.bridge ?? '', n.mac]),
    [
      ['user', '', '52:54:00:00:00:01'],
      ['internal', 'lab', '52:54:00:00:00:02'],
      ['bridge', 'br0', '52:54:00:00:00:03'],
    ],
  );
});
