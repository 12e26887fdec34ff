import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { after, before, describe, test } from 'node:test';
import type { EventMessage } from '../../src-main/api/contract';
import { startVncLoopback } from '../../src-main/server/vnc-loopback';
import { VncTickets } from '../../src-main/consoles/vnc-tickets';
import type { CallContext } from '../../src-main/engine/handlers';
import { Engine } from '../../src-main/engine/engine';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { tempHome, waitFor, killAllAndClose } from '../helpers/env';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';

// Consoles at the engine level, against real QEMU and a real PTY: several serial viewers, host
// shells (node-pty), VNC tickets and thumbnails. The browser side is test/e2e/consoles.test.ts.

const { home, cleanup } = tempHome('hangar-consoles-');
const g = guestFiles();
let engine: Engine;
const A: CallContext = { clientId: 'viewer-a', origin: 'internal' };
const B: CallContext = { clientId: 'viewer-b', origin: 'internal' };

/** Everything a client received on a channel, decoded. */
function collect(clientId: string) {
  const text = new Map<string, string>();
  const closed = new Map<string, string>();
  const off = engine.events.subscribe((m: EventMessage, target) => {
    if (target !== clientId) return;
    if (m.topic === 'channel.data') text.set(m.data.channelId, (text.get(m.data.channelId) ?? '') + Buffer.from(m.data.data, 'base64').toString('utf8'));
    if (m.topic === 'channel.closed') closed.set(m.data.channelId, m.data.reason);
  });
  return { text, closed, off };
}
const write = (channelId: string, s: string, ctx: CallContext) => engine.call('channel.write', { channelId, data: Buffer.from(s).toString('base64') }, ctx);

before(async () => {
  engine = await Engine.open({ home, watch: true });
});

after(async () => {
  await killAllAndClose(engine);
  cleanup();
});

