import type { Duplex } from 'node:stream';
import type { Host } from '../hosts/host';

/**
 * A client for qemu-guest-agent over the VM's `org.qemu.guest_agent.0` virtio-serial port, which
 * QEMU exposes as a UNIX socket in the VM's runtime folder (reached through the Host seam, so it
 * works the same on LAN hosts). The port is a dumb pipe: QEMU accepts the connection whether or
 * not an agent runs in the guest, and stale replies of an earlier client may still be in it. So:
 *  - every connection starts with `guest-sync-delimited` (0xFF flushes the agent's parser, the
 *    agent answers with 0xFF before the reply; everything before it is stale and dropped);
 *  - every wait has a timeout, so a guest without an agent costs a bounded wait, never a hang;
 *  - after a timeout the connection is closed (a late reply would be taken for the next one).
 */
export type QgaErrorKind = 'unavailable' | 'timeout' | 'closed' | 'agent';

export class QgaError extends Error {
  constructor(
    message: string,
    readonly kind: QgaErrorKind,
    readonly agentClass: string | null = null,
  ) {
    super(message);
    this.name = 'QgaError';
  }
}

interface Waiter {
  resolve(line: Record<string, unknown>): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export const QGA_SYNC_TIMEOUT_MS = 3000;

export class QgaClient {
  private buf = Buffer.alloc(0);
  /** Until the sync's 0xFF arrives, bytes are stale output of earlier clients. */
  private delimiterSeen = false;
  private waiter: Waiter | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', () => this.shutdown(new QgaError('The guest agent channel failed.', 'closed')));
    stream.on('close', () => this.shutdown(new QgaError('The guest agent channel closed.', 'closed')));
  }

  /** Connect and synchronise; throws QgaError('unavailable' | 'timeout') when no agent answers. */
  static async connect(host: Host, socketPath: string, timeoutMs = QGA_SYNC_TIMEOUT_MS): Promise<QgaClient> {
    let stream: Duplex;
    try {
      stream = await host.connectUnix(socketPath, timeoutMs);
    } catch (e) {
      throw new QgaError(`No guest agent channel (${e instanceof Error ? e.message : String(e)}).`, 'unavailable');
    }
    const client = new QgaClient(stream);
    try {
      await client.sync(timeoutMs);
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async sync(timeoutMs: number): Promise<void> {
    const id = Math.floor(Math.random() * 2 ** 31);
    this.delimiterSeen = false;
    const reply = this.expect(timeoutMs, 'The guest agent did not answer (is qemu-guest-agent installed and running in the guest?).');
    this.stream.write(Buffer.concat([Buffer.from([0xff]), Buffer.from(JSON.stringify({ execute: 'guest-sync-delimited', arguments: { id } }) + '\n')]));
    // A reply of an earlier client's command may come first: wait for our id.
    for (let line = await reply; line.return !== id; line = await this.expect(timeoutMs, 'The guest agent did not answer the sync.'));
  }

  /** Run one command and return its `return` value (commands run one at a time). */
  command<T = unknown>(execute: string, args?: Record<string, unknown>, timeoutMs = 10000): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new QgaError('The guest agent channel is closed.', 'closed');
      const reply = this.expect(timeoutMs, `The guest agent did not answer ${execute} within ${Math.round(timeoutMs / 1000)} s.`);
      this.stream.write(JSON.stringify(args ? { execute, arguments: args } : { execute }) + '\n');
      const line = await reply;
      if ('error' in line) {
        const err = line.error as { class?: string; desc?: string };
        throw new QgaError(`The guest agent refused ${execute}: ${err.desc ?? 'unknown error'}`, 'agent', err.class ?? null);
      }
      return line.return as T;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Send a command that has no reply on success (guest-shutdown, guest-suspend-*). */
  async send(execute: string, args?: Record<string, unknown>): Promise<void> {
    await this.queue;
    if (this.closed) throw new QgaError('The guest agent channel is closed.', 'closed');
    await new Promise<void>((resolve, reject) => this.stream.write(JSON.stringify(args ? { execute, arguments: args } : { execute }) + '\n', (e) => (e ? reject(e) : resolve())));
  }

  close(): void {
    this.shutdown(new QgaError('The guest agent channel is closed.', 'closed'));
  }

  private expect(timeoutMs: number, timeoutMessage: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new QgaError(timeoutMessage, 'timeout'));
        this.close(); // a late reply would be taken for the next command's
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
      this.drain();
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.buf.length > 16 * 1024 * 1024) this.buf = this.buf.subarray(this.buf.length - 1024 * 1024);
    this.drain();
  }

  private drain(): void {
    if (!this.delimiterSeen) {
      const at = this.buf.lastIndexOf(0xff);
      if (at < 0) {
        this.buf = Buffer.alloc(0);
        return;
      }
      this.delimiterSeen = true;
      this.buf = this.buf.subarray(at + 1);
    }
    while (this.waiter) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return;
      const raw = this.buf.subarray(0, nl);
      // a later sync's delimiter starts the line: the reply is what follows it
      const text = raw.subarray(raw.lastIndexOf(0xff) + 1).toString('utf8').trim();
      this.buf = this.buf.subarray(nl + 1);
      if (!text) continue;
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        continue; // garbage from a guest that writes to the port itself
      }
      if (typeof msg !== 'object' || msg === null) continue;
      const w = this.waiter;
      this.waiter = null;
      clearTimeout(w.timer);
      w.resolve(msg as Record<string, unknown>);
    }
  }

  private shutdown(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waiter) {
      clearTimeout(this.waiter.timer);
      this.waiter.reject(err);
      this.waiter = null;
    }
    this.stream.destroy();
  }
}
