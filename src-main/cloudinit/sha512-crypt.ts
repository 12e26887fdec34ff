import { createHash, randomBytes } from 'node:crypto';

/**
 * SHA-512 crypt ("$6$", Ulrich Drepper's specification, what glibc's crypt(3), `openssl passwd -6`
 * and `mkpasswd -m sha-512` produce), for cloud-init's `passwd:` field.
 *
 * Why our own code rather than `openssl passwd -6`: the password never leaves this process (no
 * argv visible in /proc, no extra process), it works the same wherever the engine runs, and the
 * unit test checks it against openssl's output byte for byte.
 */

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ROUNDS_DEFAULT = 5000;

function sha512(...parts: Buffer[]): Buffer {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** `len` bytes of `digest` repeated (the P and S sequences of the specification). */
function repeatTo(digest: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i += 64) digest.copy(out, i, 0, Math.min(64, len - i));
  return out;
}

/** A random 16-character salt from the crypt alphabet. */
export function randomSalt(): string {
  return [...randomBytes(16)].map((b) => ITOA64[b & 63]).join('');
}

export function sha512Crypt(password: string, salt = randomSalt(), rounds = ROUNDS_DEFAULT): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 16), 'utf8');
  const b = sha512(pw, s, pw);
  const aParts: Buffer[] = [pw, s, repeatTo(b, pw.length)];
  for (let n = pw.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : pw);
  let a = sha512(...aParts);

  const dpParts: Buffer[] = [];
  for (let i = 0; i < pw.length; i++) dpParts.push(pw);
  const p = repeatTo(sha512(...dpParts), pw.length);
  const dsParts: Buffer[] = [];
  for (let i = 0; i < 16 + a[0]!; i++) dsParts.push(s);
  const sSeq = repeatTo(sha512(...dsParts), s.length);

  for (let i = 0; i < rounds; i++) {
    const parts: Buffer[] = [i & 1 ? p : a];
    if (i % 3) parts.push(sSeq);
    if (i % 7) parts.push(p);
    parts.push(i & 1 ? a : p);
    a = sha512(...parts);
  }

  const order = [
    [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
    [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
  ] as const;
  let out = '';
  const b64 = (v: number, n: number) => {
    for (let i = 0; i < n; i++) {
      out += ITOA64[v & 63];
      v >>= 6;
    }
  };
  for (const [x, y, z] of order) b64((a[x]! << 16) | (a[y]! << 8) | a[z]!, 4);
  b64(a[63]!, 2);
  const prefix = rounds === ROUNDS_DEFAULT ? '$6$' : `$6$rounds=${rounds}$`;
  return `${prefix}${s.toString('utf8')}$${out}`;
}
