import type { MethodName, MethodInput, MethodResult, EventTopic, EventMap } from '../../src-main/api/contract';
import type { ClientMessage, ServerMessage } from '../../src-main/api/rpc';
import { ApiError, Emitter, type ApiClient, type ConnectionState } from './types';

interface Pending {
  method: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
/** How long a call made while disconnected waits for the connection before failing. */
const WAIT_FOR_CONNECTION_MS = 15000;
/**
 * A killed `hangar serve` closes the socket and pending calls fail at once. A connection that
 * stays open but where nothing answers (the engine's machine froze, a network cable pulled) is
 * found by this watchdog: while calls are pending and nothing arrived for this long, a probe call
 * goes out; no answer to it within the same time and the connection is declared dead.
 */
const SILENCE_MS = 4000;

/** The WebSocket address of `hangar serve`: same origin, path /api, token forwarded if the page has one. */
export function apiUrl(loc: Pick<Location, 'origin' | 'search'>): string {
  const url = new URL('/api', loc.origin.replace(/^http/, 'ws'));
  const token = new URLSearchParams(loc.search).get('token');
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

/**
 * The browser face: one WebSocket to `hangar serve` (authenticated by the HttpOnly cookie the
 * server set when the page was opened with ?token=). Requests carry ids; the server says
 * 'hello' first. On a drop, pending calls fail and we reconnect with back-off; stores listen
 * to onConnectionChange and re-fetch their snapshots when 'connected' comes back.
 */
export class WebSocketClient implements ApiClient {
  readonly kind = 'browser' as const;
  connection: ConnectionState = 'reconnecting';
  private ws: WebSocket | null = null;
  private nextId = 1;
  private attempt = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new Emitter();
  private readonly connectionListeners = new Set<(s: ConnectionState) => void>();
  private readonly waiting = new Set<() => void>();
  private lastHeard = Date.now();
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private probeSentAt: number | null = null;
  private disposed = false;

  /** The watchdog's silence (tests shorten it, so they need not wait 8 s of real time). */
  private readonly silenceMs: number;

  constructor(
    private readonly url: string,
    opts: { silenceMs?: number } = {},
  ) {
    this.silenceMs = opts.silenceMs ?? SILENCE_MS;
    this.connect();
  }

  private connect(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => {
      this.lastHeard = Date.now();
      this.probeSentAt = null;
      this.onMessage(String(ev.data));
    };
    ws.onclose = () => this.lost(ws);
    ws.onerror = () => {
      /* onclose follows and handles it */
    };
  }

  /** The connection is gone (closed, or silent past the watchdog): fail what waits, reconnect. */
  private lost(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.ws = null;
    ws.onclose = null;
    ws.onmessage = null;
    try {
      ws.close();
    } catch {
      /* already closed */
    }
    this.failPending();
    this.setConnection('reconnecting');
    this.scheduleReconnect();
  }

  private checkSilence(): void {
    const ws = this.ws;
    if (!ws || this.pending.size === 0) {
      this.probeSentAt = null;
      return;
    }
    const now = Date.now();
    if (this.probeSentAt !== null && now - this.probeSentAt >= this.silenceMs && this.lastHeard < this.probeSentAt) {
      this.lost(ws);
      return;
    }
    if (this.probeSentAt === null && now - this.lastHeard >= this.silenceMs) {
      this.probeSentAt = now;
      // any answer (even an error) proves the engine is alive; the result itself is not used
      const probe: ClientMessage = { type: 'call', id: this.nextId++, method: 'task.list', input: {} };
      try {
        ws.send(JSON.stringify(probe));
      } catch {
        this.lost(ws);
      }
    }
  }

  private scheduleReconnect(): void {
    if (this.disposed) return;
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 8000;
    this.attempt++;
    setTimeout(() => this.connect(), delay);
  }

  private onMessage(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    switch (msg.type) {
      case 'hello':
        this.attempt = 0;
        this.setConnection('connected');
        for (const wake of [...this.waiting]) wake();
        break;
      case 'result':
      case 'error': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.type === 'result') p.resolve(msg.result);
        else p.reject(new ApiError(msg.error));
        break;
      }
      case 'event':
        this.events.emit(msg.topic, msg.data);
        break;
    }
  }

  private failPending(): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(
        new ApiError({
          code: 'HOST_UNREACHABLE',
          message: `The Hangar engine stopped answering while this page was waiting for "${p.method}" (the connection to "hangar serve" was lost). If the engine was stopped, the operation did not finish; reconnecting…`,
        }),
      );
    }
  }

  private setConnection(state: ConnectionState): void {
    if (this.connection === state) return;
    this.connection = state;
    for (const cb of [...this.connectionListeners]) cb(state);
  }

  private waitForConnection(): Promise<void> {
    if (this.connection === 'connected' && this.ws) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting.delete(wake);
        reject(new ApiError({ code: 'HOST_UNREACHABLE', message: 'Not connected to the Hangar engine. Is "hangar serve" still running?' }));
      }, WAIT_FOR_CONNECTION_MS);
      this.waiting.add(wake);
    });
  }

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> {
    await this.waitForConnection();
    const ws = this.ws;
    if (!ws) throw new ApiError({ code: 'HOST_UNREACHABLE', message: 'Not connected to the Hangar engine.' });
    const id = this.nextId++;
    const message: ClientMessage = { type: 'call', id, method, input: input ?? {} };
    this.watchdog ??= setInterval(() => this.checkSilence(), Math.min(1000, Math.ceil(this.silenceMs / 4)));
    if (this.pending.size === 0) this.lastHeard = Date.now(); // silence counts from the first waiting call
    return new Promise<MethodResult<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify(message));
    });
  }

  /** Stop for good: no more reconnects, the socket closed, what waits fails (page unload, tests). */
  dispose(): void {
    this.disposed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    if (this.ws) this.lost(this.ws);
  }

  on<T extends EventTopic>(topic: T, handler: (data: EventMap[T]) => void): () => void {
    return this.events.on(topic, handler as (d: unknown) => void);
  }

  onConnectionChange(cb: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(cb);
    return () => this.connectionListeners.delete(cb);
  }
}
