import { EventEmitter } from 'node:events';
import * as zlib from 'node:zlib';
import { WebSocket } from 'ws';

/**
 * A minimal RFB (VNC) client for tests, speaking to QEMU's VNC server through Hangar's `/vnc`
 * WebSocket proxy, the same path noVNC takes. It does only what the clipboard and resize tests
 * need: RFB 3.8 with security None, SetEncodings, ClientCutText (plain and the Extended Clipboard
 * pseudo-encoding that noVNC uses), SetDesktopSize, and parsing the server's cut-text and
 * desktop-size messages. It never asks for framebuffer updates, so no pixels arrive.
 */
export const ENC = { raw: 0, desktopSize: -223, extendedDesktopSize: -308, extendedClipboard: 0xc0a1e5ce | 0 } as const;
export const CLIP = { text: 1, caps: 1 << 24, request: 1 << 25, peek: 1 << 26, notify: 1 << 27, provide: 1 << 28 } as const;

export interface ServerCut {
  /** Extended clipboard: the flags word; plain ServerCutText: null. */
  flags: number | null;
  /** Plain: the text (latin1). Extended provide: the inflated UTF-8 text. */
  text: string | null;
}

export interface DesktopSizeReply {
  /** 0 server-side change, 1 this client asked, 2 another client asked. */
  reason: number;
  /** 0 ok, 1 prohibited, 2 out of resources, 3 invalid layout, 4 request forwarded (QEMU). */
  status: number;
  width: number;
  height: number;
}

export class RfbClient extends EventEmitter {
  width = 0;
  height = 0;
  name = '';
  private buf = Buffer.alloc(0);
  private want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private closed: Error | null = null;
  /** Why the reading loop stopped (a parse error or the connection closing). */
  failure: Error | null = null;

