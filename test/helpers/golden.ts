import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Pinned outputs live in test/unit/golden/<name>.json. */
export const GOLDEN_DIR = path.join(__dirname, '..', 'unit', 'golden');

/**
 * Compare `value` with its pinned golden file. A missing file is a failure, never a silent write
 * (that would compare the output with itself): regenerate on purpose with UPDATE_GOLDEN=1 and review
 * the diff.
 */
export function assertGolden(name: string, value: unknown): void {
  const file = path.join(GOLDEN_DIR, `${name}.json`);
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, JSON.stringify(value, null, 1) + '\n');
  assert.ok(fs.existsSync(file), `golden file ${path.relative(process.cwd(), file)} is missing: run the test with UPDATE_GOLDEN=1 once, and review what it wrote`);
  assert.deepEqual(value, JSON.parse(fs.readFileSync(file, 'utf8')), `output differs from ${file}`);
}
