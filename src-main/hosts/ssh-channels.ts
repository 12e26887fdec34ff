import { PassThrough } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { HangarError } from '../api/errors';
import type { ExecOptions, ExecResult, HostProcess } from './host';

/**
 * ssh2 channels as the Host seam's shapes (ssh-host.ts keeps the connection): a command run to its
 * end (exec), a command as a live process (spawn), and a PTY login shell (the Hosts page
 * terminal). The exit status is recorded from the very callback that hands over the channel:
 * ssh2 may deliver output, `exit-status` and close in the same tick, before any `await`
 * continuation could attach listeners (the stream buffers data; events are lost).
 */

/** How a remote command ended, as far as sshd told us. */
export interface ExitRecord {
  seen: boolean;
  code: number | null;
  signal: string | null;
}

export interface OpenedExec {
  channel: ClientChannel;
  exit: ExitRecord;
  closed: Promise<void>;
}

export interface ShellHandle {
  write(data: Buffer): void;
  resize(cols: number, rows: number): void;
  close(): void;
}

/** An exec channel for `command` (already quoted for the remote shell). */
export function openExecChannel(client: Client, command: string): Promise<OpenedExec> {
  return new Promise((resolve, reject) =>
    client.exec(command, (err, channel) => {
      if (err) return reject(err);
      const exit: ExitRecord = { seen: false, code: null, signal: null };
      channel.on('exit', (code: number | null, signal?: string) => {
        exit.seen = true;
        exit.code = code ?? null;
        exit.signal = signal ? (signal.startsWith('SIG') ? signal : `SIG${signal}`) : null;
      });
      const closed = new Promise<void>((done) => channel.once('close', () => done()));
      resolve({ channel, exit, closed });
    }),
  );
}

/**
 * Feed stdin, collect stdout and stderr, wait for the end (`guard` fails the wait when the link
 * dies). A command without an exit status lost its connection: that is not a command failure (a
 * "which" would wrongly say "not installed"), so it is an error of its own.
 */
export async function runToEnd(opened: OpenedExec, opts: ExecOptions, guard: <T>(p: Promise<T>) => Promise<T>, lost: () => HangarError): Promise<ExecResult> {
  const { channel, exit, closed } = opened;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let timedOut = false;
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        channel.signal('KILL');
        channel.close();
      }, opts.timeoutMs)
    : undefined;
  channel.on('data', (b: Buffer) => out.push(b));
  channel.stderr.on('data', (b: Buffer) => err.push(b));
  channel.end(opts.input ?? '');
  await guard(closed);
  if (timer) clearTimeout(timer);
  const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  if (timedOut) return { code: null, signal: 'SIGKILL', ...result };
  if (!exit.seen) throw lost();
  return { code: exit.code, signal: exit.signal, ...result };
}

/** A HostProcess at once, over an exec channel that `open` brings later (a kill before that is kept). */
export function channelProcess(open: () => Promise<OpenedExec>): HostProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let channel: ClientChannel | null = null;
  let pendingSignal: string | null = null;
  const exited = (async () => {
    let opened: OpenedExec;
    try {
      opened = await open();
    } catch (e) {
      stderr.end(`${(e as Error).message}\n`);
      stdout.end();
      return { code: 127, signal: null };
    }
    const ch = (channel = opened.channel);
    if (pendingSignal) ch.signal(pendingSignal);
    ch.pipe(stdout);
    ch.stderr.pipe(stderr);
    stdin.pipe(ch);
    await opened.closed;
    // no exit status: the connection died under it (reported like a hang-up)
    return opened.exit.seen ? { code: opened.exit.code, signal: opened.exit.signal } : { code: null, signal: 'SIGHUP' };
  })();
  return {
    stdout,
    stderr,
    stdin,
    exited,
    kill: (s) => {
      const name = (s ?? 'SIGTERM').replace(/^SIG/, '');
      if (channel) {
        channel.signal(name);
        channel.close();
      } else pendingSignal = name;
    },
  };
}

/**
 * A PTY login shell of ssh2's `shell()`, resized through `setWindow`. `release` frees the
 * terminal slot when the channel closes (or at once when the host refuses the session).
 */
export async function openShellChannel(
  client: Client,
  hostName: string,
  size: { cols: number; rows: number },
  emit: (data: Buffer) => void,
  closed: (reason: string) => void,
  release: () => void,
): Promise<ShellHandle> {
  let channel: ClientChannel;
  let status: string | null = null;
  try {
    channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.shell({ term: 'xterm-256color', cols: size.cols, rows: size.rows }, { env: { COLORTERM: 'truecolor' } }, (err, ch) => {
        if (err) return reject(err);
        // recorded here, not after an await (see the top of this file)
        ch.on('exit', (code: number | null, signal?: string) => (status = signal ? `The shell was ended by signal ${signal}.` : `The shell exited (status ${code}).`));
        resolve(ch);
      }),
    );
  } catch (e) {
    release();
    throw new HangarError('HOST_UNREACHABLE', `${hostName} refused a shell session: ${(e as Error).message}`);
  }
  let ended = false;
  channel.on('data', (d: Buffer) => emit(d));
  channel.stderr.on('data', (d: Buffer) => emit(d));
  channel.on('close', () => {
    ended = true;
    release();
    closed(status ?? `The connection to ${hostName} was lost.`);
  });
  return {
    write: (data) => {
      if (!ended) channel.write(data);
    },
    resize: (c, r) => {
      if (!ended) channel.setWindow(r, c, 0, 0);
    },
    close: () => {
      if (!ended) channel.close();
    },
  };
}
