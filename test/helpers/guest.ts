import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The tiny test guest built by scripts/build-test-guest.sh (npm run test-guest).
 * Tests boot it under real QEMU; they fail with a clear message when it has not been built.
 */
export const GUEST_DIR = path.resolve(process.env.HANGAR_TEST_GUEST_DIR ?? path.join(__dirname, '..', '.guest'));
export const READY_BANNER = 'HANGAR-TEST-GUEST READY';
export const GUEST_PROMPT = 'guest# ';
export const GUEST_APPEND = 'console=ttyS0 quiet';

export interface GuestFiles {
  kernel: string;
  initrd: string;
  iso: string;
  disk: string;
}

export function guestFiles(): GuestFiles {
  const files = {
    kernel: path.join(GUEST_DIR, 'vmlinuz'),
    initrd: path.join(GUEST_DIR, 'initrd.img'),
    iso: path.join(GUEST_DIR, 'guest.iso'),
    disk: path.join(GUEST_DIR, 'disk.qcow2'),
  };
  for (const f of Object.values(files)) {
    if (!fs.existsSync(f)) throw new Error(`Test guest file ${f} is missing: run "npm run test-guest" (scripts/build-test-guest.sh) first.`);
  }
  return files;
}