describe('consoles (engine)', () => {
  test('two viewers share one serial console: both see the output of either; killing QEMU closes both with "VM stopped"', { timeout: 180000 }, async () => {
    await engine.call('vm.create', { name: 'fan', memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await engine.call('vm.start', { vm: 'fan' });
    await waitFor('the guest prompt', async () => {
      const boot = (await engine.call('vm.serialTail', { vm: 'fan', maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop() ?? '';
      return boot.split(READY_BANNER)[1]?.includes(GUEST_PROMPT);
    }, 120000, 200);
    const a = collect(A.clientId);
    const b = collect(B.clientId);
    try {
      const chA = await engine.call('channel.open', { kind: 'serial', vm: 'fan' }, A);
      const chB = await engine.call('channel.open', { kind: 'serial', vm: 'fan', scrollbackBytes: 4096 }, B);
      assert.match(Buffer.from(chB.scrollback, 'base64').toString(), new RegExp(READY_BANNER));
      assert.ok(Buffer.from(chB.scrollback, 'base64').length <= 4096, 'scrollbackBytes bounds the replay');
      await write(chB.channelId, 'echo "fan-$((40+2))"\n', B);
      await waitFor('output in viewer A', () => a.text.get(chA.channelId)?.includes('fan-42'), 30000);
      await waitFor('output in viewer B', () => b.text.get(chB.channelId)?.includes('fan-42'), 30000);
      // a channel belongs to the client that opened it
      await assert.rejects(write(chA.channelId, 'x', B), (e: Error & { code?: string }) => e.code === 'NOT_FOUND' && /belongs to another window/.test(e.message));

      await engine.call('vm.kill', { vm: 'fan' });
      await waitFor('both viewers closed', () => a.closed.has(chA.channelId) && b.closed.has(chB.channelId), 20000);
      assert.match(a.closed.get(chA.channelId)!, /VM stopped/);
      await assert.rejects(engine.call('channel.open', { kind: 'serial', vm: 'fan' }, A), (e: Error & { code?: string }) => e.code === 'INVALID_STATE' && /start it to use its console/.test(e.message));
    } finally {
      a.off();
      b.off();
    }
  });

  test('a host shell runs in a PTY: it takes the terminal size, runs commands, and reports its exit', { timeout: 30000 }, async () => {
    const a = collect(A.clientId);
    try {
      const ch = await engine.call('channel.open', { kind: 'shell', cols: 100, rows: 30 }, A);
      await write(ch.channelId, 'stty size; echo "shell-$((7*6))"\n', A);
      await waitFor('the shell output', () => /30 100/.test(a.text.get(ch.channelId) ?? '') && /shell-42/.test(a.text.get(ch.channelId) ?? ''), 15000);
      await engine.call('channel.resize', { channelId: ch.channelId, cols: 120, rows: 40 }, A);
      await write(ch.channelId, 'stty size\n', A);
      await waitFor('the new size', () => /40 120/.test(a.text.get(ch.channelId) ?? ''), 15000);
      await write(ch.channelId, 'exit 3\n', A);
      await waitFor('the shell exit', () => a.closed.get(ch.channelId), 15000);
      assert.match(a.closed.get(ch.channelId)!, /exited \(status 3\)/);
      await assert.rejects(write(ch.channelId, 'x', A), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
    } finally {
      a.off();
    }
    await assert.rejects(engine.call('channel.open', { kind: 'shell', hostId: 'nowhere' }, A), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
  });

  test('closing a client ends its shells', { timeout: 20000 }, async () => {
    const b = collect(B.clientId);
    try {
      const ch = await engine.call('channel.open', { kind: 'shell' }, B);
      engine.clientGone(B.clientId);
      await assert.rejects(write(ch.channelId, 'x', B), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
    } finally {
      b.off();
    }
  });

  test('the desktop loopback VNC endpoint: ticket → RFB greeting, reuse refused, QEMU killed → close code 4000; thumbnails', { timeout: 120000 }, async () => {
    await engine.call('vm.create', { name: 'screen', memoryMiB: 128, display: 'vnc', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await engine.call('vm.start', { vm: 'screen' });
    const loop = await startVncLoopback(engine.consoles);
    engine.consoles.vncBaseUrl = loop.url;
    try {
      const ticket = await engine.call('vnc.ticket', { vm: 'screen' });
      assert.equal(ticket.url, `${loop.url}/vnc?ticket=${ticket.ticket}`);
      assert.equal(ticket.expiresInSec, 30);
      const ws = new WebSocket(ticket.url!);
      const greeting = await new Promise<string>((resolve, reject) => {
        ws.once('message', (d: Buffer) => resolve(d.toString('latin1')));
        ws.once('error', reject);
      });
      assert.match(greeting, /^RFB 003\.00\d\n/);
      const refused = await new Promise<number>((resolve) => {
        const again = new WebSocket(ticket.url!);
        again.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
        again.once('open', () => resolve(101));
      });
      assert.equal(refused, 401);
      const notVnc = await new Promise<number>((resolve) => {
        const other = new WebSocket(`${loop.url}/api`);
        other.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
        other.once('open', () => resolve(101));
      });
      assert.equal(notVnc, 404);

      const thumb = await engine.call('vm.thumbnail', { vm: 'screen' });
      assert.match(thumb.dataUrl, /^data:image\/png;base64,/);
      assert.ok(thumb.width > 0 && thumb.height > 0);
      assert.strictEqual(await engine.call('vm.thumbnail', { vm: 'screen' }), thumb, 'a second ask within 2 s is served from the cache');

      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      await engine.call('vm.kill', { vm: 'screen' });
      assert.equal(await closed, 4000, 'the viewer learns the VM stopped');
    } finally {
      await loop.close();
      engine.consoles.vncBaseUrl = null;
    }
  });

  test('VNC tickets are single use, bound to a VM, and expire', async () => {
    const tickets = new VncTickets(50);
    const t1 = tickets.issue('vm-1');
    assert.equal(tickets.redeem(t1), 'vm-1');
    assert.equal(tickets.redeem(t1), null, 'second use');
    assert.equal(tickets.redeem('forged'), null);
    assert.equal(tickets.redeem(null), null);
    const t2 = tickets.issue('vm-2');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(tickets.redeem(t2), null, 'expired');
    // the engine refuses tickets for VMs without a display, and for unknown VMs
    await assert.rejects(engine.call('vnc.ticket', { vm: 'fan' }), (e: Error & { code?: string }) => e.code === 'UNSUPPORTED' && /no graphical display/.test(e.message));
    await assert.rejects(engine.call('vnc.ticket', { vm: 'ghost' }), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
    await assert.rejects(engine.call('vm.thumbnail', { vm: 'fan' }), (e: Error & { code?: string }) => e.code === 'INVALID_STATE');
  });
});
