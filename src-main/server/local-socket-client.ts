import * as fs from 'node:fs';
import * as net from 'node:net';
import type { EventMessage, MethodInput, MethodName, MethodResult } from '../api/contract';
import { HangarError, isApiErrorShape } from '../api/errors';
import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage } from '../api/rpc';

/**
 * The client side of the engine's local socket (server side: local-socket.ts). In a file of its
 * own so that a `hangar` call through a running engine loads only this (the CLI bundles it,
 * scripts/bundle-cli.mjs), not the server's session code.
 */

/** Lines longer than this are refused (channel.write carries at most 1 MiB of base64). */
const MAX_LINE = 16 * 1024 * 1024;

/** Remove a socket file only if it is a socket nobody listens on. */
export function removeStale(socketPath: string): void {
  try {
    if (fs.lstatSync(socketPath).isSocket()) fs.unlinkSync(socketPath);
  } catch {
    /* gone already */
  }
}

/** A connection to a running engine over its local socket. Calls throw HangarError like Engine.call. */
export interface RemoteEngineClient {
  readonly clientId: string;
  /** The running engine's app version. */
  readonly version: string;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  call(method: string, input: unknown): Promise<unknown>;
  /** Engine events (broadcast ones and those for this client); returns an unsubscribe function. */
  onEvent(listener: (event: EventMessage) => void): () => void;
  /** Called once when the connection ends (engine stopped, or close()). */
  onClose(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Connect to the engine listening at `socketPath`. Resolves null when none listens (no socket
 * file, or a stale one: that file is removed only when connecting gives ECONNREFUSED).
 */
export async function connectLocalEngine(socketPath: string, opts: { timeoutMs?: number } = {}): Promise<RemoteEngineClient | null> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const socket = await new Promise<net.Socket | null>((resolve, reject) => {
    const s = net.createConnection(socketPath);
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      s.destroy();
      if (e.code === 'ENOENT') return resolve(null);
      if (e.code === 'ECONNREFUSED') {
        removeStale(socketPath);
        return resolve(null);
      }
      if (e.code === 'EACCES') return reject(new HangarError('UNAUTHORIZED', `Permission denied on the engine socket ${socketPath}: it belongs to another user.`));
      reject(new HangarError('IO_ERROR', `Cannot connect to the engine socket ${socketPath}: ${e.message}`));
    });
  });
  if (!socket) return null;
  return RemoteClient.start(socket, socketPath, timeoutMs);
}

class RemoteClient implements RemoteEngineClient {
  clientId = '';
  version = '';
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private readonly eventListeners = new Set<(event: EventMessage) => void>();
  private readonly closeListeners = new Set<() => void>();
  private ended = false;
  private onHello: ((msg: Extract<ServerMessage, { type: 'hello' }>) => void) | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly socketPath: string,
  ) {}

  static start(socket: net.Socket, socketPath: string, timeoutMs: number): Promise<RemoteClient> {
    const client = new RemoteClient(socket, socketPath);
    return new Promise<RemoteClient>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new HangarError('TIMEOUT', `The engine at ${socketPath} did not answer within ${timeoutMs} ms.`));
      }, timeoutMs);
      client.onHello = (hello) => {
        clearTimeout(timer);
        if (hello.protocol !== PROTOCOL_VERSION) {
          socket.destroy();
          reject(new HangarError('UNSUPPORTED', `The running engine speaks protocol ${hello.protocol}, this program speaks ${PROTOCOL_VERSION}: restart the desktop app or \`hangar serve\` after upgrading.`));
          return;
        }
        client.clientId = hello.clientId;
        client.version = hello.version;
        resolve(client);
      };
      client.attach(() => {
        clearTimeout(timer);
        reject(new HangarError('IO_ERROR', `The engine at ${socketPath} closed the connection before greeting.`));
      });
    });
  }

  private attach(onEarlyClose: () => void): void {
    this.socket.setEncoding('utf8');
    let buf = '';
    this.socket.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) this.handle(line);
      }
      if (buf.length > MAX_LINE) this.socket.destroy();
    });
    this.socket.on('error', () => this.socket.destroy());
    this.socket.on('close', () => {
      if (this.onHello) onEarlyClose();
      this.onHello = null;
      this.ended = true;
      const err = new HangarError('IO_ERROR', `The connection to the engine (${this.socketPath}) closed.`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      for (const l of [...this.closeListeners]) safely(() => l());
      this.closeListeners.clear();
    });
  }

  private handle(line: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(line) as ServerMessage;
    } catch {
      return;
    }
    switch (msg.type) {
      case 'hello': {
        const cb = this.onHello;
        this.onHello = null;
        cb?.(msg);
        break;
      }
      case 'result': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.resolve(msg.result);
        break;
      }
      case 'error': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        const e = msg.error;
        p?.reject(isApiErrorShape(e) ? new HangarError(e.code, e.message, e.details) : new HangarError('INTERNAL', 'The engine sent a malformed error.'));
        break;
      }
      case 'event': {
        const { type: _type, ...event } = msg;
        for (const l of [...this.eventListeners]) safely(() => l(event as EventMessage));
        break;
      }
    }
  }

  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  call(method: string, input: unknown): Promise<unknown>;
  call(method: string, input: unknown): Promise<unknown> {
    if (this.ended) return Promise.reject(new HangarError('IO_ERROR', `The connection to the engine (${this.socketPath}) is closed.`));
    const id = this.nextId++;
    const msg: ClientMessage = { type: 'call', id, method, input: input ?? {} };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(JSON.stringify(msg) + '\n');
    });
  }

  onEvent(listener: (event: EventMessage) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onClose(listener: () => void): () => void {
    if (this.ended) {
      queueMicrotask(listener);
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): Promise<void> {
    if (this.ended || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      // Don't wait forever for the other side's FIN.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    /* a listener's bug must not break the connection */
  }
}
