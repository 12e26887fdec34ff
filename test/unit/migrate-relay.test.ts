import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duplex } from 'node:stream';
import { describe, test } from 'node:test';
import { openRelay } from '../../src-main/hosts/migrate-relay';
import { LocalHost } from '../../src-main/hosts/local-host';

// The engine's migration relay over real UNIX sockets: a source that writes its stream and closes
// at once (as QEMU does at "completed") and a destination that reads slowly (an SSH channel whose
// window is full). Every byte must arrive: a relay that destroyed the far side when the near side
// closed cut the tail of the device state, and the far QEMU failed with "load of migration
// failed: Input/output error".

/**
 * The destination's side as an SSH channel is: a stream that takes each write into a buffer of its
 * own and sends it on later (when the peer's window opens), here after 2 ms, into a real socket.
 */
function slowChannel(socket: net.Socket): Duplex {
  const channel: Duplex = new Duplex({
    write(chunk: Buffer, _enc, done) {
      setTimeout(() => socket.write(chunk, () => done()), 2);
    },
    final(done) {
      socket.end(done);
    },
    read() {
      socket.resume();
    },
    destroy(err, done) {
      socket.destroy();
      done(err);
    },
  });
  socket.on('data', (d: Buffer) => {
    if (!channel.push(d)) socket.pause();
  });
  socket.on('end', () => channel.push(null));
  return channel;
}

describe('migration relay', () => {
  test('the stream arrives whole when the source closes while the destination is still reading', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-relay-'));
    const destSocket = path.join(dir, 'dest.sock');
    const payload = randomBytes(8 * 1024 * 1024);
    const received = new Promise<{ bytes: number; sha: string }>((resolve, reject) => {
      const server = net.createServer((s) => {
        const hash = createHash('sha256');
        let bytes = 0;
        s.on('data', (d: Buffer) => {
          bytes += d.length;
          hash.update(d);
        });
        s.on('error', reject);
        s.on('close', () => {
          server.close();
          resolve({ bytes, sha: hash.digest('hex') });
        });
      });
      server.listen(destSocket);
    });
    const relay = await openRelay(new LocalHost(dir), 'unused', () => new Promise((resolve, reject) => {
      const c = net.connect(destSocket, () => resolve(slowChannel(c)));
      c.once('error', reject);
    }));
    try {
      const source = net.connect(relay.socketPath);
      source.end(payload);
      const got = await received;
      assert.equal(got.bytes, payload.length, 'every byte the source wrote reached the destination');
      assert.equal(got.sha, createHash('sha256').update(payload).digest('hex'));
      assert.equal(relay.error, null);
    } finally {
      await relay.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
