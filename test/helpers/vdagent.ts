/**
 * The SPICE vdagent protocol (spice-protocol's vd_agent.h), as much as a clipboard peer needs:
 * what a guest's spice-vdagent writes to and reads from the virtio-serial port
 * `com.redhat.spice.0`, which QEMU's `qemu-vdagent` chardev serves. Everything is little-endian:
 * a VDIChunkHeader {port, size} in front of a VDAgentMessage {protocol=1, type, opaque u64, size, data}.
 */
export const VD = {
  announceCapabilities: 6,
  clipboard: 4,
  clipboardGrab: 7,
  clipboardRequest: 8,
  clipboardRelease: 9,
  /** VD_AGENT_CAP_CLIPBOARD_BY_DEMAND: the bit QEMU needs before it shares the clipboard. */
  capClipboardByDemand: 1 << 5,
  utf8Text: 1,
} as const;

export interface VdMessage {
  type: number;
  data: Buffer;
}

const u32 = (...v: number[]) => {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32LE(x >>> 0, 4 * i));
  return b;
};

/** One message in one chunk (QEMU reassembles chunks; a guest may send each message whole). */
export function frame(type: number, data: Buffer): Buffer {
  const msg = Buffer.concat([u32(1, type), Buffer.alloc(8), u32(data.length), data]);
  return Buffer.concat([u32(1 /* VDP_CLIENT_PORT */, msg.length), msg]);
}

export const announce = (caps: number) => frame(VD.announceCapabilities, u32(1 /* request QEMU's */, caps));
export const grabText = () => frame(VD.clipboardGrab, u32(VD.utf8Text));
export const requestText = () => frame(VD.clipboardRequest, u32(VD.utf8Text));
export const clipboardText = (text: string) => frame(VD.clipboard, Buffer.concat([u32(VD.utf8Text), Buffer.from(text, 'utf8')]));

/** Parse what QEMU wrote to the guest's port: chunks, reassembled into messages. */
export function parseStream(bytes: Buffer): VdMessage[] {
  const out: VdMessage[] = [];
  let pending = Buffer.alloc(0);
  for (let off = 0; off + 8 <= bytes.length; ) {
    const size = bytes.readUInt32LE(off + 4);
    if (off + 8 + size > bytes.length) break;
    pending = Buffer.concat([pending, bytes.subarray(off + 8, off + 8 + size)]);
    off += 8 + size;
    while (pending.length >= 20 && pending.length >= 20 + pending.readUInt32LE(16)) {
      const len = pending.readUInt32LE(16);
      out.push({ type: pending.readUInt32LE(4), data: Buffer.from(pending.subarray(20, 20 + len)) });
      pending = pending.subarray(20 + len);
    }
  }
  return out;
}

/** Bytes as a `printf` format of octal escapes (busybox printf in the guest writes them verbatim). */
export const printfOctal = (b: Buffer): string => [...b].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');

/** `od -An -v -tx1` output back to bytes. */
export const fromOd = (s: string): Buffer => Buffer.from(s.split(/\s+/).filter(Boolean).join(''), 'hex');
