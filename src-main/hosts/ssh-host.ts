import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Client, SFTPWrapper } from 'ssh2';
import { HangarError } from '../api/errors';
import type { ExecOptions, ExecResult, Host, HostFs, HostInfo, HostProcess } from './host';
import { DETACH_SCRIPT, quoteArgv, remoteArgv } from './remote-quote';
import { SessionSlots } from './session-slots';
import { channelProcess, openExecChannel, openShellChannel, runToEnd, type OpenedExec, type ShellHandle } from './ssh-channels';
import { explainSftpErrors } from './sftp-errors';
import { LinkWatch } from './link-watch';
import { openClient } from './ssh-connect';
import { isNoSuchFile, sftpFs } from './ssh-fs';

/** How to reach a LAN host. Stored in hosts.config_json (never a password or a passphrase). */
export interface SshTarget {
  name: string;
  address: string;
  port: number;
  user: string;
  /** Private key file on THIS computer; null: use the SSH agent ($SSH_AUTH_SOCK). */
  keyPath: string | null;
  /** Where Hangar keeps its data there; null: `$HOME/.local/share/hangar` of the SSH user. */
  remoteHome: string | null;
}

export type SshState = 'connecting' | 'online' | 'offline';

export interface SshHostOptions {
  /** SSH keepalive: how fast a dead network is noticed (interval × (count + 1)). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Reconnect after a drop, with back-off from the first to the last delay. */
  reconnectDelaysMs?: number[];
  connectTimeoutMs?: number;
}

/**
 * sshd's default MaxSessions is 10 per connection: 6 for commands (queued), 3 for terminals
 * (long-lived, so they must not starve commands), 1 for SFTP.
 */
const MAX_PARALLEL_EXEC = 6;
const MAX_SHELLS = 3;

/** What `info()` runs there: constant text, one value per line. */
const INFO_SCRIPT = 'nproc; awk \'/^MemTotal:/ {print $2 * 1024}\' /proc/meminfo; hostname; id -u; printf "%s\\n" "$HOME"; uname -s';

/**
 * A LAN host reached over SSH with ssh2: exec with quoted argv, UNIX-socket streams through
 * `direct-streamlocal@openssh.com`, files through SFTP. Its host key is pinned; it reconnects
 * with back-off after a drop and tells listeners ('state') so the engine re-attaches to its VMs.
 */
export class SshHost extends EventEmitter implements Host {
  readonly kind = 'ssh' as const;
  readonly fs: HostFs;
  state: SshState = 'offline';
  stateReason: string | null = 'Not connected yet.';
  /** Has a connection been attempted yet (a CLI engine connects lazily)? */
  attempted = false;
  private everConnected = false;
  private client: Client | null = null;
  private sftpSession: Promise<SFTPWrapper> | null = null;
  private connecting: Promise<void> | null = null;
  private lastFailure: { at: number; error: HangarError } | null = null;
  private cachedInfo: HostInfo | null = null;
  private passphrase: string | undefined;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempt = 0;
  private closed = false;
  private readonly sessions = new SessionSlots(MAX_PARALLEL_EXEC);
  private readonly shells = new SessionSlots(MAX_SHELLS);
  /** Fails waiting calls fast when the link dies before the keepalive notices (link-watch.ts). */
  private readonly link: LinkWatch;
  private readonly streams = new Set<Duplex>();

  constructor(
    readonly id: string,
    readonly target: SshTarget,
    /** The pinned host key fingerprint: any other key is refused. */
    private readonly pinnedFingerprint: string,
    private readonly options: SshHostOptions = {},
  ) {
    super();
    this.link = new LinkWatch(`${target.name} (${target.address})`, () => {
      // ssh2 channels drop destroy()'s error: hand the sentence to listeners (QMP) first
      for (const s of this.streams) {
        if (this.link.deadError && s.listenerCount('error') > 0) s.emit('error', this.link.deadError);
        s.destroy();
      }
      const dead = this.client;
      if (dead) {
        this.onDropped(dead); // offline now, with the reason; reconnecting starts
        dead.destroy();
      }
    }, async () => {
      const s = await this.sftp();
      await new Promise<void>((resolve) => s.realpath('.', () => resolve()));
    });
    // SFTP's bare statuses become sentences naming this host, the path and the reason (sftp-errors.ts)
    this.fs = explainSftpErrors(
      sftpFs(() => this.sftp(), (cmd, args) => this.exec(cmd, args, { timeoutMs: 60000 })),
      target,
      (p) => this.link.guard(p),
    );
  }

  /** The last connection failed for want of the key's passphrase (asked again in the UI / CLI). */
  get needsPassphrase(): boolean {
    return this.state !== 'online' && this.lastFailure?.error.details?.needsPassphrase === true;
  }

  /** The passphrase of an encrypted key: kept in memory for reconnects, never written anywhere. */
  setPassphrase(passphrase: string | undefined): void {
    this.passphrase = passphrase;
  }

  // ---------------------------------------------------------------- connection

