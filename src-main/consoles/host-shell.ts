import type { ParsedInput } from '../api/contract';
import { HangarError } from '../api/errors';
import type { HostRegistry } from '../hosts/registry';
import type { Channel } from './channel-service';

type ShellInput = Extract<ParsedInput<'channel.open'>, { kind: 'shell' }>;

/**
 * Host shells as channels. Each host opens its own terminal through the Host seam (`Host.openShell`):
 * the local host a real PTY (node-pty, hosts/local-shell.ts) running the user's login shell, a LAN host
 * (SshHost) ssh2's `client.shell({term, cols, rows})`, resized with `setWindow`. Both return the same
 * channel shape (write / resize / close, with data / closed callbacks), so viewers never know which
 * kind of host they are on.
 */

/** The ssh argv to a cloud VM (cloudinit/, set by the engine): "Connect with SSH" in a terminal. */
export type SshArgvSource = (vm: string) => Promise<string[]>;

/** Wire host shells into a ChannelService: each host opens its own; ssh to a cloud VM runs here. */
export function hostShellFactory(hosts: HostRegistry, sshArgv: () => SshArgvSource | null = () => null) {
  return async (input: ShellInput, channelId: string, clientId: string, emit: (data: Buffer) => void, closed: (reason: string) => void): Promise<Channel> => {
    if (input.sshVm) {
      // ssh runs on this computer in every case (a LAN host's VM is reached with -J through that host)
      const source = sshArgv();
      if (!source) throw new HangarError('UNSUPPORTED', 'SSH terminals are not available in this build.');
      const argv = await source(input.sshVm);
      const local = hosts.get('local');
      if (!local.openShell) throw new HangarError('UNSUPPORTED', 'Terminals are not available on this computer.');
      return { id: channelId, clientId, ...(await local.openShell(input.cols, input.rows, emit, closed, argv)) };
    }
    const host = hosts.get(input.hostId);
    if (!host.openShell) throw new HangarError('UNSUPPORTED', `Shells are not available on "${input.hostId}".`);
    return { id: channelId, clientId, ...(await host.openShell(input.cols, input.rows, emit, closed)) };
  };
}
