import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

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

/**
 * The same guest on Debian's generic kernel (9p, virtiofs, fuse and virtio-gpu modules, which the
 * cloud kernel lacks): built on first use by scripts/build-test-guest.sh, cached by content hash
 * and locked, so files that need it can each ask without depending on each other's order.
 */
export function genericGuestFiles(): { kernel: string; initrd: string } {
  const dir = path.join(__dirname, '..', '.guest-9p');
  const build = spawnSync('bash', [path.join(__dirname, '..', '..', 'scripts', 'build-test-guest.sh')], { env: { ...process.env, HANGAR_GUEST_KERNEL: 'generic' }, encoding: 'utf8', timeout: 600000 });
  if (build.status !== 0) throw new Error(`building the generic-kernel test guest failed: ${build.stderr.trim().split('\n').slice(-5).join(' ')}`);
  return { kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.img') };
}
