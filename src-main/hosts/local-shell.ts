import * as os from 'node:os';
import type { IPty } from 'node-pty';
import { HangarError } from '../api/errors';
import type { ShellSession } from './host';

/**
 * A login shell on this computer in a real PTY (node-pty), for LocalHost.openShell. It lives under
 * hosts/ because it spawns a process (the walls: only hosts/ and the faces do). node-pty is loaded
 * lazily, so engines that never open a shell do not load it.
 */
export async function openLocalShell(cols: number, rows: number, emit: (data: Buffer) => void, closed: (reason: string) => void, argv?: readonly string[]): Promise<ShellSession> {
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
      cols,
      rows,
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
}
