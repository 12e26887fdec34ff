// Lint: typescript-eslint's recommended rules, plus the project's own rules of safety.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test/.guest/**', 'test/artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='shell'][value.value=true]", message: 'Never run commands through a shell: pass an argv array.' },
        { selector: "CallExpression[callee.name='execSync']", message: 'Use Host.exec with an argv array.' },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Electron is imported only in src-main/electron/.' }] }],
    },
  },
  {
    files: ['src-main/qemu/**/*.ts', 'src-main/compute/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['child_process', 'node:child_process', 'net', 'node:net', 'fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({
            name,
            message: 'qemu/ and compute/ reach processes, sockets and files only through a Host (src-main/hosts/).',
          })),
        },
      ],
    },
  },
);
