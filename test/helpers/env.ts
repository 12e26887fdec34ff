import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { VmInfo } from '../../src-main/api/contract';
import type { Engine } from '../../src-main/engine/engine';

/** A fresh HANGAR_HOME for one test file, removed at the end unless HANGAR_KEEP_TEST_HOME is set. */
export function tempHome(prefix = 'hangar-test-'): { home: string; cleanup(): void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    home,
    cleanup() {
      if (!process.env.HANGAR_KEEP_TEST_HOME) fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Poll until `fn` returns a truthy value, or fail with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'bin', 'hangar.js');

/** End of a test file: force off every VM the engine still runs, then close it (guests would outlive it). */
export async function killAllAndClose(engine: Engine): Promise<void> {
  for (const vm of await engine.call('vm.list', {}).catch(() => [] as VmInfo[])) {
    if (vm.state !== 'stopped' && vm.state !== 'crashed') await engine.call('vm.kill', { vm: vm.id }).catch(() => undefined);
  }
  await engine.close();
}
