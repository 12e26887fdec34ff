import type { Command } from 'commander';
import type { MethodInput, Nic, PortForward, VmInfo } from '../../api/contract';
import type { EngineClient } from '../engine-client';
import { UsageError, parseInteger, print, withClient } from '../common';
import { parseForward } from '../main';
import { table } from '../output';

/** `hangar network ...` (internal networks, host bridges, NICs) and `hangar vm forward ...` (NAT port forwards). */
export function registerNetworkCommands(program: Command): void {
  const network = program.command('network').description('Internal networks between VMs, host bridges, and the NICs of a VM.');

  network
    .command('list')
    .description('List internal networks and the VMs on them.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const nets = await withClient((c) => c.call('network.list', {}));
      print(!!o.json, nets, () =>
        nets.length === 0
          ? 'No internal networks yet. Create one with: hangar network create NAME'
          : table(nets.map((n) => [n.name, String(n.members.length), n.members.map((m) => m.vmName).join(', '), `${n.mcastGroup}:${n.mcastPort}`]), ['NAME', 'VMS', 'MEMBERS', 'MULTICAST']),
      );
    });

  network
    .command('show <network>')
    .description('Show one internal network and its members.')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const n = await withClient((c) => c.call('network.get', { network: ref }));
      print(!!o.json, n, () =>
        [
          `Name:        ${n.name}`,
          `ID:          ${n.id}`,
          ...(n.description ? [`Description: ${n.description}`] : []),
          `Multicast:   ${n.mcastGroup}:${n.mcastPort} (loopback only)`,
          n.members.length ? table(n.members.map((m) => [m.vmName, m.nicId, m.mac, m.vmState]), ['VM', 'NIC', 'MAC', 'STATE']) : 'No VM is on this network.',
        ].join('\n'),
      );
    });

  network
    .command('create <name>')
    .description('Create an internal network: VMs on it reach each other, not the outside (no root needed).')
    .option('--description <text>', 'free text')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { description?: string; json?: boolean }) => {
      const n = await withClient((c) => c.call('network.create', { name, ...(o.description ? { description: o.description } : {}) }));
      print(!!o.json, n, () => `Created internal network "${n.name}". Put a VM on it with: hangar network connect VM ${n.name}`);
    });

  network
    .command('delete <network>')
    .description('Delete an internal network no NIC uses.')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const r = await withClient((c) => c.call('network.delete', { network: ref }));
      print(!!o.json, r, () => `Deleted internal network "${r.deleted}".`);
    });

  network
    .command('bridges')
    .description('Host bridges a NIC can be bridged to, and whether QEMU may use each here.')
    .option('--host <id>', 'host id', 'local')
    .option('--json', 'print JSON')
    .action(async (o: { host: string; json?: boolean }) => {
      const r = await withClient((c) => c.call('network.bridges', { hostId: o.host }));
      print(!!o.json, r, () => {
        const lines = [`Bridge helper: ${r.helper ?? 'not installed (qemu-bridge-helper)'}`];
        if (r.bridges.length === 0) lines.push('No bridges on this host. Bridged NICs need a Linux bridge (e.g. br0) set up by the administrator.');
        for (const b of r.bridges) lines.push(`${b.usable ? 'ok  ' : 'no  '} ${b.name}${b.reason ? `: ${b.reason}` : ''}`);
        return lines.join('\n');
      });
    });

  network
    .command('connect <vm> [network]')
    .description('Add a NIC to a stopped VM: on an internal network (default), or --nat, or --bridge NAME.')
    .option('--nat', 'a NAT (user mode) NIC instead')
    .option('--bridge <name>', 'bridge the NIC to this host bridge instead')
    .option('--json', 'print JSON')
    .action(async (vmRef: string, networkName: string | undefined, o: { nat?: boolean; bridge?: string; json?: boolean }) => {
      const modes = [networkName !== undefined, !!o.nat, o.bridge !== undefined].filter(Boolean).length;
      if (modes !== 1) throw new UsageError('Give exactly one of: an internal network name, --nat, or --bridge NAME.');
      const nic: NicInput = o.nat ? { mode: 'user' } : o.bridge ? { mode: 'bridge', bridge: o.bridge } : { mode: 'internal', network: networkName! };
      const info = await withClient(async (c) => {
        const vm = await c.call('vm.get', { vm: vmRef });
        return c.call('vm.update', { vm: vmRef, nics: [...vm.spec.nics.map(toInput), nic] });
      });
      print(!!o.json, info, () => `${info.name}: ${describeNics(info)}`);
    });

  network
    .command('disconnect <vm> <nic>')
    .description('Remove a NIC (by id, e.g. nic1, or by internal network name) from a stopped VM.')
    .option('--json', 'print JSON')
    .action(async (vmRef: string, which: string, o: { json?: boolean }) => {
      const info = await withClient(async (c) => {
        const vm = await c.call('vm.get', { vm: vmRef });
        const keep = vm.spec.nics.filter((n) => n.id !== which && n.network?.toLowerCase() !== which.toLowerCase());
        if (keep.length === vm.spec.nics.length) throw new UsageError(`"${vm.name}" has no NIC "${which}" (its NICs: ${vm.spec.nics.map((n) => n.id).join(', ') || 'none'}).`);
        return c.call('vm.update', { vm: vmRef, nics: keep.map(toInput) });
      });
      print(!!o.json, info, () => `${info.name}: ${describeNics(info)}`);
    });

  registerForwardCommands(program);
}

