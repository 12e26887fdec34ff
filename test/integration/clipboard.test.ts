import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startVncLoopback } from '../../src-main/server/vnc-loopback';
import { Engine } from '../../src-main/engine/engine';
import { killAllAndClose, tempHome, waitFor } from '../helpers/env';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { CLIP, ENC, RfbClient, type DesktopSizeReply, type ServerCut } from '../helpers/rfb-client';
import { VD, announce, clipboardText, fromOd, grabText, parseStream, printfOctal, requestText, type VdMessage } from '../helpers/vdagent';

// The clipboard end to end, as far as this machine allows: a VNC client speaking noVNC's Extended
// Clipboard through Hangar's /vnc proxy → QEMU's VNC server → the qemu-vdagent chardev → the
// virtio-serial port com.redhat.spice.0 inside the real test guest, and back.
//
// Where it stops: the test guest has no X11 and no spice-vdagent (a desktop guest's agent, which
// would put the text into the X selection). In its place, a byte relay in the guest (busybox: the
// port held open by one process, its output appended to a file, a FIFO feeding its input) and this
// test, which speaks the vdagent protocol (test/helpers/vdagent.ts) as spice-vdagent would, through
// `guest.exec`. So every byte crosses the real guest kernel's virtio-console driver; only the
// agent's protocol logic is the test's.

const { home, cleanup } = tempHome('hangar-clipboard-');
const g = guestFiles();
let engine: Engine;
let loop: Awaited<ReturnType<typeof startVncLoopback>>;

before(async () => {
  engine = await Engine.open({ home, watch: true });
  loop = await startVncLoopback(engine.consoles);
  engine.consoles.vncBaseUrl = loop.url;
});

after(async () => {
  await loop?.close();
  await killAllAndClose(engine);
  cleanup();
});

const sh = async (vm: string, script: string) => {
  const r = await engine.call('guest.exec', { vm, command: ['sh', '-c', script], timeoutSec: 60 });
  assert.equal(r.exitCode, 0, `${script}: ${r.stderr}`);
  return r.stdout;
};

/** Start the relay: one process holds the port (virtio-console allows one opener) in both directions. */
const RELAY = `p=; for d in /sys/class/virtio-ports/vport*; do [ "$(cat $d/name)" = com.redhat.spice.0 ] && p=/dev/\${d##*/}; done
[ -n "$p" ] || { echo 'no com.redhat.spice.0 port' >&2; exit 3; }
rm -f /tmp/va.in /tmp/va.out; mkfifo /tmp/va.in; : > /tmp/va.out
setsid sh -c "exec 3<>$p; cat <&3 >> /tmp/va.out & exec 4<>/tmp/va.in; exec cat <&4 >&3" </dev/null >/dev/null 2>&1 &
echo $p`;