  /** Connect now (or join the attempt in progress). Throws a HangarError that says what to do. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new HangarError('INVALID_STATE', `The connection to ${this.target.name} was closed.`));
    if (this.state === 'online' && this.client) return Promise.resolve();
    if (!this.connecting) {
      this.attempted = true;
      this.setState('connecting', null);
      this.connecting = openClient(this.target, { pinned: this.pinnedFingerprint, passphrase: this.passphrase, ...this.options })
        .then(({ client }) => {
          this.client = client;
          this.link.attach(client);
          this.everConnected = true;
          this.lastFailure = null;
          this.reconnectAttempt = 0;
          client.on('close', () => this.onDropped(client));
          client.on('error', () => undefined); // 'close' follows; the reason is reported there
          this.setState('online', null);
        })
        .catch((e: unknown) => {
          const error = e instanceof HangarError ? e : new HangarError('HOST_UNREACHABLE', `Cannot connect to ${this.target.name}: ${(e as Error).message}`);
          this.lastFailure = { at: Date.now(), error };
          this.setState('offline', error.message);
          this.scheduleReconnect();
          throw error;
        })
        .finally(() => {
          this.connecting = null;
        });
    }
    return this.connecting;
  }

  private onDropped(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.sftpSession = null;
    this.link.detach(client);
    if (this.closed) return;
    this.setState('offline', this.link.deadError?.message ?? `The connection to ${this.target.name} was lost.`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delays = this.options.reconnectDelaysMs ?? [1000, 2000, 5000, 10000, 30000];
    if (this.closed || this.reconnectTimer || delays.length === 0) return;
    // An encrypted key without its passphrase cannot succeed by retrying.
    // Neither can a changed host key or a refused login: they wait for the user (host.connect).
    const code = this.lastFailure?.error.code;
    if (code === 'UNAUTHORIZED' || code === 'INVALID_INPUT') return;
    const delay = delays[Math.min(this.reconnectAttempt, delays.length - 1)]!;
    this.reconnectAttempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch(() => undefined); // failure schedules the next attempt
    }, delay);
    this.reconnectTimer.unref();
  }

  private setState(state: SshState, reason: string | null): void {
    const changed = state !== this.state || reason !== this.stateReason;
    this.state = state;
    this.stateReason = reason;
    if (changed) this.emit('state', state, reason);
  }

  /**
   * The live client. The first use connects (a CLI engine connects lazily); after a drop or a
   * failure, calls fail at once with the reason instead of each waiting for a connect timeout:
   * the reconnect loop, or the user (host.connect), brings the host back.
   */
  private async live(): Promise<Client> {
    if (this.state === 'online' && this.client) return this.client;
    if (this.closed) throw new HangarError('HOST_UNREACHABLE', `${this.target.name} is not connected.`);
    if (!this.everConnected && !this.lastFailure) {
      await this.connect();
      if (this.client) return this.client;
    }
    if (this.lastFailure && !this.reconnectTimer && !this.connecting) throw this.lastFailure.error;
    throw new HangarError('HOST_UNREACHABLE', `${this.target.name} is offline${this.stateReason ? ` (${this.stateReason.replace(/\.$/, '')})` : ''}. Hangar reconnects by itself; "Test connection" on the Hosts page retries now.`);
  }

  /** The live ssh2 client, for the migration relay's remote listener (migrate-relay.ts). */
  liveClient(): Promise<Client> {
    return this.live();
  }

  private sftp(): Promise<SFTPWrapper> {
    if (!this.sftpSession) {
      const session = this.live().then(
        (c) =>
          new Promise<SFTPWrapper>((resolve, reject) =>
            c.sftp((err, s) => {
              if (err) return reject(new HangarError('HOST_UNREACHABLE', `${this.target.name} refused an SFTP session: ${err.message}. Is the sftp subsystem enabled in its sshd_config?`));
              s.on('close', () => {
                if (this.sftpSession === session) this.sftpSession = null;
              });
              resolve(s);
            }),
          ),
      );
      this.sftpSession = session;
      session.catch(() => {
        if (this.sftpSession === session) this.sftpSession = null;
      });
    }
    return this.sftpSession;
  }

  /** An exec channel in one of the command slots (ssh-channels.ts records its exit). */
  private async openExec(command: string): Promise<OpenedExec> {
    const client = await this.live();
    const release = await this.sessions.take();
    try {
      const opened = await openExecChannel(client, command);
      void opened.closed.then(release);
      return opened;
    } catch (e) {
      release();
      throw new HangarError('HOST_UNREACHABLE', `${this.target.name} refused to run a command: ${(e as Error).message}`);
    }
  }

  // ---------------------------------------------------------------- Host

