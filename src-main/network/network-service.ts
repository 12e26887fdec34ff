import { uniqueColumns, uniqueConflict } from '../db/constraint-errors';
import { randomInt, randomUUID } from 'node:crypto';
import type { NetworkInfo, NicMode, VmInfo } from '../api/contract';
import { HangarError, notFound } from '../api/errors';
import type { Db } from '../db/database';
import type { EventBus } from '../engine/event-bus';
import type { Host } from '../hosts/host';
import type { ArgvHostFacts } from '../qemu/argv';
import { bridgeProblem } from './bridge-check';
import { NetworkRepository, type NetworkRow } from './network-repo';

/**
 * Internal networks: VMs on the same one reach each other and nothing else.
 *
 * Backend choice (QEMU 7.2 offers socket, stream, dgram, vde, bridge, tap):
 * `-netdev socket,mcast=GROUP:PORT,localaddr=127.0.0.1`. Every member's QEMU joins one UDP
 * multicast group on the loopback interface, so the network is a hub that needs no root, no
 * extra process to supervise (members come and go with their QEMUs, also when no engine runs)
 * and no package beyond QEMU, and it works the same on LAN hosts over SSH. `stream`/`dgram`
 * are point-to-point (a third VM would need a hub process we would have to keep alive), `vde`
 * needs vde2 and a switch daemon, `tap`/`bridge` need root. The price: the host's loopback
 * must carry multicast (Linux does) and a local process that joins the group could listen in
 * (the same trust level as the host itself). Groups are random in 239.0.0.0/8
 * (administratively scoped) with a random port, stored per network so two Hangar homes on one
 * machine do not share a network by accident.
 */
/** What a NIC says about its network (inputs and specs alike). */
export interface NicNetworkFields {
  mode?: NicMode | undefined;
  network?: string | undefined;
  bridge?: string | undefined;
}

export class NetworkService {
  private readonly repo: NetworkRepository;

  constructor(
    db: Db,
    private readonly events: EventBus,
    private readonly vms: () => VmInfo[],
  ) {
    this.repo = new NetworkRepository(db);
  }

  list(): NetworkInfo[] {
    const rows = this.repo.list();
    const vms = this.vms();
    return rows.map((r) => this.info(r, vms));
  }

  get(ref: string): NetworkInfo {
    return this.info(this.row(ref), this.vms());
  }

  create(name: string, description: string): NetworkInfo {
    if (this.find(name)) throw new HangarError('CONFLICT', `An internal network named "${name}" already exists. Choose another name.`, { field: 'name' });
    const id = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const group = `239.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
      try {
        this.repo.insert({ id, name, description, mcast_group: group, mcast_port: randomInt(20000, 60000) });
        break;
      } catch (e) {
        // a (group, port) clash is astronomically rare: draw again a few times
        // (a name clash means another process created one with this name meanwhile: say so)
        if (attempt >= 5 || !uniqueColumns(e)?.startsWith('networks.mcast')) throw uniqueConflict(e, name) ?? e;
      }
    }
    this.events.emit('network.changed', { id });
    return this.get(id);
  }

  delete(ref: string): { deleted: string } {
    const net = this.get(ref);
    if (net.members.length > 0) {
      const who = net.members.map((m) => `"${m.vmName}" (${m.nicId})`).join(', ');
      throw new HangarError('CONFLICT', `The internal network "${net.name}" is in use by ${who}: move those NICs to another network or NAT first.`, { members: net.members.length });
    }
    this.repo.delete(net.id);
    this.events.emit('network.changed', { id: net.id, deleted: true });
    return { deleted: net.name };
  }

  /** Refuse NICs that name a network that does not exist, or a bridge this host cannot use. Names are normalised to the stored spelling. */
  async checkNics<N extends NicNetworkFields>(host: Host, nics: N[]): Promise<N[]> {
    const out: N[] = [];
    for (const [i, nic] of nics.entries()) {
      if (nic.mode === 'internal' && nic.network) {
        const row = this.find(nic.network);
        if (!row) throw new HangarError('NOT_FOUND', `NIC ${i + 1}: there is no internal network "${nic.network}". Create it first ("hangar network create ${nic.network}") or pick one from the Networks page.`, { field: `nics.${i}.network` });
        // multicast on loopback joins VMs of one host only: keep a network's members together
        const elsewhere = this.vms().find((vm) => vm.hostId !== host.id && vm.spec.nics.some((n) => n.mode === 'internal' && n.network?.toLowerCase() === row.name.toLowerCase()));
        if (elsewhere)
          throw new HangarError('CONFLICT', `NIC ${i + 1}: the internal network "${row.name}" already connects VMs on host "${elsewhere.hostId}" (such as "${elsewhere.name}"); an internal network joins VMs of one host. Create another network for this host.`, { field: `nics.${i}.network` });
        out.push({ ...nic, network: row.name });
        continue;
      }
      if (nic.mode === 'bridge' && nic.bridge) {
        const problem = await bridgeProblem(host, nic.bridge);
        if (problem) throw new HangarError('UNSUPPORTED', `NIC ${i + 1} cannot be bridged to "${nic.bridge}": ${problem}`, { field: `nics.${i}.bridge` });
      }
      out.push(nic);
    }
    return out;
  }

  /** The multicast endpoints of the internal networks these NICs use, for the argv builder. */
  argvFacts(nics: NicNetworkFields[]): NonNullable<ArgvHostFacts['internalNetworks']> {
    const facts: NonNullable<ArgvHostFacts['internalNetworks']> = {};
    for (const nic of nics) {
      if (nic.mode !== 'internal' || !nic.network) continue;
      const row = this.find(nic.network);
      if (!row) throw new HangarError('NOT_FOUND', `The internal network "${nic.network}" no longer exists: edit the VM's network settings.`, { field: 'nics' });
      facts[nic.network] = { mcastGroup: row.mcast_group, mcastPort: row.mcast_port };
    }
    return facts;
  }

  private find(ref: string): NetworkRow | null {
    return this.repo.find(ref);
  }

  private row(ref: string): NetworkRow {
    const row = this.find(ref);
    if (!row) throw notFound('internal network', ref);
    return row;
  }

  private info(r: NetworkRow, vms: VmInfo[]): NetworkInfo {
    const members = vms.flatMap((vm) =>
      vm.spec.nics
        .filter((n) => n.mode === 'internal' && n.network?.toLowerCase() === r.name.toLowerCase())
        .map((n) => ({ vmId: vm.id, vmName: vm.name, vmState: vm.state, nicId: n.id, mac: n.mac })),
    );
    return { id: r.id, name: r.name, description: r.description, kind: 'internal', mcastGroup: r.mcast_group, mcastPort: r.mcast_port, createdAt: r.created_at, members };
  }
}
