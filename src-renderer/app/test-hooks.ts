/**
 * Test hooks: none in a production build. The e2e tests use the renderer built with
 * `vite build --mode test` (test/e2e/helpers.ts testRendererDir), where vite.config.mts resolves
 * this module to its test-build twin, which registers terminals and VNC sessions in registries
 * the tests create with an init script. So nothing of them ships, not even their names
 * (test/e2e/bundle-hooks.test.ts greps dist/renderer).
 */
export function exposeTerminal(_key: string, _term: unknown): () => void {
  return () => undefined;
}

export function exposeDisplay(_vmId: string, _rfb: unknown): () => void {
  return () => undefined;
}