describe('clipboard (qemu-vdagent)', () => {
  test('text from a VNC client reaches the guest port, text from the guest reaches the client; RAM snapshots are refused with a sentence', { timeout: 400000 }, async (t) => {
    await engine.call('vm.create', { name: 'clip', memoryMiB: 192, display: 'vnc', clipboard: true, kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND }, diskSizeBytes: 32 << 20 });
    await engine.call('vm.start', { vm: 'clip' });
    await waitFor('the guest agent', async () => (await engine.call('guest.info', { vm: 'clip', refresh: true })).agent === 'connected', 180000, 1000);

    const port = (await sh('clip', RELAY)).trim();
    t.diagnostic(`vdagent port in the guest: ${port}`);
    const guestSaw = async (): Promise<VdMessage[]> => parseStream(fromOd(await sh('clip', 'od -An -v -tx1 /tmp/va.out')));
    const guestSends = async (bytes: Buffer) => {
      const t0 = Date.now();
      await sh('clip', `printf '${printfOctal(bytes)}' > /tmp/va.in`);
      t.diagnostic(`guest wrote ${bytes.length} bytes in ${Date.now() - t0} ms`);
    };

    // the guest announces first (asking for QEMU's): QEMU 7.2 speaks only when asked
    await guestSends(announce(VD.capClipboardByDemand));
    const hello = await waitFor('QEMU’s announce-capabilities on the guest port', async () => (await guestSaw()).find((m) => m.type === VD.announceCapabilities), 30000, 500);
    t.diagnostic(`QEMU vdagent caps: 0x${hello.data.readUInt32LE(4).toString(16)} (clipboard-by-demand: ${(hello.data.readUInt32LE(4) & VD.capClipboardByDemand) !== 0})`);
    assert.ok(hello.data.readUInt32LE(4) & VD.capClipboardByDemand, 'QEMU offers the clipboard');

    const ticket = await engine.call('vnc.ticket', { vm: 'clip' });
    const rfb = await RfbClient.connect(ticket.url!, [ENC.raw, ENC.extendedDesktopSize, ENC.desktopSize, ENC.extendedClipboard]);
    try {
      const caps = await rfb.next<ServerCut>('cut', (c) => c.flags !== null && (c.flags & CLIP.caps) !== 0, 15000);
      assert.ok(caps.flags! & CLIP.notify && caps.flags! & CLIP.provide && caps.flags! & CLIP.request, 'QEMU offers notify/request/provide');

      // host → guest, the way noVNC's clipboardPasteFrom does it: notify, QEMU asks, provide
      const toGuest = `from the host ${process.pid} ✓`;
      const asked = rfb.next<ServerCut>('cut', (c) => c.flags !== null && (c.flags & CLIP.request) !== 0, 30000);
      rfb.cutTextExt(CLIP.notify | CLIP.text);
      await waitFor('a clipboard grab on the guest port', async () => (await guestSaw()).some((m) => m.type === VD.clipboardGrab && m.data.readUInt32LE(0) === VD.utf8Text), 30000, 500);
      await guestSends(requestText());
      await asked;
      rfb.provideText(toGuest);
      const data = await waitFor('the text on the guest port', async () => (await guestSaw()).find((m) => m.type === VD.clipboard), 30000, 500);
      assert.equal(data.data.readUInt32LE(0), VD.utf8Text);
      assert.equal(data.data.subarray(4).toString('utf8').replace(/\0$/, ''), toGuest);
      t.diagnostic(`host → guest: "${toGuest}" arrived in the guest as a VD_AGENT_CLIPBOARD message`);

      // guest → host: the guest grabs, the client is notified and requests, the guest provides
      const fromGuest = `from the guest ${process.pid} ✓`;
      const notified = rfb.next<ServerCut>('cut', (c) => c.flags !== null && (c.flags & CLIP.notify) !== 0 && (c.flags & CLIP.text) !== 0, 30000);
      await guestSends(grabText());
      await notified;
      const provided = rfb.next<ServerCut>('cut', (c) => c.flags !== null && (c.flags & CLIP.provide) !== 0, 90000);
      provided.catch(() => undefined); // awaited below; a timeout then fails the test there
      const before = (await guestSaw()).filter((m) => m.type === VD.clipboardRequest).length;
      rfb.cutTextExt(CLIP.request | CLIP.text);
      await waitFor('QEMU asking the guest for its text', async () => (await guestSaw()).filter((m) => m.type === VD.clipboardRequest).length > before, 30000, 500);
      await guestSends(clipboardText(fromGuest));
      assert.equal((await provided).text, fromGuest);
      t.diagnostic(`guest → host: "${fromGuest}" arrived at the VNC client as an extended-clipboard provide`);
    } finally {
      rfb.close();
    }

    // QEMU 7.2 cannot migrate a vdagent chardev: the engine says so instead of QEMU's error
    await assert.rejects(
      engine.call('snapshot.create', { vm: 'clip', name: 'with-ram', wait: true }),
      (e: Error & { code?: string }) => e.code === 'UNSUPPORTED' && /shares the clipboard \(qemu-vdagent\)/.test(e.message),
    );
    const tree = await engine.call('snapshot.list', { vm: 'clip' });
    assert.match(tree.unsupportedReason ?? '', /qemu-vdagent/);
  });
});

describe('display resize (SetDesktopSize)', () => {
  test('a resize request reaches QEMU; the standard VGA answers "invalid layout" (it has no resize channel)', { timeout: 300000 }, async (t) => {
    await engine.call('vm.create', { name: 'screen', memoryMiB: 128, display: 'vnc', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await engine.call('vm.start', { vm: 'screen' });
    const ticket = await engine.call('vnc.ticket', { vm: 'screen' });
    const rfb = await RfbClient.connect(ticket.url!, [ENC.raw, ENC.extendedDesktopSize, ENC.desktopSize]);
    try {
      const reply = rfb.next<DesktopSizeReply>('desktop-size', (r) => r.reason === 1, 30000);
      rfb.setDesktopSize(1024, 700);
      const r = await reply;
      t.diagnostic(`VGA: SetDesktopSize 1024x700 → reason ${r.reason}, status ${r.status}, framebuffer ${r.width}x${r.height}`);
      assert.equal(r.status, 3);
    } finally {
      rfb.close();
    }
  });
});
