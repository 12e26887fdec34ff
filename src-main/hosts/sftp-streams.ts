import { Readable, Writable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';

/**
 * SFTP file streams that keep several requests in flight. ssh2's own streams wait for each
 * 32–64 KiB request to be answered before sending the next, so a LAN round trip caps them far
 * below the link speed; pipelining like OpenSSH's sftp/scp does removes that cap.
 */
const CHUNK = 128 * 1024;
const IN_FLIGHT = 32;

export class SftpWriteStream extends Writable {
  private position: number;
  private inflight = 0;
  private waiting: (() => void) | null = null;
  private failed: Error | null = null;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly handle: Buffer,
    start = 0,
  ) {
    super({ highWaterMark: CHUNK * 4 });
    this.position = start;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.failed) return done(this.failed);
    for (let off = 0; off < chunk.length; off += CHUNK) {
      const len = Math.min(CHUNK, chunk.length - off);
      this.inflight++;
      this.sftp.write(this.handle, chunk, off, len, this.position, (err) => {
        this.inflight--;
        if (err && !this.failed) this.failed = err;
        const wake = this.waiting;
        this.waiting = null;
        wake?.();
      });
      this.position += len;
    }
    this.whenBelow(IN_FLIGHT, () => done(this.failed));
  }

  override _final(done: (err?: Error | null) => void): void {
    this.whenBelow(1, () => {
      if (this.failed) return done(this.failed);
      this.sftp.close(this.handle, (err) => done(err ?? null));
    });
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (!this.writableFinished) this.sftp.close(this.handle, () => done(err));
    else done(err);
  }

  /** Call `fn` once fewer than `limit` requests are outstanding. */
  private whenBelow(limit: number, fn: () => void): void {
    if (this.inflight < limit) return fn();
    this.waiting = () => this.whenBelow(limit, fn);
  }
}

export class SftpReadStream extends Readable {
  private next: number;
  private readonly pending: Array<{ pos: number; buf: Buffer | null; done: boolean }> = [];
  private eof = false;
  private reading = false;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly handle: Buffer,
    start = 0,
  ) {
    super({ highWaterMark: CHUNK * IN_FLIGHT });
    this.next = start;
  }

  override _read(): void {
    this.reading = true;
    this.fill();
  }

  /** Keep IN_FLIGHT reads outstanding; deliver their results strictly in file order. */
  private fill(): void {
    while (!this.eof && this.pending.length < IN_FLIGHT) {
      const slot: { pos: number; buf: Buffer | null; done: boolean } = { pos: this.next, buf: null, done: false };
      this.pending.push(slot);
      const buf = Buffer.allocUnsafe(CHUNK);
      this.sftp.read(this.handle, buf, 0, CHUNK, slot.pos, (err, n) => {
        if (err && !/EOF|end of file/i.test(err.message) && (err as Error & { code?: number }).code !== 1) return this.destroy(err);
        slot.done = true;
        slot.buf = err || !n ? null : buf.subarray(0, n);
        this.deliver();
      });
      this.next += CHUNK;
    }
  }

  private deliver(): void {
    while (this.pending[0]?.done && this.reading) {
      const slot = this.pending.shift()!;
      if (!slot.buf) {
        // EOF: drop the reads issued past the end and finish
        this.eof = true;
        this.pending.length = 0;
        this.sftp.close(this.handle, () => this.push(null));
        return;
      }
      this.reading = this.push(slot.buf);
      // a short read before the end would leave a gap: SFTP servers return full chunks except at EOF
    }
    if (this.reading) this.fill();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (!this.eof) this.sftp.close(this.handle, () => done(err));
    else done(err);
  }
}
