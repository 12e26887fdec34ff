import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Debian cloud-init guest built by scripts/build-cloud-guest.sh (debootstrap + cloud-init,
 * a qcow2 that boots from its own disk with GRUB, like a distribution's cloud image). Tests fail with a clear message when it has not been built.
 */
export const CLOUD_GUEST_DIR = path.resolve(process.env.HANGAR_CLOUD_GUEST_DIR ?? path.join(__dirname, '..', '.cloud-guest'));

export interface CloudGuest {
  disk: string;
  /** The same kernel for direct kernel boot (optional: the disk boots by itself). */
  kernel: { path: string; initrd: string; append: string };
  minDiskBytes: number;
  kernelVersion: string;
}

export function cloudGuest(): CloudGuest {
  const disk = path.join(CLOUD_GUEST_DIR, 'disk.qcow2');
  const manifest = path.join(CLOUD_GUEST_DIR, 'manifest.json');
  const vmlinuz = path.join(CLOUD_GUEST_DIR, 'vmlinuz');
  const initrd = path.join(CLOUD_GUEST_DIR, 'initrd.img');
  for (const f of [disk, manifest, vmlinuz, initrd])
    if (!fs.existsSync(f)) throw new Error(`Cloud guest file ${f} is missing: run "bash scripts/build-cloud-guest.sh" (as root; it debootstraps Debian 12 from the apt mirror) first.`);
  const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { minDiskBytes: number; kernelVersion: string; cmdline: string };
  return { disk, kernel: { path: vmlinuz, initrd, append: m.cmdline }, minDiskBytes: m.minDiskBytes, kernelVersion: m.kernelVersion };
}

/** A fresh ed25519 key pair in `dir` (ssh-keygen, no passphrase). */
export function sshKeyPair(dir: string, name = 'id_ed25519'): { priv: string; pub: string } {
  const priv = path.join(dir, name);
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hangar-test', '-f', priv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return { priv, pub: `${priv}.pub` };
}
