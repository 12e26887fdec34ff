// Consoles benchmark: the serial bridge itself, without a guest (a guest's emulated 16550 UART
// under TCG is far slower than the bridge and would measure QEMU, not Hangar).
//  - throughput: a fake QEMU serial socket (UNIX server) pushes N MiB → LocalHost.connectUnix →
//    SerialHub → the `channel.data` event as the engine emits it (base64) → EventBus → JSON text
//    as the WebSocket/IPC transports send it. Target ≥ 5 MB/s.
//  - keystroke → echo latency: viewer write → SerialHub → fake echo socket → back to the viewer.
//  - the whole browser path without a guest: a host shell (PTY, `stty raw -echo; cat`) over the
//    real `serve()` WebSocket — keystroke → echo as a browser tab sees it.
//  - for reference, a real guest: `yes … | head -c N` on the test guest's ttyS0 through the engine
//    (channel.open + channel.data events). This measures QEMU's emulated UART under TCG, not
//    Hangar; skip with BENCH_GUEST=0.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SerialHub } from '../../src-main/consoles/serial-hub';
import { Engine } from '../../src-main/engine/engine';
import { EventBus } from '../../src-main/engine/event-bus';
import { BOOT_MARKER_PREFIX } from '../../src-main/qemu/supervisor';
import { GUEST_APPEND, GUEST_PROMPT, READY_BANNER, guestFiles } from '../helpers/guest';
import { LocalHost } from '../../src-main/hosts/local-host';
import { serve } from '../../src-main/server/serve';
import { WebSocket } from 'ws';
import { tempHome, waitFor } from '../helpers/env';

const MiB = 1024 * 1024;
const TOTAL = Number(process.env.BENCH_SERIAL_MIB ?? 64) * MiB;
const KEYS = Number(process.env.BENCH_KEYS ?? 2000);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

function listen(file: string, onConn: (s: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve) => {
    const srv = net.createServer(onConn);
    srv.listen(file, () => resolve(srv));
  });
}

