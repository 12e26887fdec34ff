import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The renderer bundle. `base: './'` makes every asset URL relative, so the same build loads
 * from file:// in Electron and from http(s)://host/ behind `hangar serve`.
 */
export default defineConfig(({ mode }) => ({
  root: here,
  // test builds only (--mode test): the e2e test hooks (app/test-hooks.testbuild.ts); never in production
  resolve: { alias: mode === 'test' ? [{ find: /^(.*\/app\/test-hooks)$/, replacement: '$1.testbuild' }] : [] },
  base: './',
  plugins: [react()],
  // The renderer imports a few pure modules from ../src-main (contract schemas, units).
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    // Everything the first paint needs (statically imported from main.tsx) in one chunk: a
    // dozen small shared chunks would each be a request and a module to link before the list
    // shows (test/bench/ui.bench.ts). Pages and dialogs stay lazy chunks of their own.
    rolldownOptions: { output: { codeSplitting: { groups: [{ name: 'startup', tags: ['$initial'] }] } } },
  },
}));