  private constructor(private readonly ws: WebSocket) {
    super();
    ws.on('message', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.pump();
    });
    ws.on('close', () => this.fail(new Error('VNC connection closed')));
    ws.on('error', (e) => this.fail(e));
  }

  /** Connect to a `/vnc?ticket=` URL and finish the handshake (shared session). */
  static async connect(url: string, encodings: number[]): Promise<RfbClient> {
    const ws = new WebSocket(url, ['binary']);
    ws.binaryType = 'nodebuffer';
    const c = new RfbClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const version = (await c.read(12)).toString('latin1');
    if (!version.startsWith('RFB 003.')) throw new Error(`not an RFB server: ${JSON.stringify(version)}`);
    c.send(Buffer.from('RFB 003.008\n', 'latin1'));
    const n = (await c.read(1))[0]!;
    if (n === 0) throw new Error('the VNC server refused the connection');
    const types = [...(await c.read(n))];
    if (!types.includes(1)) throw new Error(`the VNC server wants authentication (types ${types.join(',')})`);
    c.send(Buffer.from([1]));
    if ((await c.read(4)).readUInt32BE(0) !== 0) throw new Error('VNC security handshake failed');
    c.send(Buffer.from([1])); // ClientInit: shared
    const init = await c.read(24);
    c.width = init.readUInt16BE(0);
    c.height = init.readUInt16BE(2);
    c.name = (await c.read(init.readUInt32BE(20))).toString('utf8');
    const enc = Buffer.alloc(4 + 4 * encodings.length);
    enc.writeUInt8(2, 0);
    enc.writeUInt16BE(encodings.length, 2);
    encodings.forEach((e, i) => enc.writeInt32BE(e, 4 + 4 * i));
    c.send(enc);
    void c.loop();
    return c;
  }

  /** Plain ClientCutText (latin1), what VNC clients without the extension send. */
  cutText(text: string): void {
    const t = Buffer.from(text, 'latin1');
    const h = Buffer.alloc(8);
    h.writeUInt8(6, 0);
    h.writeUInt32BE(t.length, 4);
    this.send(Buffer.concat([h, t]));
  }

  /** Extended clipboard message: flags plus an optional payload (already encoded). */
  cutTextExt(flags: number, payload: Buffer = Buffer.alloc(0)): void {
    const h = Buffer.alloc(12);
    h.writeUInt8(6, 0);
    h.writeInt32BE(-(4 + payload.length), 4);
    h.writeUInt32BE(flags >>> 0, 8);
    this.send(Buffer.concat([h, payload]));
  }

  /** Extended clipboard "provide" of UTF-8 text, encoded as noVNC does (length-prefixed, NUL-terminated, zlib). */
  provideText(text: string): void {
    const body = Buffer.from(`${text}\0`, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length, 0);
    this.cutTextExt(CLIP.provide | CLIP.text, zlib.deflateSync(Buffer.concat([len, body])));
  }

  /** SetDesktopSize with one screen (what noVNC's resizeSession sends). */
  setDesktopSize(width: number, height: number): void {
    const m = Buffer.alloc(8 + 16);
    m.writeUInt8(251, 0);
    m.writeUInt16BE(width, 2);
    m.writeUInt16BE(height, 4);
    m.writeUInt8(1, 6);
    m.writeUInt16BE(width, 8 + 8);
    m.writeUInt16BE(height, 8 + 10);
    this.send(m);
  }

  /** Every message received and not yet taken by next(), per kind (so none is missed by a late listener). */
  private readonly unread = new Map<string, unknown[]>();

  override emit(event: string, ...args: unknown[]): boolean {
    if (event === 'cut' || event === 'desktop-size') {
      const q = this.unread.get(event) ?? [];
      q.push(args[0]);
      this.unread.set(event, q);
    }
    return super.emit(event, ...args);
  }

  /** The first unread message of this kind that satisfies `match` (earlier ones are dropped), or a timeout. */
  next<T>(event: 'cut' | 'desktop-size', match: (v: T) => boolean, timeoutMs: number): Promise<T> {
    const q = (this.unread.get(event) ?? []) as T[];
    const i = q.findIndex(match);
    if (i >= 0) return Promise.resolve(q.splice(0, i + 1)[i]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, on);
        reject(new Error(`no matching ${event} message from the VNC server within ${timeoutMs} ms${this.failure ? ` (reader stopped: ${this.failure.message})` : ''}; unread: ${JSON.stringify(this.unread.get(event) ?? [])}`));
      }, timeoutMs);
      const on = (v: T) => {
        if (!match(v)) return;
        clearTimeout(timer);
        this.off(event, on);
        const q2 = this.unread.get(event) ?? [];
        q2.splice(0, q2.indexOf(v) + 1);
        resolve(v);
      };
      this.on(event, on);
    });
  }

  close(): void {
    this.ws.close();
  }

  private send(b: Buffer): void {
    this.ws.send(b);
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        const type = (await this.read(1))[0]!;
        if (type === 0) {
          const n = (await this.read(3)).readUInt16BE(1);
          for (let i = 0; i < n; i++) {
            const r = await this.read(12);
            const [x, y, w, h, enc] = [r.readUInt16BE(0), r.readUInt16BE(2), r.readUInt16BE(4), r.readUInt16BE(6), r.readInt32BE(8)];
            if (enc === ENC.extendedDesktopSize) {
              const screens = (await this.read(4))[0]!;
              await this.read(16 * screens);
              [this.width, this.height] = [w, h];
              this.emit('desktop-size', { reason: x, status: y, width: w, height: h } satisfies DesktopSizeReply);
            } else if (enc === ENC.desktopSize) {
              [this.width, this.height] = [w, h];
              this.emit('desktop-size', { reason: 0, status: 0, width: w, height: h } satisfies DesktopSizeReply);
            } else if (enc === ENC.raw) {
              await this.read(w * h * 4);
            } else throw new Error(`unexpected rectangle encoding ${enc}`);
          }
        } else if (type === 1) {
          const h = await this.read(5);
          await this.read(6 * h.readUInt16BE(3));
        } else if (type === 2) {
          // bell
        } else if (type === 3) {
          const len = (await this.read(7)).readInt32BE(3);
          if (len >= 0) this.emit('cut', { flags: null, text: (await this.read(len)).toString('latin1') } satisfies ServerCut);
          else {
            const body = await this.read(-len);
            const flags = body.readUInt32BE(0);
            let text: string | null = null;
            if (flags & CLIP.provide && flags & CLIP.text && !(flags & CLIP.caps)) {
              const raw = zlib.inflateSync(body.subarray(4));
              text = raw.subarray(4, 4 + raw.readUInt32BE(0)).toString('utf8').replace(/\0$/, '');
            }
            this.emit('cut', { flags, text } satisfies ServerCut);
          }
        } else throw new Error(`unexpected server message type ${type}`);
      }
    } catch (e) {
      this.failure = e as Error;
    }
  }

  private read(n: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      this.want = { n, resolve, reject };
      this.pump();
    });
  }

  private pump(): void {
    const w = this.want;
    if (!w || this.buf.length < w.n) return;
    this.want = null;
    const out = this.buf.subarray(0, w.n);
    this.buf = this.buf.subarray(w.n);
    w.resolve(Buffer.from(out));
  }

  private fail(e: Error): void {
    this.closed ??= e;
    const w = this.want;
    this.want = null;
    w?.reject(e);
  }
}
