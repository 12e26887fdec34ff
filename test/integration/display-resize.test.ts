import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startVncLoopback } from '../../src-main/server/vnc-loopback';
import { Engine } from '../../src-main/engine/engine';
import { killAllAndClose, tempHome, waitFor } from '../helpers/env';
import { GUEST_APPEND, genericGuestFiles } from '../helpers/guest';
import { ENC, RfbClient, type DesktopSizeReply } from '../helpers/rfb-client';

// The display follows the console size (video: 'virtio' → virtio-vga): a VNC client sends
// SetDesktopSize as noVNC's resizeSession does, through Hangar's /vnc proxy → QEMU's VNC server →
// virtio-vga → the guest's virtio_gpu DRM driver (the generic-kernel test guest loads it), whose
// connector then offers the new size first; the guest's fbdev console takes it, and QEMU's VNC
// server announces the new framebuffer size to the client.

const { home, cleanup } = tempHome('hangar-resize-');
let g9: ReturnType<typeof genericGuestFiles>; // virtio_gpu is in the generic kernel only
let engine: Engine;
let loop: Awaited<ReturnType<typeof startVncLoopback>>;

before(async () => {
  g9 = genericGuestFiles();
  engine = await Engine.open({ home, watch: true });
  loop = await startVncLoopback(engine.consoles);
  engine.consoles.vncBaseUrl = loop.url;
});

after(async () => {
  await loop?.close();
  await killAllAndClose(engine);
  cleanup();
});

const sh = async (vm: string, script: string) => (await engine.call('guest.exec', { vm, command: ['sh', '-c', script], timeoutSec: 60 })).stdout;

describe('display resize with virtio-vga', () => {
  test('SetDesktopSize 1024x640 reaches the guest (virtio_gpu lists it first) and the VNC server announces the new size', { timeout: 400000 }, async (t) => {
    const vm = await engine.call('vm.create', { name: 'vgpu', memoryMiB: 256, display: 'vnc', video: 'virtio', nics: [], kernel: { path: g9.kernel, initrd: g9.initrd, append: GUEST_APPEND } });
    assert.equal(vm.spec.video, 'virtio');
    await engine.call('vm.start', { vm: 'vgpu' });
    await waitFor('the guest agent', async () => (await engine.call('guest.info', { vm: 'vgpu', refresh: true })).agent === 'connected', 180000, 1000);
    const modesFile = '/sys/class/drm/card0-Virtual-1/modes';
    const before = (await sh('vgpu', `cat ${modesFile}`)).trim().split('\n');
    t.diagnostic(`guest modes before: ${before.slice(0, 3).join(', ')}… (${before.length})`);
    assert.ok(before.length > 0 && before[0] !== '', `${modesFile} lists modes`);

    const ticket = await engine.call('vnc.ticket', { vm: 'vgpu' });
    const rfb = await RfbClient.connect(ticket.url!, [ENC.raw, ENC.extendedDesktopSize, ENC.desktopSize]);
    try {
      t.diagnostic(`VNC framebuffer at connect: ${rfb.width}x${rfb.height}`);
      const reply = rfb.next<DesktopSizeReply>('desktop-size', (r) => r.reason === 1, 30000);
      rfb.setDesktopSize(1024, 640);
      const r = await reply;
      t.diagnostic(`virtio-vga: SetDesktopSize 1024x640 → reason ${r.reason}, status ${r.status}`);
      assert.notEqual(r.status, 3, 'not "invalid layout": virtio-vga takes the request');
      const first = await waitFor('the guest to list 1024x640 first', async () => ((await sh('vgpu', `cat ${modesFile}`)).split('\n')[0] === '1024x640' ? '1024x640' : null), 60000, 1000);
      assert.equal(first, '1024x640');
      const announced = await rfb.next<DesktopSizeReply>('desktop-size', (m) => m.width === 1024 && m.height === 640, 60000);
      t.diagnostic(`the VNC server announced ${announced.width}x${announced.height} (reason ${announced.reason})`);
    } finally {
      rfb.close();
    }
  });
});
