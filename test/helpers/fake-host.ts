import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, type Duplex } from 'node:stream';
import type { ExecOptions, ExecResult, FileStat, Host, HostFs, HostInfo, HostProcess } from '../../src-main/hosts/host';
import { LocalHost } from '../../src-main/hosts/local-host';
import { forgetProbe } from '../../src-main/qemu/probe';
import { FakeQemu, type FakeQemuBehaviour } from './fake-qemu';

/**
 * A Host for unit tests of services (VmService, storage, images, scheduler) without QEMU, SSH
 * or the machine's own files:
 * - files: real files, but only inside a temp folder (`root`); a path outside it reads as
 *   absent (unless the test put it in `outside`) and writing there throws — so a test never
 *   depends on, or touches, /dev/kvm, /usr/share/OVMF or anyone's home;
 * - programs: `exec` and `spawn` answer from scripts matched on argv (`on`), every call is
 *   recorded in `calls`, and an unscripted program fails loudly (exit 127, "no script for …");
 * - QEMU: `spawnDetached` of the keeper starts a FakeQemu (pid file, exit record, a QMP peer
 *   reached through `connectUnix`); `processArgv` and `kill` see it.
 * `fake-tools.ts` scripts qemu-img, the QEMU probe and chmod over these files.
 */
export interface ExecCall {
  via: 'exec' | 'spawn';
  cmd: string;
  args: string[];
  input?: string;
  env?: Record<string, string>;
}

export interface ScriptedResult {
  code?: number | null;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
  /** Milliseconds before the program "ends" (spawned programs can be killed meanwhile). */
  delayMs?: number;
}

export type Script = (call: ExecCall, host: FakeHost) => ScriptedResult | Promise<ScriptedResult>;
type Matcher = (call: ExecCall) => boolean;

let nextPid = 4_000_000; // above any pid_max, so a fake pid is never a real process

export class FakeHost implements Host {
  readonly kind = 'local' as const;
  readonly root: string;
  readonly home: string;
  readonly fs: HostFs;
  /** Every exec and spawn, in order. */
  readonly calls: ExecCall[] = [];
  /** Programs `which` finds (by name; found at /usr/bin/<name>). */
  readonly programs = new Set<string>(['chmod']);
  /** Read-only files outside the temp folder the host "has" (e.g. an OVMF vars template). */
  readonly outside = new Map<string, Buffer>();
  /** Every QEMU started, live or ended. */
  readonly qemus: FakeQemu[] = [];
  readonly qemu: FakeQemuBehaviour = { obeysPowerdown: true, powerdownDelayMs: 20, failStart: null, replies: {} };
  freeBytes = 100 * 1024 ** 3;
  memoryBytes = 8 * 1024 ** 3;
  cpus = 4;
  private readonly scripts: Array<{ match: Matcher; script: Script }> = [];
  private readonly sockets = new Map<string, () => Duplex>();

  constructor(readonly id = 'local') {
    this.root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-fake-')));
    this.home = path.join(this.root, 'home');
    fs.mkdirSync(this.home, { recursive: true, mode: 0o700 });
    this.fs = sandboxedFs(new LocalHost(this.home).fs, this);
    forgetProbe(id); // the probe cache is per host id, process-wide
  }

  /** Script a program: `match` is its name, its name + leading args, or a predicate. Later scripts win. */
  on(match: string | readonly string[] | Matcher, script: Script | ScriptedResult): this {
    const m: Matcher =
      typeof match === 'function' ? match : typeof match === 'string' ? (c) => baseName(c.cmd) === baseName(match) : (c) => baseName(c.cmd) === baseName(match[0]!) && match.slice(1).every((a, i) => c.args[i] === a);
    this.scripts.unshift({ match: m, script: typeof script === 'function' ? script : () => script });
    return this;
  }

  /** The recorded calls of one program (by name). */
  callsOf(program: string): ExecCall[] {
    return this.calls.filter((c) => baseName(c.cmd) === program);
  }

  /** Is this absolute path inside the fake host's folder? */
  inside(p: string): boolean {
    const r = path.resolve(p);
    return r === this.root || r.startsWith(this.root + path.sep);
  }

  /** Put a QMP-like peer (or anything) at a socket path. */
  listen(socketPath: string, connect: () => Duplex): void {
    this.sockets.set(socketPath, connect);
  }

  async info(): Promise<HostInfo> {
    return { hostname: 'fakehost', cpus: this.cpus, memoryBytes: this.memoryBytes, homeDir: this.root, uid: process.getuid?.() ?? 1000, platform: 'linux' };
  }

  async exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const call: ExecCall = { via: 'exec', cmd, args: [...args], ...(opts.input !== undefined ? { input: opts.input.toString() } : {}), ...(opts.env ? { env: opts.env } : {}) };
    this.calls.push(call);
    const r = await this.run(call);
    if (r.delayMs) await new Promise((res) => setTimeout(res, r.delayMs));
    return { code: r.code === undefined ? 0 : r.code, signal: r.signal ?? null, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  spawn(cmd: string, args: readonly string[], opts: { env?: Record<string, string> } = {}): HostProcess {
    const call: ExecCall = { via: 'spawn', cmd, args: [...args], ...(opts.env ? { env: opts.env } : {}) };
    this.calls.push(call);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    let settle: (v: { code: number | null; signal: string | null }) => void = () => undefined;
    let ended = false;
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => (settle = res));
    const end = (v: { code: number | null; signal: string | null }) => {
      if (ended) return;
      ended = true;
      stdout.end();
      stderr.end();
      settle(v);
    };
    void this.run(call).then(async (r) => {
      // stdout first, in pieces as a real program prints progress
      for (const piece of (r.stdout ?? '').split(/(?<=\r)/)) if (!ended && piece) stdout.write(piece);
      if (!ended && r.stderr) stderr.write(r.stderr);
      if (r.delayMs) await new Promise((res) => setTimeout(res, r.delayMs));
      end({ code: r.code === undefined ? 0 : r.code, signal: r.signal ?? null });
    });
    return { stdout, stderr, stdin, exited, kill: (s) => end({ code: null, signal: s ?? 'SIGTERM' }) };
  }

