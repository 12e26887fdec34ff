import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImageInfo, VmInfo } from '../../src-main/api/contract';
import { guestFiles } from '../helpers/guest';
import { CLI, tempHome } from '../helpers/env';
import { cliRunner } from '../helpers/cli';
import { rangeServer, type RangeServer } from '../helpers/images';

// `hangar image ...` and `hangar vm create --image` as a user runs them: one process per command
// (each an in-process engine, no long-lived engine running), real files, real qemu-img.

const { home, cleanup } = tempHome('hangar-images-cli-');
const g = guestFiles();
const env = { ...process.env, HANGAR_HOME: home };
let server: RangeServer;

const { hangar, json } = cliRunner(env);
const sha256sum = (file: string) => spawnSync('sha256sum', [file], { encoding: 'utf8' }).stdout.split(' ')[0]!;

before(async () => {
  server = await rangeServer();
});
after(async () => {
  await server.close();
  cleanup();
});

describe('hangar image (CLI)', () => {
  test('import, list, show; a second import of the same file is recognised', () => {
    const iso = json<ImageInfo & { duplicate: boolean }>('image', 'import', g.iso);
    assert.equal(iso.format, 'iso');
    assert.equal(iso.sha256, sha256sum(g.iso));
    assert.equal(iso.duplicate, false);

    const again = hangar('image', 'import', g.iso);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already in the library as "guest": nothing was stored twice/);

    const list = json<ImageInfo[]>('image', 'list');
    assert.deepEqual(list.map((i) => i.name), ['guest']);
    const shown = hangar('image', 'show', 'guest');
    assert.match(shown.stdout, /Label:\s+HANGAR_GUEST/);
    assert.match(shown.stdout, new RegExp(`SHA-256:\\s+${iso.sha256}`));
  });

  test('bad input: one clear line on stderr and a failing exit code', () => {
    const missing = hangar('image', 'import', '/no/such/file.qcow2');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'hangar: "/no/such/file.qcow2" does not exist. Check the path.');
    const dir = hangar('image', 'import', home);
    assert.equal(dir.code, 2, 'INVALID_INPUT is bad usage');
    assert.match(dir.stderr, /is a folder/);
    const noConfirm = hangar('image', 'delete', 'guest');
    assert.equal(noConfirm.code, 2);
    assert.match(noConfirm.stderr, /add --yes to confirm/);
    assert.equal(json<ImageInfo[]>('image', 'list').length, 1);
  });

  test('vm create --image makes a linked clone; --full-copy a standalone disk; delete of a used image is refused', () => {
    json<ImageInfo>('image', 'import', g.disk, '--name', 'base', '--tag', 'test', '--os', 'linux', '--os-version', 'Hangar guest');
    const vm = json<VmInfo>('vm', 'create', '--name', 'linked', '--image', 'base', '--memory', '128', '--display', 'none', '--no-network');
    const info = JSON.parse(spawnSync('qemu-img', ['info', '-U', '--output=json', vm.spec.disks[0]!.path], { encoding: 'utf8' }).stdout) as Record<string, string>;
    const base = json<ImageInfo>('image', 'show', 'base');
    assert.equal(info['backing-filename'], base.path);
    assert.deepEqual(base.usedBy.map((u) => u.name), ['linked']);
    assert.deepEqual(base.tags, ['test']);
    assert.deepEqual(base.os, { family: 'linux', version: 'Hangar guest' });

    const full = json<VmInfo>('vm', 'create', '--name', 'full', '--image', 'base', '--full-copy', '--memory', '128', '--display', 'none', '--no-network');
    const fullInfo = JSON.parse(spawnSync('qemu-img', ['info', '-U', '--output=json', full.spec.disks[0]!.path], { encoding: 'utf8' }).stdout) as Record<string, string>;
    assert.equal(fullInfo['backing-filename'], undefined);

    const refused = hangar('image', 'delete', 'base', '--yes');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /"base" is used by the VM "linked"/);
    assert.equal(hangar('vm', 'delete', 'linked', '--delete-disks').code, 0);
    const gone = hangar('image', 'delete', 'base', '--yes');
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(fs.existsSync(base.path), false);
  });

  test('verify; download with --sha256 (and a wrong one refused)', async () => {
    const ok = json<ImageInfo>('image', 'verify', 'guest');
    assert.equal(ok.status, 'ready');

    const file = path.join(home, 'dl.img');
    fs.writeFileSync(file, Buffer.alloc(1024 * 1024, 4));
    server.serve('/dl.img', file);
    // spawnSync would block the event loop that runs the HTTP server: run the CLI asynchronously
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const bad = await run('image', 'download', `${server.url}/dl.img`, '--sha256', '0'.repeat(64));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not the expected 0{64}.*Nothing was kept/);
    const good = await run('image', 'download', `${server.url}/dl.img`, '--sha256', sha256sum(file), '--json');
    assert.equal(good.code, 0, good.stderr);
    assert.equal((JSON.parse(good.stdout) as ImageInfo).sha256, sha256sum(file));
    assert.deepEqual(fs.readdirSync(path.join(home, 'images', 'downloads')), []);
  });
});
