import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { PortForward } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from './host';

/** A host port another VM forwards (from the inventory). */
export interface ForwardInUse {
  vm: string;
  protocol: string;
  hostAddress: string;
  hostPort: number;
}

/** What the rule check needs to know about the host: who we run as, and where privileged ports end. */
export interface PortPrivileges {
  uid: number;
  /** Linux net.ipv4.ip_unprivileged_port_start (1024 unless the admin lowered it). */
  unprivilegedPortStart: number;
}

/**
 * Refuse port forwards that cannot work, before anything is saved or QEMU is started: a host
 * port forwarded twice, one another VM already forwards, a privileged port without the right,
 * an address this computer does not have, or a port some program is already using.
 */
export async function checkPortForwards(host: Host, forwards: PortForward[], usedByOthers: ForwardInUse[], probeListeners = true): Promise<void> {
  if (forwards.length === 0) return;
  checkForwardRules(forwards, usedByOthers, await portPrivileges(host));
  // Probing binds a socket, so it is only meaningful on this computer (SshHost: QEMU reports it at start).
  if (!probeListeners || host.kind !== 'local') return;
  for (const f of forwards) {
    const problem = await probePort(f.protocol, f.hostAddress, f.hostPort);
    if (problem === 'in-use')
      throw new HangarError('CONFLICT', `Host port ${f.protocol}/${f.hostAddress}:${f.hostPort} is already in use by another program: choose another host port or stop that program.`, { field: 'portForwards', hostPort: f.hostPort });
    if (problem === 'no-address')
      throw new HangarError('INVALID_INPUT', `${f.hostAddress} is not an address of this computer: use 127.0.0.1 (this computer only) or one of its own addresses.`, { field: 'portForwards', hostPort: f.hostPort });
  }
}

/** The checks that need no socket: duplicates, other VMs, privileged ports. Pure, so unit-testable with any uid. */
export function checkForwardRules(forwards: PortForward[], usedByOthers: ForwardInUse[], priv: PortPrivileges): void {
  const seen: PortForward[] = [];
  for (const f of forwards) {
    if (seen.some((s) => s.protocol === f.protocol && s.hostPort === f.hostPort && addressesOverlap(s.hostAddress, f.hostAddress)))
      throw new HangarError('CONFLICT', `Host port ${f.protocol}/${f.hostPort} is forwarded twice.`, { field: 'portForwards', hostPort: f.hostPort });
    seen.push(f);
    const other = usedByOthers.find((u) => u.protocol === f.protocol && u.hostPort === f.hostPort && addressesOverlap(u.hostAddress, f.hostAddress));
    if (other) throw new HangarError('CONFLICT', `Host port ${f.protocol}/${f.hostPort} is already forwarded by VM "${other.vm}".`, { field: 'portForwards', hostPort: f.hostPort });
    if (f.hostPort < priv.unprivilegedPortStart && priv.uid !== 0)
      throw new HangarError(
        'INVALID_INPUT',
        `Host port ${f.hostPort} is privileged (below ${priv.unprivilegedPortStart}) and Hangar does not run as root: choose a host port of ${priv.unprivilegedPortStart} or above (the guest port can stay ${f.guestPort}).`,
        { field: 'portForwards', hostPort: f.hostPort },
      );
  }
}

/** 0.0.0.0 takes the port on every address, so it overlaps with any address. */
const addressesOverlap = (a: string, b: string) => a === b || a === '0.0.0.0' || b === '0.0.0.0';

export async function portPrivileges(host: Host): Promise<PortPrivileges> {
  const { uid } = await host.info();
  let unprivilegedPortStart = 1024;
  try {
    const text = (await host.fs.readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start')).toString('utf8').trim();
    if (/^\d+$/.test(text)) unprivilegedPortStart = Number(text);
  } catch {
    // not Linux, or /proc not readable: keep the classic 1024
  }
  return { uid, unprivilegedPortStart };
}

/** Try to bind the port the way slirp will: free, in use, or an address we do not have. */
function probePort(protocol: 'tcp' | 'udp', address: string, port: number): Promise<'free' | 'in-use' | 'no-address'> {
  const verdict = (err: NodeJS.ErrnoException) => (err.code === 'EADDRNOTAVAIL' ? 'no-address' : 'in-use');
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const socket = dgram.createSocket('udp4');
      socket.once('error', (err) => {
        socket.close();
        resolve(verdict(err));
      });
      socket.bind({ address, port, exclusive: true }, () => socket.close(() => resolve('free')));
      return;
    }
    const server = net.createServer();
    server.once('error', (err) => resolve(verdict(err)));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}
