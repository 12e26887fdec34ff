import * as path from 'node:path';
import type { EventMessage, MethodInput, MethodName, MethodResult } from '../api/contract';
import { Engine } from '../engine/engine';
import { defaultHangarHome } from '../util/home';

/**
 * The CLI's view of the engine: the running one (desktop app or `hangar serve`) over its local
 * socket when there is one, else an engine inside this process. Same contract either way.
 */
export interface EngineClient {
  readonly clientId: string;
  readonly remote: boolean;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  onEvent(listener: (event: EventMessage) => void): () => void;
  close(): Promise<void>;
}

type LocalSocketModule = {
  connectLocalEngine(socketPath: string): Promise<{
    call(method: string, input: unknown): Promise<unknown>;
    onEvent(cb: (event: EventMessage) => void): () => void;
    close(): Promise<void> | void;
    clientId?: string;
  } | null>;
};

export async function connectEngine(opts: { home?: string; preferRunning?: boolean } = {}): Promise<EngineClient> {
  const home = opts.home ?? defaultHangarHome();
  if (opts.preferRunning !== false && !process.env.HANGAR_CLI_IN_PROCESS) {
    const mod = loadLocalSocket();
    const remote = mod ? await mod.connectLocalEngine(path.join(home, 'engine.sock')).catch(() => null) : null;
    if (remote) {
      return {
        clientId: remote.clientId ?? 'socket',
        remote: true,
        call: (method, input) => remote.call(method, input) as never,
        onEvent: (l) => remote.onEvent(l),
        close: async () => {
          await remote.close();
        },
      };
    }
  }
  const engine = await Engine.open({ home, watch: false });
  const clientId = `cli-${process.pid}`;
  return {
    clientId,
    remote: false,
    call: (method, input) => engine.call(method, input, { clientId, origin: 'cli' }),
    onEvent: (l) => engine.events.subscribe((msg, target) => (target === null || target === clientId ? l(msg) : undefined)),
    close: () => engine.close(),
  };
}

function loadLocalSocket(): LocalSocketModule | null {
  try {
    // Loaded lazily: the in-process path must not pay for the server code.
    return require('../server/local-socket') as LocalSocketModule;
  } catch {
    return null;
  }
}
