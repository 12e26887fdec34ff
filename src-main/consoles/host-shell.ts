import * as os from 'node:os';
import type { IPty } from 'node-pty';
import type { ParsedInput } from '../api/contract';
import { HangarError } from '../api/errors';
import type { HostRegistry } from '../hosts/registry';
import { SshHost } from '../hosts/ssh-host';
import type { Channel } from './channel-service';

type ShellInput = Extract<ParsedInput<'channel.open'>, { kind: 'shell' }>;

/**
 * Host shells as channels. The local host gets a real PTY (node-pty) running the user's login
 * shell. A LAN host (SshHost) opens one with `openShell` (ssh2's `client.shell({term, cols, rows})`,
 * resized with `setWindow`) and returns the same channel shape (write / resize / close, with
 * data / closed callbacks), so viewers never know which kind of host they are on.
 */
export interface ShellProvider {
  open(input: ShellInput, emit: (data: Buffer) => void, closed: (reason: string) => void, argv?: string[]): Promise<Omit<Channel, 'id' | 'clientId'>>;
}

/** The ssh argv to a cloud VM (cloudinit/, set by the engine): "Connect with SSH" in a terminal. */
export type SshArgvSource = (vm: string) => Promise<string[]>;

/** The local workstation: node-pty, loaded lazily so engines that never open a shell do not load it. */
export const localShellProvider: ShellProvider = {
  async open(input, emit, closed, argv) {
    let pty: typeof import('node-pty');
    try {
      pty = await import('node-pty');
    } catch (e) {
      throw new HangarError('MISSING_DEPENDENCY', `The terminal library (node-pty) could not be loaded: ${(e as Error).message}. Reinstall Hangar.`);
    }
    const shell = process.env.SHELL && process.env.SHELL.startsWith('/') ? process.env.SHELL : '/bin/bash';
    // a program with its own argv (ssh to a cloud VM), or the user's login shell
    const [file, ...args] = argv && argv.length > 0 ? argv : [shell, '-l'];
    const what = argv && argv.length > 0 ? file! : 'The shell';
    let proc: IPty;
    try {
      proc = pty.spawn(file!, args, {
        name: 'xterm-256color',
        cols: input.cols,
        rows: input.rows,
        cwd: os.homedir(),
        env: { ...process.env, TERM: 'xterm-256color', COLORTERM: 'truecolor' } as Record<string, string>,
      });
    } catch (e) {
      throw new HangarError('IO_ERROR', `Cannot start ${file!} on this host: ${(e as Error).message}.`);
    }
    let ended = false;
    proc.onData((d) => emit(Buffer.from(d, 'utf8')));
    proc.onExit(({ exitCode, signal }) => {
      ended = true;
      closed(signal ? `${what} was ended by signal ${signal}.` : `${what} exited (status ${exitCode}).`);
    });
    return {
      write: (data) => proc.write(data.toString('utf8')),
      resize: (cols, rows) => {
        if (!ended) proc.resize(cols, rows);
      },
      close: () => {
        if (!ended) proc.kill('SIGHUP');
      },
    };
  },
};

/** Wire host shells into a ChannelService: pick the provider by the host's kind. */
export function hostShellFactory(hosts: HostRegistry, sshArgv: () => SshArgvSource | null = () => null) {
  return async (input: ShellInput, channelId: string, clientId: string, emit: (data: Buffer) => void, closed: (reason: string) => void): Promise<Channel> => {
    if (input.sshVm) {
      // ssh runs on this computer in every case (a LAN host's VM is reached with -J through that host)
      const source = sshArgv();
      if (!source) throw new HangarError('UNSUPPORTED', 'SSH terminals are not available in this build.');
      const argv = await source(input.sshVm);
      return { id: channelId, clientId, ...(await localShellProvider.open(input, emit, closed, argv)) };
    }
    const host = hosts.get(input.hostId);
    if (host instanceof SshHost) return { id: channelId, clientId, ...(await host.openShell(input.cols, input.rows, emit, closed)) };
    if (host.kind !== 'local') throw new HangarError('UNSUPPORTED', `Shells are not available on "${input.hostId}".`);
    const ch = await localShellProvider.open(input, emit, closed);
    return { id: channelId, clientId, ...ch };
  };
}
