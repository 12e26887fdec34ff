/**
 * Test hooks of the test build only (`vite build --mode test`: vite.config.mts resolves
 * app/test-hooks to this file; production builds get the no-op test-hooks.ts). The e2e tests add
 * an init script (page.addInitScript, test/e2e/helpers.ts exposeTestHooks) that creates the
 * registries on `window`; this registers the xterm terminals and noVNC sessions in them.
 */
type Registry = Record<string, unknown>;

function register(registry: string, key: string, value: unknown): () => void {
  if (import.meta.env.MODE === 'test') {
    const reg = (window as unknown as Record<string, Registry | undefined>)[registry];
    if (reg) {
      reg[key] = value;
      return () => {
        if (reg[key] === value) delete reg[key];
      };
    }
  }
  return () => undefined;
}

/** An xterm Terminal, by its test key (the tests read its buffer and selection). */
export function exposeTerminal(key: string, term: unknown): () => void {
  if (import.meta.env.MODE === 'test') return register('hangarTerminals', key, term);
  return () => undefined;
}

/** A noVNC session, by VM id. */
export function exposeDisplay(vmId: string, rfb: unknown): () => void {
  if (import.meta.env.MODE === 'test') return register('hangarDisplays', vmId, rfb);
  return () => undefined;
}
