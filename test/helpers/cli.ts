import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI } from './env';

/** What one `hangar …` call left: its exit code and both streams. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The built `hangar` command run as a user runs it (a new Node process, `bin/hangar.js`), for the
 * integration files that test the CLI (they each had a copy of this). `json(...)` adds `--json`,
 * expects exit 0 (the failure names the command and its stderr) and parses stdout.
 */
export function cliRunner(env: NodeJS.ProcessEnv, opts: { timeoutMs?: number; cli?: string } = {}) {
  const hangar = (...args: string[]): CliRun => {
    const r = spawnSync(process.execPath, [opts.cli ?? CLI, ...args], { env, encoding: 'utf8', timeout: opts.timeoutMs ?? 120000, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const json = <T>(...args: string[]): T => {
    const r = hangar(...args, '--json');
    assert.equal(r.code, 0, `hangar ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  return { hangar, json };
}
