import * as net from 'node:net';
import type { PortForward } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from './host';

/**
 * Refuse port forwards that cannot work, before QEMU is started: a host port another VM
 * already forwards, one some program is listening on, or a privileged port without the right.
 */
export async function checkPortForwards(
  host: Host,
  forwards: PortForward[],
  usedByOthers: Array<{ vm: string; protocol: string; hostAddress: string; hostPort: number }>,
  probeListeners = true,
): Promise<void> {
  const seen = new Set<string>();
  const { uid } = await host.info();
  for (const f of forwards) {
    const key = `${f.protocol}:${f.hostPort}`;
    if (seen.has(key)) throw new HangarError('CONFLICT', `Host port ${f.protocol}/${f.hostPort} is forwarded twice.`, { field: 'portForwards' });
    seen.add(key);
    const other = usedByOthers.find((u) => u.protocol === f.protocol && u.hostPort === f.hostPort && (u.hostAddress === f.hostAddress || u.hostAddress === '0.0.0.0' || f.hostAddress === '0.0.0.0'));
    if (other) throw new HangarError('CONFLICT', `Host port ${f.protocol}/${f.hostPort} is already forwarded by VM "${other.vm}".`, { field: 'portForwards' });
    if (f.hostPort < 1024 && uid !== 0)
      throw new HangarError('INVALID_INPUT', `Host port ${f.hostPort} is privileged (below 1024) and Hangar does not run as root: choose a port of 1024 or above.`, { field: 'portForwards' });
    if (probeListeners && host.kind === 'local' && f.protocol === 'tcp' && !(await tcpPortFree(f.hostAddress, f.hostPort)))
      throw new HangarError('CONFLICT', `Host port ${f.hostAddress}:${f.hostPort} is already in use by another program.`, { field: 'portForwards' });
  }
}

function tcpPortFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
