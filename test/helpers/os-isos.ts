import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Small bootable ISOs built with xorriso that carry the volume (and publisher) ids of real
 * releases exactly as osinfo-db records them, so Hangar's detection and `osinfo-detect` can be
 * compared on the same files. El Torito boot record included: osinfo-detect ignores media that
 * are not bootable.
 */
export const REAL_RELEASES = {
  /** debian-11.5.0-amd64-netinst.iso */
  debianNetinst: { volumeId: 'Debian 11.5.0 amd64 n', expect: 'debian11', osinfoName: 'Debian 11' },
  /** ubuntu-22.04.1-desktop-amd64.iso */
  ubuntuDesktop: { volumeId: 'Ubuntu 22.04.1 LTS amd64', expect: 'ubuntu22.04', osinfoName: 'Ubuntu 22.04 LTS' },
  /** Win11_22H2_English_x64.iso (Microsoft's media creation tool) */
  windows11: { volumeId: 'CCCOMA_X64FRE_EN-US_DV9', publisher: 'MICROSOFT CORPORATION', expect: 'win11', osinfoName: 'Microsoft Windows 11' },
  unknown: { volumeId: 'MY_HOLIDAY_PHOTOS', expect: null, osinfoName: null },
} as const;

export type ReleaseKey = keyof typeof REAL_RELEASES;

export function buildIso(dir: string, key: ReleaseKey, padMiB = 0): string {
  const r = REAL_RELEASES[key];
  const src = path.join(dir, `src-${key}`);
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, 'README.TXT'), `Test medium for ${key}\n`);
  fs.writeFileSync(path.join(src, 'boot.bin'), Buffer.alloc(2048));
  // some bytes so a download takes long enough to show progress
  if (padMiB > 0) fs.writeFileSync(path.join(src, 'pad.bin'), Buffer.alloc(padMiB * 1024 * 1024, 0x5a));
  const out = path.join(dir, `${key}.iso`);
  const args = ['-as', 'mkisofs', '-quiet', '-b', 'boot.bin', '-no-emul-boot', '-boot-load-size', '4', '-V', r.volumeId];
  if ('publisher' in r) args.push('-publisher', r.publisher);
  args.push('-o', out, src);
  const x = spawnSync('xorriso', args, { encoding: 'utf8' });
  if (x.status !== 0) throw new Error(`xorriso failed: ${x.stderr}`);
  return out;
}

/** What `osinfo-detect` (libosinfo) says about a file: the OS name, or null. */
export function osinfoDetect(file: string): string | null {
  const r = spawnSync('osinfo-detect', [file], { encoding: 'utf8' });
  const m = /Media is (?:an installer|live media) for OS '(.+?) \([^)]*\)'/.exec(r.stdout);
  return m?.[1] ?? null;
}
