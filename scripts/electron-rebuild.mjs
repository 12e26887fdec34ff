#!/usr/bin/env node
// `npm run electron:rebuild`: build better-sqlite3 for Electron's ABI into .electron-native/,
// leaving node_modules/ (Node's build, used by tests, `hangar serve` and the CLI) untouched.
// The desktop app (src-main/electron/main.ts) finds the result there and hands it to
// better-sqlite3 as `nativeBinding` (HANGAR_SQLITE_BINDING). node-pty needs nothing: it uses
// N-API, which is ABI-stable across Node and Electron. Needs network once (Electron headers,
// or a prebuilt binary).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.electron-native');
const src = join(root, 'node_modules', 'better-sqlite3');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const sqliteVersion = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')).version;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'node_modules'), { recursive: true });
writeFileSync(join(out, 'package.json'), JSON.stringify({ name: 'hangar-electron-native', private: true, version: '0.0.0', dependencies: { 'better-sqlite3': sqliteVersion } }, null, 2));
cpSync(src, join(out, 'node_modules', 'better-sqlite3'), { recursive: true, filter: (p) => !p.includes(`${join('better-sqlite3', 'build')}`) });

const { rebuild } = await import('@electron/rebuild');
console.log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} in ${out} …`);
try {
  await rebuild({ buildPath: out, electronVersion, onlyModules: ['better-sqlite3'], force: true });
} catch (e) {
  console.error(`Could not build better-sqlite3 for Electron: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
const binding = join(out, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
if (!existsSync(binding)) {
  console.error(`The build finished but ${binding} is missing.`);
  process.exit(1);
}
console.log(`Done: ${binding}`);
