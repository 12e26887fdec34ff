import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { ImageInfo, TaskInfo, VmInfo } from '../../src-main/api/contract';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { CLI, tempHome, waitFor } from '../helpers/env';

// One $HANGAR_HOME, many Hangar processes (issue 12, "one home, many processes" and "permissions"):
// real CLI processes, a real `hangar serve`, real QEMU. Each command is its own process, as a user
// runs them from two terminals.

const { home: base, cleanup } = tempHome('hangar-procs-');
const home = path.join(base, 'home'); // made by the first CLI call (for the file-mode checks)
const g = guestFiles();
const guestArgs = ['--memory', '128', '--display', 'none', '--no-network', '--kernel', g.kernel, '--initrd', g.initrd, '--append', GUEST_APPEND];
const children = new Set<ChildProcess>();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `hangar ARGS` as its own process (in parallel with others). */
function hangar(args: string[], opts: { home?: string; timeoutMs?: number } = {}): Promise<Run> & { child: ChildProcess } {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, HANGAR_HOME: opts.home ?? home }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180000);
  const done = new Promise<Run>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  ) as Promise<Run> & { child: ChildProcess };
  done.child = child;
  return done;
}

async function ok(args: string[], h = home): Promise<string> {
  const r = await hangar(args, { home: h });
  assert.equal(r.code, 0, `hangar ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const json = async <T>(args: string[], h = home): Promise<T> => JSON.parse(await ok([...args, '--json'], h)) as T;

/** QEMU processes whose argv names this VM's id. */
function qemuProcessesOf(vmId: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.includes('qemu-system') && argv.some((a) => a.includes(vmId))) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

function engineUp(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection(socketPath);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** `hangar serve` on a free port; resolves once it listens on engine.sock. */
async function serve(h: string): Promise<{ proc: Promise<Run> & { child: ChildProcess } }> {
  const proc = hangar(['serve', '--port', '0'], { home: h, timeoutMs: 600000 });
  await waitFor('hangar serve to listen on engine.sock', () => engineUp(path.join(h, 'engine.sock')), 60000, 100);
  return { proc };
}

after(async () => {
  for (const vm of JSON.parse((await hangar(['vm', 'list', '--json'])).stdout || '[]') as VmInfo[]) {
    if (vm.state !== 'stopped' && vm.state !== 'crashed') await hangar(['vm', 'kill', vm.name]);
  }
  for (const c of children) c.kill('SIGKILL');
  cleanup();
});

describe('one home, many processes', () => {
  test('a home made by the CLI is private: folder 0700, database 0600', async () => {
    await ok(['vm', 'list']);
    assert.equal(mode(home), 0o700);
    for (const f of ['hangar.db', 'hangar.db-wal', 'hangar.db-shm']) if (fs.existsSync(path.join(home, f))) assert.equal(mode(path.join(home, f)), 0o600, f);
    assert.equal(mode(path.join(home, 'hangar.db')), 0o600);
  });

  test('two CLIs start one VM at once: one starts it, the other refuses in words; one QEMU; inventory "running"; its files private', async () => {
    const vm = await json<VmInfo>(['vm', 'create', '--name', 'twin', ...guestArgs]);
    const [a, b] = await Promise.all([hangar(['vm', 'start', 'twin']), hangar(['vm', 'start', 'twin'])]);
    const results = [a, b].sort((x, y) => (x.code ?? 9) - (y.code ?? 9));
    assert.equal(results[0]!.code, 0, results[0]!.stderr);
    assert.equal(results[1]!.code, 1, `the second start must be refused: ${results[1]!.stdout}`);
    assert.match(results[1]!.stderr, /VM "twin" is already (starting|running)/);
    console.log(`  refused start said: ${results[1]!.stderr.trim()}`);
    assert.equal(qemuProcessesOf(vm.id).length, 1, 'exactly one QEMU for the VM');
    const shown = await json<VmInfo>(['vm', 'show', 'twin']);
    assert.equal(shown.state, 'running');
    assert.equal(qemuProcessesOf(vm.id)[0], shown.pid);

    // item 5: the VM's files and sockets
    const dir = path.join(home, 'vms', vm.id);
    for (const f of ['vm.json', 'qemu.log', 'serial.log']) assert.equal(mode(path.join(dir, f)) & 0o077, 0, `${f} is ${mode(path.join(dir, f)).toString(8)}`);
    const runDir = path.join(home, 'run', vm.id);
    assert.equal(mode(runDir), 0o700);
    for (const s of fs.readdirSync(runDir)) assert.equal(mode(path.join(runDir, s)) & 0o077, 0, `${s} is ${mode(path.join(runDir, s)).toString(8)}`);

    // and two force-offs at once: both end with the VM stopped, never a live QEMU called stopped
    await Promise.all([hangar(['vm', 'kill', 'twin']), hangar(['vm', 'kill', 'twin'])]);
    assert.equal((await json<VmInfo>(['vm', 'show', 'twin'])).state, 'stopped');
    await waitFor('QEMU gone', () => qemuProcessesOf(vm.id).length === 0, 20000);
  });

  test('parallel `vm create` with one name: one wins, the others say "A VM named … already exists"', async () => {
    const before = fs.readdirSync(path.join(home, 'vms')).length;
    const runs = await Promise.all([1, 2, 3, 4].map(() => hangar(['vm', 'create', '--name', 'same', ...guestArgs, '--disk', '8M'])));
    const won = runs.filter((r) => r.code === 0);
    const lost = runs.filter((r) => r.code !== 0);
    assert.equal(won.length, 1, runs.map((r) => r.stderr).join('\n'));
    for (const r of lost) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^hangar: A VM named "same" already exists\. Choose another name\.\n$/);
      assert.doesNotMatch(r.stderr, /UNIQUE|SQLITE|constraint/i);
    }
    const vms = await json<VmInfo[]>(['vm', 'list']);
    assert.equal(vms.filter((v) => v.name === 'same').length, 1);
    assert.equal(fs.readdirSync(path.join(home, 'vms')).length, before + 1, 'the losers left no VM folder behind');
  });

  test('an import in one CLI while another CLI lists VMs and images: the import completes with the right checksum', async () => {
    const file = path.join(base, 'disk.raw');
    const chunk = Buffer.alloc(1 << 20);
    const fd = fs.openSync(file, 'w');
    const hash = createHash('sha256');
    for (let i = 0; i < 512; i++) {
      chunk.fill(i % 251);
      chunk.writeUInt32LE(i, 0);
      fs.writeSync(fd, chunk);
      hash.update(chunk);
    }
    fs.closeSync(fd);
    const sha256 = hash.digest('hex');

    const importing = hangar(['image', 'import', file, '--name', 'busy-disk', '--json']);
    let finished = false;
    void importing.then(() => (finished = true));
    // before the fix, any other CLI opening the home marked the running import "interrupted" and
    // deleted its .part: wait until another process sees it running, then keep listing
    await waitFor(
      'another CLI to see the import running',
      async () => {
        const r = await hangar(['task', 'list', '--json']);
        assert.ok(!finished, 'the import ended before another process could see it running: make the file bigger');
        return r.code === 0 && (JSON.parse(r.stdout) as TaskInfo[]).some((t) => t.kind === 'image.import' && t.state === 'running');
      },
      120000,
      100,
    );
    let lists = 0;
    let sawRunning = true;
    while (!finished) {
      const [vms, images, tasks] = await Promise.all([hangar(['vm', 'list', '--json']), hangar(['image', 'list', '--json']), hangar(['task', 'list', '--json'])]);
      assert.equal(vms.code, 0, vms.stderr);
      assert.equal(images.code, 0, images.stderr);
      assert.equal(tasks.code, 0, tasks.stderr);
      if (!finished && !(JSON.parse(tasks.stdout) as TaskInfo[]).some((t) => t.kind === 'image.import' && (t.state === 'running' || t.state === 'succeeded'))) sawRunning = false;
      lists++;
    }
    const r = await importing;
    assert.equal(r.code, 0, r.stderr);
    const image = JSON.parse(r.stdout) as ImageInfo;
    assert.equal(image.sha256, sha256);
    assert.equal((await json<ImageInfo>(['image', 'show', 'busy-disk'])).sha256, sha256);
    console.log(`  ${lists} rounds of vm/image/task list ran while the import was running`);
    assert.ok(sawRunning, 'no listing process ever saw the import interrupted');
    fs.rmSync(file);
  });

  test('`hangar serve` killed (SIGKILL) while a CLI waits on an import through it: the CLI exits non-zero within 10 s with a sentence', async () => {
    const serveHome = path.join(base, 'serve-home');
    const server = await serve(serveHome);
    // item 5: a home made by serve
    assert.equal(mode(serveHome), 0o700);
    assert.equal(mode(path.join(serveHome, 'hangar.db')), 0o600);
    assert.equal(mode(path.join(serveHome, 'engine.sock')), 0o600);

    const big = path.join(base, 'big.raw');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 1536 * 1024 * 1024); // sparse: cheap to make, slow enough to copy and hash
    const cli = hangar(['image', 'import', big, '--name', 'big'], { home: serveHome });
    await waitFor(
      'the import to run in serve',
      async () => {
        const r = await hangar(['task', 'list', '--json'], { home: serveHome });
        return r.code === 0 && (JSON.parse(r.stdout) as TaskInfo[]).some((t) => t.kind === 'image.import' && t.state === 'running');
      },
      60000,
      200,
    );
    const killedAt = Date.now();
    server.proc.child.kill('SIGKILL');
    await server.proc;
    const r = await cli;
    const ms = Date.now() - killedAt;
    console.log(`  the CLI ended ${ms} ms after serve was killed: ${r.stderr.trim()}`);
    assert.notEqual(r.code, 0);
    assert.ok(ms < 10000, `took ${ms} ms`);
    assert.match(r.stderr, /The Hangar engine .* stopped while this command was waiting for "Import big"/);

    // the next process finds the dead engine's task and marks it interrupted (its owner is dead)
    const tasks = await json<TaskInfo[]>(['task', 'list'], serveHome);
    const task = tasks.find((t) => t.kind === 'image.import')!;
    assert.equal(task.state, 'failed');
    assert.match(task.error?.message ?? '', /Interrupted/);
    fs.rmSync(big);
  });

  test('an existing loose home is tightened at open, with a notice printed once', async () => {
    fs.chmodSync(home, 0o755);
    fs.chmodSync(path.join(home, 'hangar.db'), 0o644);
    const vmDir = path.join(home, 'vms', fs.readdirSync(path.join(home, 'vms'))[0]!);
    fs.chmodSync(vmDir, 0o755);
    fs.chmodSync(path.join(vmDir, 'vm.json'), 0o644);
    const first = await hangar(['vm', 'list']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /^hangar: Made the Hangar data folder .* private \(the folder was 0755\)/);
    assert.equal(mode(home), 0o700);
    assert.equal(mode(path.join(home, 'hangar.db')), 0o600);
    assert.equal(mode(vmDir), 0o700);
    assert.equal(mode(path.join(vmDir, 'vm.json')), 0o600);
    const second = await hangar(['vm', 'list']);
    assert.equal(second.stderr, '', 'the notice is printed once');
  });
});
