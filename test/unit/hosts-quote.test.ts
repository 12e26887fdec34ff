import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, test } from 'node:test';
import { HostAddInput } from '../../src-main/api/contract';
import { fingerprintOf, keyTypeOf } from '../../src-main/hosts/known-hosts';
import { DETACH_SCRIPT, quoteArg, quoteArgv, remoteArgv } from '../../src-main/hosts/remote-quote';

// quoteArgv is the one function that builds command lines for remote shells (sshd runs every
// exec through the login shell). The proof: real shells split its output back into the same argv.

const NASTY: string[] = [
  'plain',
  'two words',
  '',
  ' ',
  "it's",
  "''",
  '"double"',
  '$HOME',
  '${PATH}',
  '$(id)',
  '`id`',
  'a\nb',
  '\n',
  'tab\there',
  'back\\slash',
  '\\',
  '; rm -rf / #',
  '| & && || > < >> 2>&1',
  '*',
  '~',
  '!history',
  '-n',
  '--',
  '中文 ünïcödé 🚀',
  "'\\''",
  '%s',
];

/** Run `printf '%s\0' ARGS` through `shell -c <quoted command line>` and split the output on NUL. */
function roundTrip(shell: string, argv: string[]): string[] {
  const line = quoteArgv(['printf', '%s\\0', ...argv]);
  const out = execFileSync(shell, ['-c', line]).toString('utf8');
  const parts = out.split('\0');
  parts.pop(); // after the last NUL
  return parts;
}

const SHELLS = ['/bin/sh', '/bin/bash', '/bin/dash'].filter((s) => fs.existsSync(s));

describe('quoteArgv (the remote command line)', () => {
  test('wraps each word in single quotes and escapes single quotes as \'\\\'\'', () => {
    assert.equal(quoteArg('a b'), "'a b'");
    assert.equal(quoteArg("it's"), "'it'\\''s'");
    assert.equal(quoteArg(''), "''");
    assert.equal(quoteArgv(['echo', '$HOME', '`id`']), "'echo' '$HOME' '`id`'");
  });

  for (const shell of SHELLS) {
    test(`${shell} splits every nasty word back unchanged, each on its own`, () => {
      for (const word of NASTY) assert.deepEqual(roundTrip(shell, [word]), [word], `word ${JSON.stringify(word)}`);
    });
    test(`${shell} splits the whole nasty argv back unchanged, in order`, () => {
      assert.deepEqual(roundTrip(shell, NASTY), NASTY);
    });
  }

  test('refuses NUL bytes and empty commands instead of silently truncating', () => {
    assert.throws(() => quoteArg('a\0b'), /NUL/);
    assert.throws(() => quoteArgv([]), /empty command/);
  });

  test('remoteArgv: cwd and env go through constant scripts and positional arguments only', () => {
    const argv = remoteArgv('printf', ['%s|', '$PWD', "x'y"], { cwd: '/tmp', env: { HANGAR_X: 'a b$c' } });
    const out = execFileSync('/bin/sh', ['-c', `${quoteArgv(argv)}; printf '%s' "$HANGAR_X"`]).toString('utf8');
    assert.equal(out, "$PWD|x'y|");
    const env = execFileSync('/bin/sh', ['-c', quoteArgv(remoteArgv('/bin/sh', ['-c', 'printf "%s" "$HANGAR_X|$PWD"'], { cwd: '/tmp', env: { HANGAR_X: 'a b$c' } }))]).toString('utf8');
    assert.equal(env, 'a b$c|/tmp');
    assert.throws(() => remoteArgv('x', [], { env: { 'BAD NAME': '1' } }), /environment variable/);
    assert.ok(!DETACH_SCRIPT.includes('${'), 'the detach script takes values as positional parameters only');
  });
});

describe('host keys and host input', () => {
  test('fingerprints match OpenSSH (SHA256, unpadded base64)', () => {
    const dir = fs.mkdtempSync('/tmp/hangar-key-');
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${dir}/k`]);
      const pub = fs.readFileSync(`${dir}/k.pub`, 'utf8').split(' ');
      const blob = Buffer.from(pub[1]!, 'base64');
      const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${dir}/k.pub`]).toString().split(' ')[1];
      assert.equal(fingerprintOf(blob), expected);
      assert.equal(keyTypeOf(blob), 'ssh-ed25519');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('host addresses with shell metacharacters are refused by the schema', () => {
    const base = { name: 'box', user: 'root', port: 22 };
    for (const address of ['box;reboot', 'a b', '$(id)', '`id`', 'host|x', 'h&', '-oProxyCommand=x', "x'y", 'a\nb', '']) {
      const r = HostAddInput.safeParse({ ...base, address });
      assert.equal(r.success, false, `address ${JSON.stringify(address)} must be refused`);
    }
    for (const address of ['server.lan', '10.0.0.2', 'fe80::1', 'my-box', 'host1.example.com']) {
      assert.equal(HostAddInput.safeParse({ ...base, address }).success, true, `address ${address} is fine`);
    }
    assert.equal(HostAddInput.safeParse({ ...base, address: 'x', user: 'root;id' }).success, false);
    assert.equal(HostAddInput.safeParse({ ...base, address: 'x', acceptFingerprint: 'MD5:aa' }).success, false);
  });
});
