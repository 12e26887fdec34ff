// Lint: typescript-eslint's recommended rules, plus the project's own rules of safety, plus the walls
// between the layers (issue 16), checked over the whole tree. test/unit/lint-walls.test.ts proves each
// wall with a fixture that breaks it.
//
// The walls (docs/ARCHITECTURE.md, "Walls"):
// - only src-main/hosts/ and the faces (server/, cli/, electron/) reach processes, sockets, files and
//   the network (child_process, net, fs, http(s), node-pty, ssh2); `import type` is allowed (it is erased);
// - nothing but the faces imports a face; electron is imported only in electron/;
// - src-main/api/ (the contract and the wire) and src-main/shared/ (pure rules both sides use) import
//   only each other, zod and no Node module;
// - the renderer imports from the main side only src-main/api/ and src-main/shared/.
//
// Flat config replaces (does not merge) a rule's options when a later block matches the same file, so
// every zone below states its whole list.
import tseslint from 'typescript-eslint';

const IO_MODULES = ['child_process', 'net', 'fs', 'fs/promises', 'http', 'https', 'dgram', 'tls'];
const IO_PACKAGES = ['node-pty', 'ssh2'];
const IO_NAMES = [...IO_MODULES.flatMap((m) => [m, `node:${m}`]), ...IO_PACKAGES];
const IO_MESSAGE = 'Only src-main/hosts/ and the faces (server/, cli/, electron/) reach processes, sockets, files and the network: go through a Host, or a small module in src-main/hosts/.';
const FACE_MESSAGE = 'Domains, the engine and the contract never import a face (server/, cli/, electron/): faces depend on the engine, not the other way.';
const PURE_MESSAGE = 'src-main/api/ and src-main/shared/ are pure (the renderer imports them): only each other and zod, no Node module.';
const RENDERER_MESSAGE = 'The renderer imports from the main side only src-main/api/ (the contract) and src-main/shared/ (pure rules).';

// an import that climbs out of its folder into a face: ../server/x, ../../cli/y
const FACE_REGEX = '^(\\.\\./)+(server|cli|electron)(/|$)';
// the same for require() and import() (esquery regexes cannot contain a slash: \W stands for it)
const FACE_SYNTAX = '/^(\\.\\.\\W)+(server|cli|electron)(\\W|$)/';
const IO_SYNTAX = `/^(node:)?(${[...IO_MODULES, ...IO_PACKAGES].map((m) => m.replace('/', '\\W')).join('|')})$/`;

const SAFETY_SYNTAX = [
  { selector: "Property[key.name='shell'][value.value=true]", message: 'Never run commands through a shell: pass an argv array.' },
  { selector: "CallExpression[callee.name='execSync']", message: 'Use Host.exec with an argv array.' },
];
const dynamic = (regex, message) => [
  { selector: `ImportExpression[source.value=${regex}]`, message },
  { selector: `CallExpression[callee.name='require'][arguments.0.value=${regex}]`, message },
];

const electron = { name: 'electron', message: 'Electron is imported only in src-main/electron/.' };
const io = IO_NAMES.map((name) => ({ name, message: IO_MESSAGE, allowTypeImports: true }));
const faces = { regex: FACE_REGEX, message: FACE_MESSAGE };

/** One zone: the whole option list of both rules for the files it names. */
function zone(files, { paths = [], patterns = [], syntax = [] }, ignores) {
  return {
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
      'no-restricted-syntax': ['error', ...SAFETY_SYNTAX, ...syntax],
    },
  };
}

// infrastructure that opens the SQLite file itself: the database is always on this computer (LAN
// hosts' records live in it too) and better-sqlite3 opens it by path, so a Host would add nothing
const DB_FILES = ['src-main/db/database.ts', 'src-main/db/open-checked.ts'];

/** Files of api/ or shared/ at `depth` folders below src-main/: may climb only into api/ or shared/. */
const pureAt = (depth) => ({
  regex: `^(\\.\\./){${depth}}(?!api/|shared/|api$|shared$)|^(\\.\\./){${depth + 1}}`,
  message: PURE_MESSAGE,
});
const pureZone = (depth) => {
  const glob = Array.from({ length: depth - 1 }, () => '*').join('/');
  const files = ['api', 'shared'].map((d) => `src-main/${d}/${glob ? glob + '/' : ''}*.ts`);
  return zone(files, {
    paths: [electron, ...IO_NAMES.map((name) => ({ name, message: PURE_MESSAGE }))],
    patterns: [faces, pureAt(depth), { regex: '^node:', message: PURE_MESSAGE }],
    syntax: [...dynamic(FACE_SYNTAX, FACE_MESSAGE), ...dynamic(IO_SYNTAX, PURE_MESSAGE)],
  });
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test/.guest/**', 'test/artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-syntax': ['error', ...SAFETY_SYNTAX],
    },
  },
  // domains, the engine, util/: no I/O modules, no faces, no electron
  zone(['src-main/**/*.ts'], {
    paths: [electron, ...io],
    patterns: [faces],
    syntax: [...dynamic(FACE_SYNTAX, FACE_MESSAGE), ...dynamic(IO_SYNTAX, IO_MESSAGE)],
  }),
  // hosts/ and the database files: I/O allowed; still no faces
  zone(['src-main/hosts/**/*.ts', ...DB_FILES], { paths: [electron], patterns: [faces], syntax: dynamic(FACE_SYNTAX, FACE_MESSAGE) }),
  // server/ and cli/: faces; anything but electron
  zone(['src-main/server/**/*.ts', 'src-main/cli/**/*.ts'], { paths: [electron] }),
  zone(['src-main/electron/**/*.ts'], {}),
  // api/ and shared/: pure
  pureZone(1),
  pureZone(2),
  pureZone(3),
  // the renderer: only api/ and shared/ of the main side
  zone(['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'], {
    paths: [electron, ...IO_NAMES.map((name) => ({ name, message: RENDERER_MESSAGE }))],
    patterns: [{ regex: 'src-main(/|$)(?!api/|api$|shared/|shared$)', message: RENDERER_MESSAGE }],
    syntax: dynamic('/src-main(?!\\Wapi\\W|\\Wapi$|\\Wshared\\W|\\Wshared$)/', RENDERER_MESSAGE),
  }),
);
