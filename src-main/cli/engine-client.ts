import * as path from 'node:path';
import type { EventMessage, MethodInput, MethodName, MethodResult } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Engine } from '../engine/engine';
import { subscribeClient } from '../engine/client-events';
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
  /**
   * Called once with a sentence if the engine goes away while we are connected (a running
   * `hangar serve` or desktop app was killed): whoever waits on events must stop waiting.
   * An in-process engine never goes away under us.
   */
  onLost(listener: (message: string) => void): () => void;
  close(): Promise<void>;
}

/** What the CLI says when the engine it was talking to stops (pure; the tests match it). */
export const engineLostMessage = (socketPath: string, waitingFor?: string) =>
  `The Hangar engine (\`hangar serve\` or the desktop app, at ${socketPath}) stopped${waitingFor ? ` while this command was waiting for "${waitingFor}"` : ''}. ` +
  'What it was doing may be incomplete: start it again (or run the command without it) and check with "hangar task list".';

type LocalSocketModule = {
  connectLocalEngine(socketPath: string): Promise<{
    call(method: string, input: unknown): Promise<unknown>;
    onEvent(cb: (event: EventMessage) => void): () => void;
    onClose(cb: () => void): () => void;
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
      const socketPath = path.join(home, 'engine.sock');
      let closing = false;
      return {
        clientId: remote.clientId ?? 'socket',
        remote: true,
        // a call that was waiting when the engine died is rejected by the connection's close: say why
        call: (method, input) =>
          (remote.call(method, input) as Promise<never>).catch((e: unknown) => {
            if (!closing && e instanceof HangarError && e.code === 'IO_ERROR' && /connection to the engine/.test(e.message)) throw new HangarError('HOST_UNREACHABLE', engineLostMessage(socketPath, method));
            throw e;
          }),
        onEvent: (l) => remote.onEvent(l),
        onLost: (l) => remote.onClose(() => (closing ? undefined : l(engineLostMessage(socketPath)))),
        close: async () => {
          closing = true;
          await remote.close();
        },
      };
    }
  }
  // Loaded only here: a CLI call through a running engine never pays for the engine's code.
  const { Engine: EngineClass } = require('../engine/engine') as { Engine: typeof Engine };
  const engine = await EngineClass.open({ home, watch: false });
  // said once: the process that tightened the folder prints it, the next ones find nothing to do
  for (const n of engine.startupNotices) process.stderr.write(`hangar: ${n.message}\n`);
  return inProcessClient(engine);
}

/** The CLI's client of an engine in its own process: one EventBus client like every other face. */
export function inProcessClient(engine: Engine, clientId = `cli-${process.pid}`): EngineClient {
  return {
    clientId,
    remote: false,
    call: (method, input) => engine.call(method, input, { clientId, origin: 'cli' }),
    onEvent: (l) => subscribeClient(engine.events, clientId, l),
    onLost: () => () => undefined,
    close: () => engine.close(),
  };
}

function loadLocalSocket(): LocalSocketModule | null {
  try {
    // Loaded lazily: the in-process path must not pay for the server code.
    return require('../server/local-socket-client') as LocalSocketModule;
  } catch {
    return null;
  }
}
