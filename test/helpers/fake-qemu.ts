import { Duplex } from 'node:stream';
import * as fs from 'node:fs';

/**
 * A fake QEMU process for FakeHost: started by the keeper argv VmService builds, it writes its
 * pid file, answers QMP on its socket path (greeting, `qmp_capabilities`, `query-status`,
 * `stop`/`cont`, `system_powerdown`, `system_reset`, `quit`, plus whatever a test scripts) and,
 * when it ends, writes the keeper's `exit-status` record ("<status> <unix seconds>") just as
 * the real keeper does. No process, no socket: the QMP peer is an in-memory Duplex.
 */
export type QmpReply = { return: unknown } | { error: { class: string; desc: string } };
export type QmpScript = (args: Record<string, unknown> | undefined, qemu: FakeQemu) => QmpReply | Promise<QmpReply>;

export interface FakeQemuBehaviour {
  /** Does the guest power off when the ACPI button is pressed (default true)? */
  obeysPowerdown: boolean;
  /** Delay before an obeying guest powers off, ms (default 20). */
  powerdownDelayMs: number;
  /** QEMU refuses to start: this line goes to its log and it exits with status 1 (default null). */
  failStart: string | null;
  /** Scripted replies by QMP command (override the defaults). */
  replies: Record<string, QmpScript>;
}

export class FakeQemu {
  alive = true;
  status: 'running' | 'paused' | 'prelaunch' | 'shutdown' = 'running';
  /** Every QMP command received, in order (qmp_capabilities included). */
  readonly commands: Array<{ execute: string; arguments?: Record<string, unknown> }> = [];
  readonly uuid: string | null;
  readonly qmpSocket: string | null;
  private readonly clients = new Set<Duplex>();

  constructor(
    readonly pid: number,
    /** QEMU's own argv (binary first), as the keeper ran it. */
    readonly argv: string[],
    readonly exitFile: string,
    private readonly behaviour: FakeQemuBehaviour,
    private readonly onGone: (q: FakeQemu) => void,
  ) {
    this.uuid = valueAfter(argv, '-uuid');
    const chardev = argv.find((a) => a.startsWith('socket,id=qmp0,'));
    this.qmpSocket = chardev ? (/path=([^,]+)/.exec(chardev)?.[1] ?? null) : null;
    if (argv.includes('-S')) this.status = 'prelaunch';
  }

  /** Start: the pid file (or a start failure, as the real keeper would record it). */
  boot(qemuLog: string): void {
    if (this.behaviour.failStart) {
      fs.appendFileSync(qemuLog, `qemu-system-x86_64: ${this.behaviour.failStart}\n`);
      this.exit(1);
      return;
    }
    const pidFile = valueAfter(this.argv, '-pidfile');
    if (pidFile) fs.writeFileSync(pidFile, `${this.pid}\n`);
  }

  /** A new QMP connection (what connectUnix returns). */
  connect(): Duplex {
    let buffer = '';
    const client: Duplex = new Duplex({
      read() {},
      write: (chunk: Buffer, _enc, cb) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) void this.onCommand(client, JSON.parse(line) as { execute: string; arguments?: Record<string, unknown>; id?: unknown });
        }
        cb();
      },
    });
    client.on('close', () => this.clients.delete(client));
    this.clients.add(client);
    setImmediate(() => send(client, { QMP: { version: { qemu: { major: 8, minor: 2, micro: 2 }, package: '' }, capabilities: [] } }));
    return client;
  }

  /** Send an asynchronous QMP event to every connection. */
  event(name: string, data?: Record<string, unknown>): void {
    const now = Date.now();
    for (const c of this.clients) send(c, { event: name, ...(data ? { data } : {}), timestamp: { seconds: Math.floor(now / 1000), microseconds: (now % 1000) * 1000 } });
  }

  /** QEMU ends with this status (0 clean, 128+N killed by signal N): the keeper's record, then the sockets close. */
  exit(status: number): void {
    if (!this.alive) return;
    this.alive = false;
    fs.writeFileSync(this.exitFile, `${status} ${Math.floor(Date.now() / 1000)}\n`);
    for (const c of this.clients) {
      c.push(null);
      c.destroy();
    }
    this.clients.clear();
    this.onGone(this);
  }

  private async onCommand(client: Duplex, msg: { execute: string; arguments?: Record<string, unknown>; id?: unknown }): Promise<void> {
    this.commands.push(msg.arguments ? { execute: msg.execute, arguments: msg.arguments } : { execute: msg.execute });
    const scripted = this.behaviour.replies[msg.execute];
    const reply = scripted ? await scripted(msg.arguments, this) : this.defaultReply(msg.execute);
    if (this.alive || msg.execute === 'quit') send(client, { ...reply, id: msg.id });
    this.after(msg.execute);
  }

  private defaultReply(command: string): QmpReply {
    switch (command) {
      case 'qmp_capabilities':
      case 'system_powerdown':
      case 'system_reset':
      case 'quit':
        return { return: {} };
      case 'query-status':
        return { return: { status: this.status, running: this.status === 'running' } };
      case 'stop':
        this.status = 'paused';
        return { return: {} };
      case 'cont':
        this.status = 'running';
        return { return: {} };
      default:
        return { error: { class: 'CommandNotFound', desc: `The command ${command} has not been found` } };
    }
  }

  /** What QEMU does after answering: the events it sends and, for quit or an obeying guest, its end. */
  private after(command: string): void {
    switch (command) {
      case 'stop':
        this.event('STOP');
        break;
      case 'cont':
        this.event('RESUME');
        break;
      case 'system_reset':
        this.event('RESET', { guest: false, reason: 'host-qmp-system-reset' });
        break;
      case 'system_powerdown':
        this.event('POWERDOWN');
        if (this.behaviour.obeysPowerdown)
          setTimeout(() => {
            this.status = 'shutdown';
            this.event('SHUTDOWN', { guest: true, reason: 'guest-shutdown' });
            this.exit(0);
          }, this.behaviour.powerdownDelayMs);
        break;
      case 'quit':
        this.event('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' });
        setImmediate(() => this.exit(0));
        break;
    }
  }
}

function send(client: Duplex, msg: unknown): void {
  if (!client.destroyed) client.push(JSON.stringify(msg) + '\r\n');
}

function valueAfter(argv: readonly string[], flag: string): string | null {
  const i = argv.indexOf(flag);
  return i >= 0 ? (argv[i + 1] ?? null) : null;
}