async function throughput(dir: string, host: LocalHost): Promise<void> {
  const sock = path.join(dir, 'flood.sock');
  const chunk = Buffer.alloc(64 * 1024, 'HANGAR serial benchmark line 0123456789\r\n');
  const server = await listen(sock, (s) => {
    let sent = 0;
    const pump = () => {
      while (sent < TOTAL) {
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  const events = new EventBus();
  let jsonBytes = 0;
  events.subscribe((m) => {
    jsonBytes += JSON.stringify({ type: 'event', ...m }).length; // what a transport serialises
  });
  let received = 0;
  const t0 = performance.now();
  const done = new Promise<void>((resolve) => {
    const hub = new SerialHub(host, sock, () => undefined);
    void hub.add({
      onData: (data) => {
        received += data.length;
        events.emit('channel.data', { channelId: 'bench', data: data.toString('base64') }, 'client');
      },
      onClose: () => resolve(),
    });
  });
  await done;
  const secs = (performance.now() - t0) / 1000;
  server.close();
  const mbps = received / 1e6 / secs;
  console.log(`serial bridge throughput: ${(received / MiB).toFixed(0)} MiB in ${secs.toFixed(2)} s = ${mbps.toFixed(1)} MB/s (target ≥ 5 MB/s) ${mbps >= 5 ? 'OK' : 'BELOW TARGET'}; ${(jsonBytes / MiB).toFixed(0)} MiB of JSON events`);
}

async function latency(dir: string, host: LocalHost): Promise<void> {
  const sock = path.join(dir, 'echo.sock');
  const server = await listen(sock, (s) => s.pipe(s));
  const hub = new SerialHub(host, sock, () => undefined);
  let waiting: (() => void) | null = null;
  const viewer = { onData: () => waiting?.(), onClose: () => undefined };
  await hub.add(viewer);
  const samples: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      waiting = resolve;
      hub.write(Buffer.from('k'));
    });
    samples.push(performance.now() - t0);
  }
  hub.remove(viewer);
  server.close();
  console.log(`keystroke → echo through the bridge (fake echo socket, ${KEYS} keys): median ${pct(samples, 0.5).toFixed(3)} ms, p99 ${pct(samples, 0.99).toFixed(3)} ms`);
}

/** Keystroke → echo through serve()'s WebSocket, engine, channel and a PTY running `cat`. */
async function overWebSocket(home: string): Promise<void> {
  const srv = await serve({ home, port: 0, quiet: true, staticDir: '/nonexistent' });
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/api?token=${srv.token}`);
  let nextId = 1;
  const pending = new Map<number, (v: unknown) => void>();
  let onData: ((text: string) => void) | null = null;
  ws.on('message', (raw: Buffer) => {
    const msg = JSON.parse(raw.toString()) as { type: string; id?: number; result?: unknown; topic?: string; data?: { data: string } };
    if (msg.type === 'result' && msg.id !== undefined) pending.get(msg.id)?.(msg.result);
    if (msg.type === 'event' && msg.topic === 'channel.data' && msg.data) onData?.(Buffer.from(msg.data.data, 'base64').toString('latin1'));
  });
  await new Promise((r) => ws.once('open', r));
  const call = (method: string, input: unknown) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ type: 'call', id, method, input }));
    });
  const { channelId } = (await call('channel.open', { kind: 'shell' })) as { channelId: string };
  const write = (text: string) => call('channel.write', { channelId, data: Buffer.from(text).toString('base64') });
  let seen = '';
  const waitFor = (needle: string) =>
    new Promise<void>((resolve) => {
      onData = (t) => {
        seen += t;
        if (seen.includes(needle)) {
          seen = '';
          resolve();
        }
      };
    });
  const ready = waitFor('cat-ready');
  await write("stty raw -echo; echo cat-$'ready'; exec cat\n");
  await ready;
  const samples: number[] = [];
  for (let i = 0; i < Math.min(KEYS, 500); i++) {
    const key = String.fromCharCode(97 + (i % 26));
    const t0 = performance.now();
    const echoed = waitFor(key);
    void write(key);
    await echoed;
    samples.push(performance.now() - t0);
  }
  ws.close();
  await srv.close();
  console.log(`keystroke → echo over the WebSocket (serve → engine → channel → PTY cat → back, ${samples.length} keys): median ${pct(samples, 0.5).toFixed(2)} ms, p99 ${pct(samples, 0.99).toFixed(2)} ms`);
}

async function realGuest(home: string): Promise<void> {
  const g = guestFiles();
  const bytes = Number(process.env.BENCH_GUEST_KIB ?? 512) * 1024;
  const engine = await Engine.open({ home, watch: true });
  try {
    await engine.call('vm.create', { name: 'bench-serial', memoryMiB: 128, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    await engine.call('vm.start', { vm: 'bench-serial' });
    await waitFor('the guest prompt', async () => {
      const boot = (await engine.call('vm.serialTail', { vm: 'bench-serial', maxBytes: 1 << 20 })).text.split(BOOT_MARKER_PREFIX).pop() ?? '';
      return boot.split(READY_BANNER)[1]?.includes(GUEST_PROMPT);
    }, 120000, 200);
    const ctx = { clientId: 'bench', origin: 'internal' as const };
    const ch = await engine.call('channel.open', { kind: 'serial', vm: 'bench-serial', scrollbackBytes: 0 }, ctx);
    let received = 0;
    let tail = '';
    let t0 = 0;
    const done = new Promise<number>((resolve) => {
      engine.events.subscribe((m, target) => {
        if (target !== 'bench' || m.topic !== 'channel.data' || m.data.channelId !== ch.channelId) return;
        const chunk = Buffer.from(m.data.data, 'base64');
        if (!t0) t0 = performance.now();
        received += chunk.length;
        tail = (tail + chunk.toString('latin1')).slice(-64);
        if (tail.includes('end-of-flood-7')) resolve(performance.now() - t0);
      });
    });
    await engine.call('channel.write', { channelId: ch.channelId, data: Buffer.from(`yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c ${bytes}; echo end-of-flood-$((3+4))\n`).toString('base64') }, ctx);
    const elapsed = await done;
    const rate = received / 1e6 / (elapsed / 1000);
    console.log(`real guest ttyS0 → engine channel events (TCG, emulated 16550): ${(received / 1024).toFixed(0)} KiB in ${(elapsed / 1000).toFixed(2)} s = ${rate.toFixed(2)} MB/s (bounded by QEMU's UART emulation, not the bridge)`);
    await engine.call('vm.kill', { vm: 'bench-serial' });
  } finally {
    await engine.close();
  }
}

async function main() {
  const { home, cleanup } = tempHome('hangar-bench-consoles-');
  const dir = fs.mkdtempSync('/tmp/hc-'); // short: UNIX socket paths are limited to 108 bytes
  const host = new LocalHost(home);
  try {
    await throughput(dir, host);
    await latency(dir, host);
    await overWebSocket(home);
    if (process.env.BENCH_GUEST !== '0') await realGuest(home);
  } finally {
    await host.close();
    fs.rmSync(dir, { recursive: true, force: true });
    cleanup();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
