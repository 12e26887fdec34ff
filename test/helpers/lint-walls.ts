import * as path from 'node:path';

/**
 * What the wall tests share: the rules that make the walls (eslint.config.mjs). The fixtures that
 * break each wall are unit tests (test/unit/lint-walls.test.ts); the whole tree passing them is the
 * `lint` suite (test/lint/walls.test.ts), which reads every source file and so is not a unit test.
 */
export const ROOT = path.resolve(__dirname, '..', '..');
export const WALL_RULES = new Set(['no-restricted-imports', '@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);
export const ruleName = (id: string | null) => (id ?? '').replace('@typescript-eslint/', '');
