import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, constants as fsConstants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { ExecOptions, ExecResult, FileStat, Host, HostFs, HostInfo, HostProcess, ShellSession } from './host';
import { openLocalShell } from './local-shell';

/** The machine Hangar itself runs on. */
export class LocalHost implements Host {
  readonly id = 'local';
  readonly kind = 'local' as const;
  readonly fs: HostFs = localFs;

  constructor(private readonly home: string) {}

  async info(): Promise<HostInfo> {
    return {
      hostname: os.hostname(),
      cpus: os.cpus().length,
      memoryBytes: os.totalmem(),
      homeDir: os.homedir(),
      uid: process.getuid?.() ?? 0,
      platform: process.platform,
    };
  }

  exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ? { ...process.env, ...opts.env } : process.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => {
        if (timer) clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.on('error', () => undefined); // the program may exit before reading its input
      child.stdin.end(opts.input ?? '');
    });
  }

  spawn(cmd: string, args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): HostProcess {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ? { ...process.env, ...opts.env } : process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.on('error', () => resolve({ code: 127, signal: null }));
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    child.stdin.on('error', () => undefined);
    return { stdout: child.stdout, stderr: child.stderr, stdin: child.stdin, exited, kill: (s) => child.kill(s ?? 'SIGTERM') };
  }

  async spawnDetached(cmd: string, args: readonly string[], opts: { logFile: string; cwd?: string }): Promise<void> {
    const log = await fsp.open(opts.logFile, 'a', 0o600);
    try {
      await new Promise<void>((resolve, reject) => {
        // detached: its own session, so it survives our exit and our signals.
        const child = spawn(cmd, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', log.fd, log.fd] });
        child.once('error', reject);
        child.once('spawn', () => {
          child.unref();
          resolve();
        });
      });
    } finally {
      await log.close();
    }
  }

  connectUnix(socketPath: string, timeoutMs = 5000): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection({ path: socketPath });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`Timed out connecting to ${socketPath}`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(sock);
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  async processArgv(pid: number): Promise<string[] | null> {
    try {
      const raw = await fsp.readFile(`/proc/${pid}/cmdline`);
      if (raw.length === 0) return null; // zombie
      return raw.toString('utf8').split('\0').filter((s, i, a) => !(i === a.length - 1 && s === ''));
    } catch {
      return null;
    }
  }

  async kill(pid: number, signal: NodeJS.Signals): Promise<void> {
    try {
      process.kill(pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  async which(cmd: string): Promise<string | null> {
    if (cmd.includes('/')) return (await localFs.access(cmd, 'x')) ? cmd : null;
    for (const dir of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
      if (!dir) continue;
      const candidate = path.join(dir, cmd);
      if (await localFs.access(candidate, 'x')) {
        const st = await localFs.stat(candidate);
        if (st?.isFile) return candidate;
      }
    }
    return null;
  }

  async hangarHome(): Promise<string> {
    return this.home;
  }

  async close(): Promise<void> {}

  openShell(cols: number, rows: number, emit: (data: Buffer) => void, closed: (reason: string) => void, argv?: readonly string[]): Promise<ShellSession> {
    return openLocalShell(cols, rows, emit, closed, argv);
  }
}

const localFs: HostFs = {
  async stat(p: string): Promise<FileStat | null> {
    try {
      const st = await fsp.stat(p);
      return { size: st.size, isFile: st.isFile(), isDirectory: st.isDirectory(), mtimeMs: st.mtimeMs, mode: st.mode };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw e;
    }
  },
  readFile: (p) => fsp.readFile(p),
  async readTail(p, maxBytes) {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(p, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
      throw e;
    }
    try {
      const { size } = await fh.stat();
      const start = Math.max(0, size - maxBytes);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      return buf;
    } finally {
      await fh.close();
    }
  },
  // private unless asked otherwise: everything Hangar writes lives in its private data folder
  async writeFileAtomic(p, data, mode = 0o600) {
    const tmp = path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.${Date.now()}.tmp`);
    const fh = await fsp.open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, p);
  },
  async mkdir(p, mode) {
    await fsp.mkdir(p, { recursive: true, ...(mode ? { mode } : {}) });
  },
  async rm(p, opts) {
    await fsp.rm(p, { force: true, recursive: opts?.recursive ?? false });
  },
  rename: (a, b) => fsp.rename(a, b),
  readdir: (p) => fsp.readdir(p),
  async access(p, mode) {
    const flag = mode === 'r' ? fsConstants.R_OK : mode === 'w' ? fsConstants.W_OK : fsConstants.X_OK;
    try {
      await fsp.access(p, flag);
      return true;
    } catch {
      return false;
    }
  },
  async createReadStream(p, opts): Promise<Readable> {
    return createReadStream(p, { ...(opts?.start !== undefined ? { start: opts.start } : {}), ...(opts?.highWaterMark ? { highWaterMark: opts.highWaterMark } : {}) });
  },
  async createWriteStream(p, opts): Promise<Writable> {
    return createWriteStream(p, { flags: opts?.flags ?? 'w' });
  },
  async statfs(p) {
    const st = await fsp.statfs(p);
    return { totalBytes: st.blocks * st.bsize, freeBytes: st.bavail * st.bsize };
  },
};
