import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RENDERER_DIR, rendererBuilt, testRendererDir } from './helpers';

/**
 * Test hooks are injected by the tests, not shipped: the production bundle (dist/renderer, maps
 * included) names none of them, nor the old synthetic bench client; the test build does carry
 * the hooks (so the search below can find them when they are there).
 */
const HOOKS = ['hangarTerminals', 'hangarDisplays', 'test-hooks.testbuild', 'BenchClient', 'bench-client', 'not available in benchmark mode', 'syntheticVms'];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

function hits(dir: string, names: string[]): string[] {
  const out: string[] = [];
  for (const f of filesUnder(dir)) {
    const text = fs.readFileSync(f, 'latin1');
    for (const n of names) if (text.includes(n)) out.push(`${path.relative(dir, f)}: ${n}`);
  }
  return out;
}

describe('test hooks in the renderer bundle', { skip: rendererBuilt() ? false : 'the renderer is not built: run npm run build:renderer' }, () => {
  test('dist/renderer (scripts, maps, html) contains no test hook and no bench client', () => {
    assert.ok(filesUnder(RENDERER_DIR).some((f) => f.endsWith('.js')), 'the bundle has scripts');
    assert.deepEqual(hits(RENDERER_DIR, HOOKS), []);
  });

  test('the test build does register the hooks (the search finds them when present)', { timeout: 600_000 }, () => {
    const found = hits(testRendererDir(), ['hangarTerminals', 'hangarDisplays']);
    assert.ok(found.some((h) => h.endsWith('hangarTerminals')) && found.some((h) => h.endsWith('hangarDisplays')), found.join('\n'));
  });
});
