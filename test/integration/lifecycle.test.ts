import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EventMessage, VmInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { ROOT, tempHome, waitFor, killAllAndClose } from '../helpers/env';

// Real QEMU (TCG here), the real test guest, a real SQLite file. No mocks.

const { home, cleanup } = tempHome();
let engine: Engine;
const g = guestFiles();

const guestVm = (name: string) => ({
  name,
  memoryMiB: 128,
  display: 'none' as const,
  nics: [],
  // no guest agent channel: these tests are about the ACPI power button (the agent path: guest.test.ts)
  guestAgent: false,
  kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND },
});

/** Serial output of the current boot (the engine marks each boot in the log). */
async function serial(e: Engine, vm: string): Promise<string> {
  return (await e.call('vm.serialTail', { vm, maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop()!;
}

async function waitBanner(e: Engine, vm: string): Promise<void> {
  await waitFor(`ready banner of ${vm}`, async () => (await serial(e, vm)).includes(READY_BANNER), 90000, 100);
}

/** The shell prompt after the banner: typing earlier would be eaten by the shell's terminal query. */
async function waitPrompt(e: Engine, vm: string): Promise<void> {
  await waitFor(`shell prompt of ${vm}`, async () => (await serial(e, vm)).split(READY_BANNER)[1]?.includes(GUEST_PROMPT), 90000, 100);
}

async function waitState(e: Engine, vm: string, state: VmInfo['state'], timeoutMs = 30000): Promise<VmInfo> {
  return waitFor(`${vm} to be ${state}`, async () => {
    const info = await e.call('vm.get', { vm });
    return info.state === state ? info : null;
  }, timeoutMs, 100);
}

before(async () => {
  engine = await Engine.open({ home, watch: true });
});

after(async () => {
  await killAllAndClose(engine);
  cleanup();
});

describe('VM lifecycle against real QEMU', () => {
  test('create → start → ready banner → pause/resume → ACPI shutdown → stopped; start again → kill → stopped', async () => {
    const events: EventMessage[] = [];
    const unsubscribe = engine.events.subscribe((m) => events.push(m));
    const created = await engine.call('vm.create', guestVm('life'));
    assert.equal(created.state, 'stopped');

    const started = await engine.call('vm.start', { vm: 'life' });
    assert.equal(started.state, 'running');
    assert.ok(started.pid && started.pid > 0);
    await waitBanner(engine, 'life');

    assert.equal((await engine.call('vm.pause', { vm: 'life' })).state, 'paused');
    assert.equal((await engine.call('vm.resume', { vm: 'life' })).state, 'running');

    const stopped = await engine.call('vm.stop', { vm: 'life', timeoutSec: 60, wait: true });
    assert.equal(stopped.state, 'stopped');
    assert.equal(stopped.stateReason, 'The guest powered off.');
    assert.equal(stopped.pid, null);

    await engine.call('vm.start', { vm: 'life' });
    await waitBanner(engine, 'life');
    const killed = await engine.call('vm.kill', { vm: 'life' });
    assert.equal(killed.state, 'stopped');
    assert.equal(killed.stateReason, 'Forced off.');
    unsubscribe();

    const states = events.filter((e) => e.topic === 'vm.state').map((e) => (e.data as { state: string }).state);
    for (const s of ['starting', 'running', 'paused', 'stopping', 'stopped']) assert.ok(states.includes(s), `event ${s} was pushed (got ${states.join(',')})`);
  });

  test('the serial console channel sends keystrokes and returns the guest output', async () => {
    await engine.call('vm.start', { vm: 'life' });
    await waitPrompt(engine, 'life');
    let received = '';
    const unsubscribe = engine.events.subscribe((m, target) => {
      if (m.topic === 'channel.data' && target === 'test-client') received += Buffer.from(m.data.data, 'base64').toString('utf8');
    });
    const ctx = { clientId: 'test-client', origin: 'internal' as const };
    const opened = await engine.call('channel.open', { kind: 'serial', vm: 'life' }, ctx);
    assert.match(Buffer.from(opened.scrollback, 'base64').toString('utf8'), new RegExp(READY_BANNER));
    await engine.call('channel.write', { channelId: opened.channelId, data: Buffer.from('uname -s; echo MARK-$((6*7))\n').toString('base64') }, ctx);
    await waitFor('uname output on the console', () => received.includes('MARK-42') && received.includes('Linux'), 20000).catch((e: Error) => { throw new Error(`${e.message}; received: ${JSON.stringify(received)}`); });
    await engine.call('channel.close', { channelId: opened.channelId }, ctx);
    unsubscribe();
    await engine.call('vm.kill', { vm: 'life' });
  });

  test('QEMU killed with SIGKILL → crashed, with the last serial lines kept', async () => {
    const vm = await engine.call('vm.start', { vm: 'life' });
    await waitBanner(engine, 'life');
    process.kill(vm.pid!, 'SIGKILL');
    const crashed = await waitState(engine, 'life', 'crashed');
    assert.match(crashed.stateReason ?? '', /SIGKILL/);
    assert.ok(crashed.lastSerialLines.some((l) => l.includes(READY_BANNER)), `last lines: ${crashed.lastSerialLines.join(' | ')}`);
    // a crashed VM can be started again
    assert.equal((await engine.call('vm.start', { vm: 'life' })).state, 'running');
    await engine.call('vm.kill', { vm: 'life' });
  });

  test('engine killed with SIGKILL while two guests run → a new engine re-attaches and controls both', async () => {
    await engine.close();
    const script = path.join(ROOT, 'test', 'helpers', 'engine-process.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, home, 'twin-a', 'twin-b', g.kernel, g.initrd, GUEST_APPEND], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor('the engine process to start two guests', () => out.includes('BOTH-RUNNING'), 90000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    engine = await Engine.open({ home, watch: true });
    for (const name of ['twin-a', 'twin-b']) {
      const vm = await engine.call('vm.get', { vm: name });
      assert.equal(vm.state, 'running', `${name} still running after the engine died`);
      await waitBanner(engine, name);
      assert.equal((await engine.call('vm.pause', { vm: name })).state, 'paused');
      assert.equal((await engine.call('vm.resume', { vm: name })).state, 'running');
    }
    // and an ACPI shutdown still works through the re-attached QMP connection
    assert.equal((await engine.call('vm.stop', { vm: 'twin-a', timeoutSec: 60, wait: true })).state, 'stopped');
    assert.equal((await engine.call('vm.kill', { vm: 'twin-b' })).state, 'stopped');
  });

  test('a guest that powers off while no engine runs is found stopped (not crashed) by the next engine', async () => {
    await engine.call('vm.start', { vm: 'twin-a' });
    await waitBanner(engine, 'twin-a');
    await engine.call('vm.stop', { vm: 'twin-a', wait: false, timeoutSec: 60 });
    const pid = (await engine.call('vm.get', { vm: 'twin-a' })).pid!;
    await engine.close();
    await waitFor('QEMU to exit after the power button', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 60000);
    engine = await Engine.open({ home, watch: true });
    const vm = await engine.call('vm.get', { vm: 'twin-a' });
    assert.equal(vm.state, 'stopped');
    assert.equal(vm.stateReason, 'The guest powered off.');
  });
});
