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
export function hostShellFactory(hosts: HostRegistry) {
  return async (input: ShellInput, channelId: string, clientId: string, emit: (data: Buffer) => void, closed: (reason: string) => void): Promise<Channel> => {
    const host = hosts.get(input.hostId);
    if (!host.openShell) throw new HangarError('UNSUPPORTED', `Shells are not available on "${input.hostId}".`);
    return { id: channelId, clientId, ...(await host.openShell(input.cols, input.rows, emit, closed)) };
  };
}