  async info(): Promise<HostInfo> {
    if (this.cachedInfo) return this.cachedInfo;
    const r = await this.exec('/bin/sh', ['-c', INFO_SCRIPT], { timeoutMs: 20000 });
    const [cpus, mem, hostname, uid, home, platform] = r.stdout.split('\n');
    if (r.code !== 0 || !home) throw new HangarError('HOST_UNREACHABLE', `Could not read the system facts of ${this.target.name}: ${r.stderr.trim() || `exit ${r.code}`}`);
    this.cachedInfo = {
      cpus: Number(cpus) || 1,
      memoryBytes: Number(mem) || 0,
      hostname: hostname?.trim() || this.target.address,
      uid: Number(uid),
      homeDir: home,
      platform: (platform ?? '').trim().toLowerCase() || 'linux',
    };
    return this.cachedInfo;
  }

  async exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const opened = await this.link.guard(this.openExec(quoteArgv(remoteArgv(cmd, args, opts))));
    return runToEnd(opened, opts, (p) => this.link.guard(p), () => new HangarError('HOST_UNREACHABLE', `The connection to ${this.target.name} was lost while running ${cmd}.`));
  }

  spawn(cmd: string, args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): HostProcess {
    return channelProcess(() => this.openExec(quoteArgv(remoteArgv(cmd, args, opts))));
  }

  /**
   * An interactive login shell on the host (the Hosts page terminal): a PTY session of
   * ssh2's `shell()`, with resize through `setWindow`.
   */
  async openShell(cols: number, rows: number, emit: (data: Buffer) => void, closed: (reason: string) => void): Promise<ShellHandle> {
    const client = await this.live();
    const release = this.shells.tryTake();
    if (!release) throw new HangarError('RESOURCE_LIMIT', `${MAX_SHELLS} terminals are already open on ${this.target.name}: close one first.`);
    return openShellChannel(client, this.target.name, { cols, rows }, emit, closed, release);
  }

  async spawnDetached(cmd: string, args: readonly string[], opts: { logFile: string; cwd?: string }): Promise<void> {
    // setsid -f + </dev/null + >>log: nothing stays tied to the SSH channel, so the process
    // outlives this session, the desktop app and a network drop.
    const r = await this.exec('/bin/sh', ['-c', DETACH_SCRIPT, 'hangar-detach', opts.logFile, opts.cwd ?? '/', cmd, ...args], { timeoutMs: 30000 });
    if (r.code !== 0) throw new HangarError('QEMU_FAILED', `Could not start ${cmd} on ${this.target.name}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  async connectUnix(socketPath: string, timeoutMs = 5000): Promise<Duplex> {
    const client = await this.live();
    const stream = await this.link.guard(
      new Promise<Duplex>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Timed out connecting to ${socketPath} on ${this.target.name}`)), timeoutMs);
        client.openssh_forwardOutStreamLocal(socketPath, (err, s) => {
          clearTimeout(timer);
          if (err) reject(new Error(`Cannot connect to ${socketPath} on ${this.target.name}: ${err.message}`));
          else resolve(s);
        });
      }),
    );
    // a write (a QMP command) expects an answer: a dead link is noticed then, not at the keepalive
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    stream.write = ((...a: unknown[]) => {
      this.link.expectAnswer();
      return write(...a);
    }) as typeof stream.write;
    return stream;
  }

  async processArgv(pid: number): Promise<string[] | null> {
    // Only "no such process" is null: an offline host throws, so nobody concludes a VM died.
    let raw: Buffer;
    try {
      const s = await this.link.guard(this.sftp());
      raw = await this.link.guard(new Promise<Buffer>((resolve, reject) => s.readFile(`/proc/${pid}/cmdline`, (err: Error | undefined, data: Buffer) => (err ? reject(err) : resolve(data)))));
    } catch (e) {
      if (isNoSuchFile(e)) return null;
      throw e;
    }
    if (raw.length === 0) return null;
    return raw.toString('utf8').split('\0').filter((s, i, a) => !(i === a.length - 1 && s === ''));
  }

  async kill(pid: number, signal: NodeJS.Signals): Promise<void> {
    const r = await this.exec('kill', ['-s', signal.replace(/^SIG/, ''), String(pid)]);
    if (r.code !== 0 && !/no such process/i.test(r.stderr)) throw new Error(`kill ${pid} on ${this.target.name} failed: ${r.stderr.trim()}`);
  }

  async which(cmd: string): Promise<string | null> {
    const r = await this.exec('/bin/sh', ['-c', 'command -v -- "$1"', 'sh', cmd]);
    const found = r.stdout.trim().split('\n')[0] ?? '';
    return r.code === 0 && found.startsWith('/') ? found : null;
  }

  async hangarHome(): Promise<string> {
    return this.target.remoteHome ?? `${(await this.info()).homeDir.replace(/\/+$/, '')}/.local/share/hangar`;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const c = this.client;
    this.client = null;
    this.sftpSession = null;
    // no ping after close (a closed host's silence is no dead link), and no call left waiting
    this.link.stop(new HangarError('INVALID_STATE', `The connection to ${this.target.name} was closed.`));
    c?.end();
    this.setState('offline', 'Disconnected.');
  }
}