  async spawnDetached(cmd: string, args: readonly string[], opts: { logFile: string }): Promise<void> {
    // only the keeper: /bin/sh -c KEEPER hangar-keeper <exit file> <qemu> <argv...>
    if (cmd !== '/bin/sh' || args[2] !== 'hangar-keeper') throw new Error(`fake host: no detached program ${cmd} ${args.join(' ')}`);
    const [exitFile, ...qemuArgv] = args.slice(3);
    this.calls.push({ via: 'spawn', cmd: qemuArgv[0]!, args: qemuArgv.slice(1) });
    const qemu = new FakeQemu(nextPid++, qemuArgv, exitFile!, { ...this.qemu, replies: { ...this.qemu.replies } }, (q) => {
      if (q.qmpSocket) this.sockets.delete(q.qmpSocket);
    });
    this.qemus.push(qemu);
    if (qemu.qmpSocket) this.listen(qemu.qmpSocket, () => qemu.connect());
    qemu.boot(opts.logFile);
  }

  async connectUnix(socketPath: string): Promise<Duplex> {
    const connect = this.sockets.get(socketPath);
    if (!connect) throw Object.assign(new Error(`connect ENOENT ${socketPath}`), { code: 'ENOENT' });
    return connect();
  }

  async processArgv(pid: number): Promise<string[] | null> {
    const q = this.qemus.find((x) => x.pid === pid && x.alive);
    return q ? [...q.argv] : null;
  }

  async kill(pid: number, signal: NodeJS.Signals): Promise<void> {
    const q = this.qemus.find((x) => x.pid === pid && x.alive);
    if (!q) throw Object.assign(new Error(`kill ESRCH ${pid}`), { code: 'ESRCH' });
    q.exit(128 + os.constants.signals[signal]);
  }

  /** The live QEMU of a VM (by its uuid). */
  qemuOf(vmId: string): FakeQemu | undefined {
    return this.qemus.find((q) => q.uuid === vmId && q.alive);
  }

  async which(cmd: string): Promise<string | null> {
    return this.programs.has(baseName(cmd)) ? `/usr/bin/${baseName(cmd)}` : null;
  }

  async hangarHome(): Promise<string> {
    return this.home;
  }

  async close(): Promise<void> {
    for (const q of this.qemus) if (q.alive) q.exit(143);
  }

  /** Remove the temp folder (after the test). */
  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private async run(call: ExecCall): Promise<ScriptedResult> {
    const found = this.scripts.find((s) => s.match(call));
    if (!found) return { code: 127, stderr: `fake host: no script for ${[call.cmd, ...call.args].join(' ')}\n` };
    return found.script(call, this);
  }
}

const baseName = (cmd: string) => path.basename(cmd);

/** The real file operations, limited to the fake host's folder (reads outside see `outside` only). */
function sandboxedFs(real: HostFs, host: FakeHost): HostFs {
  const enoent = (p: string) => Object.assign(new Error(`ENOENT: no such file or directory, '${p}'`), { code: 'ENOENT' });
  const writable = (p: string) => {
    if (!host.inside(p)) throw Object.assign(new Error(`EACCES: fake host writes only inside ${host.root}: '${p}'`), { code: 'EACCES' });
  };
  const outsideStat = (p: string): FileStat | null => {
    const b = host.outside.get(p);
    return b ? { size: b.length, isFile: true, isDirectory: false, mtimeMs: 0, mode: 0o100444 } : null;
  };
  return {
    stat: async (p) => (host.inside(p) ? real.stat(p) : outsideStat(p)),
    readFile: async (p) => {
      if (host.inside(p)) return real.readFile(p);
      const b = host.outside.get(p);
      if (!b) throw enoent(p);
      return b;
    },
    readTail: async (p, max) => (host.inside(p) ? real.readTail(p, max) : (host.outside.get(p)?.subarray(-max) ?? Buffer.alloc(0))),
    writeFileAtomic: async (p, data, mode) => (writable(p), real.writeFileAtomic(p, data, mode)),
    mkdir: async (p, mode) => (writable(p), real.mkdir(p, mode)),
    rm: async (p, opts) => (writable(p), real.rm(p, opts)),
    rename: async (a, b) => (writable(a), writable(b), real.rename(a, b)),
    readdir: async (p) => {
      if (host.inside(p)) return real.readdir(p);
      const prefix = p.endsWith('/') ? p : `${p}/`;
      const names = [...host.outside.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length).split('/')[0]!);
      if (!names.length) throw enoent(p);
      return [...new Set(names)];
    },
    access: async (p, mode) => (host.inside(p) ? real.access(p, mode) : mode === 'r' && host.outside.has(p)),
    createReadStream: async (p, opts) => {
      if (!host.inside(p)) throw enoent(p);
      return real.createReadStream(p, opts);
    },
    createWriteStream: async (p, opts) => (writable(p), real.createWriteStream(p, opts)),
    statfs: async () => ({ totalBytes: host.freeBytes * 2, freeBytes: host.freeBytes }),
  };
}
