import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { ROOT, WALL_RULES } from '../helpers/lint-walls';

/**
 * The real tree passes every wall between the layers (eslint.config.mjs; each wall is proven to
 * bite by its fixture in test/unit/lint-walls.test.ts). This lints every file of src-main and
 * src-renderer (~12 s on 2 cores from a cold cache), so it is its own suite of `npm test` rather than
 * part of the unit suite: CI runs `npm test` (.ci/run), not `npm run lint`, so the walls must be
 * checked here.
 */
test('the real tree passes every wall', { timeout: 600_000 }, async () => {
  // only the wall rules (typescript-eslint's others are `npm run lint`'s business), cached between runs
  const walls = new ESLint({
    cwd: ROOT,
    ruleFilter: ({ ruleId }) => WALL_RULES.has(ruleId),
    cache: true,
    cacheLocation: path.join(ROOT, 'node_modules', '.cache', 'hangar-lint-walls'),
  });
  const results = await walls.lintFiles(['src-main', 'src-renderer']);
  assert.ok(results.length > 300, `the tree was linted (${results.length} files)`);
  const problems = results.flatMap((r) => r.messages.map((m) => `${path.relative(ROOT, r.filePath)}:${m.line} ${m.message}`));
  assert.deepEqual(problems, []);
});
