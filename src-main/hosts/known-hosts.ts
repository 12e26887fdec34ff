import { createHash } from 'node:crypto';
import { HangarError } from '../api/errors';

/**
 * Host-key pinning. A host's key fingerprint is shown on first contact (SHA-256, written
 * the way OpenSSH prints it: "SHA256:" + unpadded base64), confirmed by the user, stored in the
 * hosts table, and from then on any other key is refused.
 */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name at the start of an SSH public key blob (e.g. "ssh-ed25519"). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return len > 0 && len < 64 && keyBlob.length >= 4 + len ? keyBlob.subarray(4, 4 + len).toString('ascii') : 'unknown';
}

export function hostKeyChangedError(name: string, address: string, pinned: string, offered: string): HangarError {
  return new HangarError(
    'UNAUTHORIZED',
    `The host key of ${name} (${address}) changed: it was ${pinned} and is now ${offered}. ` +
      'Hangar refuses to connect, because this is what a man-in-the-middle attack looks like (possible man-in-the-middle). ' +
      'If the host was reinstalled or its SSH keys were regenerated, remove it from Hangar and add it again to pin the new key.',
    { pinnedFingerprint: pinned, offeredFingerprint: offered },
  );
}