type NicInput = NonNullable<MethodInput<'vm.update'>['nics']>[number];

/** A spec NIC back to an update input that keeps everything (MAC included). */
const toInput = (n: Nic): NicInput => ({
  model: n.model,
  mac: n.mac,
  mode: n.mode,
  ...(n.network !== undefined && { network: n.network }),
  ...(n.bridge !== undefined && { bridge: n.bridge }),
  portForwards: n.portForwards,
});

export function describeNics(vm: VmInfo): string {
  if (vm.spec.nics.length === 0) return 'no network';
  return vm.spec.nics.map((n) => `${n.id} ${n.mode === 'user' ? 'NAT' : n.mode === 'internal' ? `internal "${n.network}"` : `bridge ${n.bridge}`} ${n.mac}`).join('; ');
}

/** `hangar vm forward list|add|remove`: the NAT port-forward editor of the CLI. */
function registerForwardCommands(program: Command): void {
  const vm = program.commands.find((c) => c.name() === 'vm');
  if (!vm) return;
  const forward = vm.command('forward').description("A stopped VM's NAT port forwards (host address defaults to 127.0.0.1: this computer only).");

  forward
    .command('list <vm>')
    .description('List port forwards.')
    .option('--json', 'print JSON')
    .action(async (vmRef: string, o: { json?: boolean }) => {
      const info = await withClient((c) => c.call('vm.get', { vm: vmRef }));
      const rows = info.spec.nics.flatMap((n) => n.portForwards.map((f) => ({ nic: n.id, ...f })));
      print(!!o.json, rows, () => (rows.length === 0 ? `"${info.name}" forwards no ports.` : table(rows.map((r) => [r.nic, r.protocol, `${r.hostAddress}:${r.hostPort}`, String(r.guestPort)]), ['NIC', 'PROTO', 'HOST', 'GUEST PORT'])));
    });

  forward
    .command('add <vm> <spec>')
    .description('Forward a host port to the guest: [tcp|udp:][ADDRESS:]HOSTPORT:GUESTPORT, e.g. 8080:80. Refused when the port is in use.')
    .option('--nic <n>', 'which NAT NIC (0-based index among all NICs)', parseInteger('--nic'))
    .option('--json', 'print JSON')
    .action(async (vmRef: string, spec: string, o: { nic?: number; json?: boolean }) => {
      const [f] = parseForward(spec);
      const info = await editForwards(vmRef, o.nic, (list) => [...list, f!]);
      print(!!o.json, info, () => `${info.name}: forwarding ${f!.protocol}/${f!.hostAddress}:${f!.hostPort} → guest port ${f!.guestPort}.`);
    });

  forward
    .command('remove <vm> <hostPort>')
    .description('Stop forwarding a host port.')
    .option('--udp', 'the UDP forward (default TCP)')
    .option('--json', 'print JSON')
    .action(async (vmRef: string, hostPort: string, o: { udp?: boolean; json?: boolean }) => {
      const port = parseInteger('host port')(hostPort);
      const protocol = o.udp ? 'udp' : 'tcp';
      let found = false;
      const info = await editForwards(vmRef, undefined, (list) => {
        const keep = list.filter((f) => !(f.hostPort === port && f.protocol === protocol));
        found ||= keep.length !== list.length;
        return keep;
      }, true);
      if (!found) throw new UsageError(`"${info.name}" does not forward ${protocol}/${port}.`);
      print(!!o.json, info, () => `${info.name}: no longer forwarding ${protocol}/${port}.`);
    });
}

async function editForwards(vmRef: string, nicIndex: number | undefined, edit: (list: PortForward[]) => PortForward[], allNat = false): Promise<VmInfo> {
  return withClient(async (c: EngineClient) => {
    const vm = await c.call('vm.get', { vm: vmRef });
    const natIndexes = vm.spec.nics.flatMap((n, i) => (n.mode === 'user' ? [i] : []));
    if (natIndexes.length === 0) throw new UsageError(`"${vm.name}" has no NAT NIC: add one with "hangar network connect ${vm.name} --nat".`);
    const target = nicIndex ?? natIndexes[0]!;
    if (!natIndexes.includes(target)) throw new UsageError(`NIC ${target} of "${vm.name}" is not a NAT NIC (NAT NICs: ${natIndexes.join(', ')}).`);
    const nics = vm.spec.nics.map((n, i) => ({ ...toInput(n), portForwards: (allNat && n.mode === 'user') || i === target ? edit(n.portForwards) : n.portForwards }));
    return c.call('vm.update', { vm: vmRef, nics });
  });
}
