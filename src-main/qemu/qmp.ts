import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { HangarError } from '../api/errors';

/**
 * A QMP client over any byte stream (a local UNIX socket or one forwarded over SSH).
 * QMP interleaves asynchronous events with replies, so every command carries an `id`
 * and replies are matched by it; events are emitted separately.
 */
export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

export class QmpError extends Error {
  constructor(
    message: string,
    public readonly qmpClass: string | null,
  ) {
    super(message);
    this.name = 'QmpError';
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  command: string;
}

export interface QmpClientEvents {
  event: [QmpEvent];
  close: [];
}

export class QmpClient extends EventEmitter<QmpClientEvents> {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  version: { qemu: { major: number; minor: number; micro: number } } | null = null;

  private constructor(private readonly stream: Duplex) {
    super();
  }

  /** Read the greeting, negotiate capabilities, and return a ready client. */
  static async connect(stream: Duplex, timeoutMs = 5000): Promise<QmpClient> {
    const client = new QmpClient(stream);
    await client.handshake(timeoutMs);
    return client;
  }

  private handshake(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stream.destroy();
        reject(new QmpError('QEMU did not greet on its QMP socket (is another program connected to it?)', null));
      }, timeoutMs);
      let greeted = false;
      this.stream.on('data', (chunk: Buffer) => this.onData(chunk, (msg) => {
        if (!greeted && 'QMP' in msg) {
          greeted = true;
          this.version = (msg.QMP as { version: QmpClient['version'] }).version;
          this.command('qmp_capabilities', undefined, timeoutMs).then(
            () => {
              clearTimeout(timer);
              resolve();
            },
            (e: Error) => {
              clearTimeout(timer);
              reject(e);
            },
          );
        }
      }));
      const onEnd = (cause?: Error) => {
        clearTimeout(timer);
        // a stream ended with a sentence of its own (a LAN host whose link died) keeps it
        this.shutdown(cause instanceof HangarError ? cause : new QmpError('QMP connection closed', null));
        if (!greeted) reject(new QmpError('QMP connection closed before the greeting', null));
      };
      this.stream.on('close', () => onEnd());
      this.stream.on('end', () => onEnd());
      this.stream.on('error', (e) => onEnd(e));
    });
  }

  private onData(chunk: Buffer, onGreeting: (msg: Record<string, unknown>) => void): void {
    this.buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue; // QEMU never sends partial JSON lines; ignore noise
      }
      if ('QMP' in msg) onGreeting(msg);
      else if ('event' in msg) this.emit('event', msg as unknown as QmpEvent);
      else if ('id' in msg) this.settle(String(msg.id), msg);
    }
  }

  private settle(id: string, msg: Record<string, unknown>): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const err = msg.error as { class?: string; desc?: string };
      p.reject(new QmpError(`${p.command}: ${err.desc ?? 'error'}`, err.class ?? null));
    } else {
      p.resolve(msg.return);
    }
  }

  /** Execute a QMP command and resolve with its `return` value. */
  command<T = unknown>(name: string, args?: Record<string, unknown>, timeoutMs = 10000): Promise<T> {
    if (this.closed) return Promise.reject(new QmpError(`${name}: QMP connection is closed`, null));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpError(`${name}: QEMU did not answer within ${Math.round(timeoutMs / 1000)} s`, null));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, command: name });
      this.stream.write(JSON.stringify(args ? { execute: name, arguments: args, id } : { execute: name, id }) + '\n');
    });
  }

  /** Wait for one event by name (optionally filtered), or time out. */
  waitForEvent(name: string, timeoutMs: number, filter?: (e: QmpEvent) => boolean): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const onEvent = (e: QmpEvent) => {
        if (e.event === name && (!filter || filter(e))) {
          cleanup();
          resolve(e);
        }
      };
      const onClose = () => {
        cleanup();
        reject(new QmpError(`QMP closed while waiting for ${name}`, null));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new QmpError(`Timed out waiting for ${name}`, null));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('event', onEvent);
        this.off('close', onClose);
      };
      this.on('event', onEvent);
      this.on('close', onClose);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private shutdown(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.emit('close');
  }

  close(): void {
    this.stream.destroy();
    this.shutdown(new QmpError('QMP connection closed', null));
  }
}
