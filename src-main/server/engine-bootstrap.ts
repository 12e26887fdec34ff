import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../engine/engine';
import { alreadyRunning, listenLocalSocket, localSocketPath, probeLocalSocket, type LocalSocketServer } from './local-socket';

/**
 * The long-lived engine's start and stop, shared by `hangar serve` and the desktop app (they had
 * a copy each): refuse a home another long-lived engine owns, make the home private, open the
 * engine watching its VMs, and listen on `engine.sock` so CLI calls go through it.
 */

export interface LongLivedEngine {
  readonly engine: Engine;
  readonly home: string;
  /** `$HANGAR_HOME/engine.sock`. */
  readonly socketPath: string;
  /** Stop listening on engine.sock, then close the engine. Guests keep running. */
  close(): Promise<void>;
}

/** Does another long-lived engine own `home` (listen on its engine.sock)? Touches nothing. */
export async function isEngineRunning(home: string): Promise<boolean> {
  return (await probeLocalSocket(localSocketPath(path.resolve(home)))) === 'running';
}

/** Throws (CONFLICT, with the socket path) when another long-lived engine owns `home`. Touches nothing. */
export async function refuseIfEngineRunning(home: string): Promise<void> {
  if (await isEngineRunning(home)) throw alreadyRunning(localSocketPath(path.resolve(home)));
}

/** Open the engine for `home` (created 0700 if absent) and serve it on engine.sock. Nothing stays open on failure. */
export async function startLongLivedEngine(homeIn: string): Promise<LongLivedEngine> {
  const home = path.resolve(homeIn);
  const socketPath = localSocketPath(home);
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const engine = await Engine.open({ home, watch: true });
  let local: LocalSocketServer;
  try {
    local = await listenLocalSocket(engine, socketPath);
  } catch (e) {
    await engine.close();
    throw e;
  }
  let closing: Promise<void> | null = null;
  return {
    engine,
    home,
    socketPath,
    close() {
      closing ??= (async () => {
        try {
          await local.close();
        } finally {
          await engine.close();
        }
      })();
      return closing;
    },
  };
}

/**
 * For the long-lived processes only (`hangar serve`, the desktop app), never for tests or the
 * library: a promise that fails where nobody waits for it must not end a process that holds every
 * client's consoles and tasks (Node ends it by default). It is written to stderr, whole, instead.
 */
export function surviveStrayRejections(): void {
  if (process.listenerCount('unhandledRejection') > 0) return;
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    process.stderr.write(`hangar: an internal operation failed where nothing waited for it (the engine runs on): ${text}\n`);
  });
}
