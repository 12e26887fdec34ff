import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { ROOT, WALL_RULES, ruleName } from '../helpers/lint-walls';

/**
 * The walls between the layers are lint rules (eslint.config.mjs). Each fixture in
 * test/fixtures/lint-walls breaks one wall; it is linted as if it lived at the forbidden path
 * (`// lint-as:`) and must give exactly the listed errors (`// errors: rule=N ...`, with the wall's
 * own message, `// message:`, a regular expression), and none at a path where the same code is allowed (`// allowed-at:`), so a rule
 * that matched everything, or nothing, fails here. That the real tree passes the wall rules is the
 * `lint` suite's test (test/lint/walls.test.ts): it reads the whole tree, which no unit test should.
 */
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'lint-walls');

interface Fixture {
  file: string;
  code: string;
  lintAs: string;
  allowedAt: string[];
  errors: Record<string, number>;
  message: string;
}

function readFixture(file: string): Fixture {
  const code = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
  const header = (key: string) => {
    const m = new RegExp(`^// ${key}: (.+)$`, 'm').exec(code);
    assert.ok(m?.[1], `${file} has a "// ${key}:" line`);
    return m[1].trim();
  };
  const errors: Record<string, number> = {};
  for (const pair of header('errors').split(/\s+/)) {
    const [rule, n] = pair.split('=');
    errors[rule!] = Number(n);
  }
  return { file, code, lintAs: header('lint-as'), allowedAt: header('allowed-at').split(/\s+/), errors, message: header('message') };
}

const eslint = new ESLint({ cwd: ROOT });

async function wallErrors(code: string, filePath: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  assert.ok(result, `eslint linted ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${filePath} parses`);
  return result.messages.filter((m) => m.ruleId && WALL_RULES.has(m.ruleId));
}

const fixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).sort();

test('there is a fixture for each wall', () => {
  assert.deepEqual(fixtures, ['api-imports-face.ts.txt', 'api-impure.ts.txt', 'domain-imports-face.ts.txt', 'io-dynamic.ts.txt', 'io-imports.ts.txt', 'renderer-imports-main.tsx.txt']);
});

for (const file of fixtures) {
  test(`lint wall: ${file} fails where it is forbidden and passes where it is allowed`, async () => {
    const f = readFixture(file);
    const errors = await wallErrors(f.code, f.lintAs);
    const counts: Record<string, number> = {};
    for (const m of errors) counts[ruleName(m.ruleId)] = (counts[ruleName(m.ruleId)] ?? 0) + 1;
    assert.deepEqual(counts, f.errors, `${file} as ${f.lintAs}: ${errors.map((m) => `${m.line}: ${m.message}`).join('\n')}`);
    for (const m of errors) assert.match(m.message, new RegExp(f.message), `line ${m.line} says why`);
    for (const allowed of f.allowedAt) {
      const there = await wallErrors(f.code, allowed);
      assert.deepEqual(
        there.map((m) => `${m.line}: ${m.message}`),
        [],
        `${file} is allowed as ${allowed}`,
      );
    }
  });
}
