import type { Duplex, Readable, Writable } from 'node:stream';

/**
 * A machine Hangar runs VMs on: this workstation (LocalHost) or a LAN host over SSH (SshHost).
 * Everything in qemu/, compute/, images/ and storage/ reaches processes, sockets and files only
 * through this interface, so remote hosts get every feature the local one has.
 * Commands are always argv arrays: no method takes a shell command string.
 */
export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string | Buffer;
  cwd?: string;
  env?: Record<string, string>;
}

/** A process started on a host, with its streams (e.g. `qemu-img convert -p` for progress). */
export interface HostProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable;
  /** Resolves when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  kill(signal?: NodeJS.Signals): void;
}

export interface FileStat {
  size: number;
  isFile: boolean;
  isDirectory: boolean;
  mtimeMs: number;
  mode: number;
}

export interface HostFs {
  stat(path: string): Promise<FileStat | null>;
  readFile(path: string): Promise<Buffer>;
  /** The last `maxBytes` of a file (for logs). Empty when the file does not exist. */
  readTail(path: string, maxBytes: number): Promise<Buffer>;
  /** Write via a temp file in the same folder and rename, so readers never see half a file. */
  writeFileAtomic(path: string, data: string | Buffer, mode?: number): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  rm(path: string, opts?: { recursive?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  /** Is the path writable by us (for pools, VM folders)? */
  access(path: string, mode: 'r' | 'w' | 'x'): Promise<boolean>;
  /** `highWaterMark`: chunk size for bulk copies (larger chunks, fewer syscalls). */
  createReadStream(path: string, opts?: { start?: number; highWaterMark?: number }): Promise<Readable>;
  createWriteStream(path: string, opts?: { flags?: 'w' | 'a' | 'wx' }): Promise<Writable>;
  statfs(path: string): Promise<{ totalBytes: number; freeBytes: number }>;
}

export interface HostInfo {
  hostname: string;
  cpus: number;
  memoryBytes: number;
  /** The login user's home on that host. */
  homeDir: string;
  uid: number;
  platform: string;
}

export interface Host {
  readonly id: string;
  readonly kind: 'local' | 'ssh';
  readonly fs: HostFs;
  info(): Promise<HostInfo>;
  /** Run a program to completion. `cmd` is resolved in PATH; `args` are passed untouched. */
  exec(cmd: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Start a program with streams. */
  spawn(cmd: string, args: readonly string[], opts?: { cwd?: string; env?: Record<string, string> }): HostProcess;
  /**
   * Start a program that must outlive Hangar (QEMU through its keeper): own session, no tie
   * to our process, stdout and stderr appended to `logFile`. Resolves once it is started.
   */
  spawnDetached(cmd: string, args: readonly string[], opts: { logFile: string; cwd?: string }): Promise<void>;
  /** A bidirectional stream to a UNIX socket on that host (QMP, serial, VNC). */
  connectUnix(path: string, timeoutMs?: number): Promise<Duplex>;
  /** Does a process with this pid exist, and what is its argv (for pid-reuse checks)? */
  processArgv(pid: number): Promise<string[] | null>;
  kill(pid: number, signal: NodeJS.Signals): Promise<void>;
  /** Find a program in PATH; null when it is not installed. */
  which(cmd: string): Promise<string | null>;
  /** Where Hangar keeps its data on that host. */
  hangarHome(): Promise<string>;
  close(): Promise<void>;
  /** An interactive login shell in a PTY (the Hosts page terminal); absent where a host kind has none. */
  /** A terminal on this host: the login shell, or `argv` (e.g. ssh to a cloud VM) when given. */
  openShell?(cols: number, rows: number, emit: (data: Buffer) => void, closed: (reason: string) => void, argv?: readonly string[]): Promise<ShellSession>;
}

/** A terminal session on a host: keystrokes in, a resize, and an end. */
export interface ShellSession {
  write(data: Buffer): void;
  resize(cols: number, rows: number): void;
  close(): void;
}

/** Error thrown by exec helpers when a command fails; carries its stderr for the user. */
export class CommandError extends Error {
  constructor(
    public readonly cmd: string,
    public readonly result: ExecResult,
  ) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ');
    super(`${cmd} failed (${result.signal ? `signal ${result.signal}` : `exit ${result.code}`})${detail ? `: ${detail}` : ''}`);
    this.name = 'CommandError';
  }
}

/** Run and require success. */
export async function execOk(host: Host, cmd: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  const result = await host.exec(cmd, args, opts);
  if (result.code !== 0) throw new CommandError(cmd, result);
  return result;
}
