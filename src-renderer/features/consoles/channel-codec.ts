/** Channel payloads are base64 on the wire (any byte survives JSON). */

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const encoder = new TextEncoder();

/** Text typed in the terminal → UTF-8 → base64. */
export function textToBase64(text: string): string {
  return bytesToBase64(encoder.encode(text));
}

/** Raw bytes (xterm's onBinary gives a string of byte values) → base64. */
export function binaryStringToBase64(bin: string): string {
  return btoa(bin);
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  // chunked: String.fromCharCode(...big) would overflow the stack
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
