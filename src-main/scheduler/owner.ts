import * as path from 'node:path';
import { probeLocalSocket } from '../hosts/socket-probe';

/**
 * Is another long-lived engine already listening on this home's engine.sock? Then it owns the
 * schedules and autostart, and a second one (a `hangar serve` about to fail because the socket is
 * taken) must not run them in the moment before it gives up.
 */
export async function anotherEngineRunning(home: string): Promise<boolean> {
  try {
    return (await probeLocalSocket(path.join(home, 'engine.sock'))) === 'running';
  } catch {
    return false;
  }
}
