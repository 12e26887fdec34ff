// Preflight of `npm test`: names every system program a suite needs and is missing, with the Debian
// package that brings it and the one command that installs them all, before any suite starts
// (instead of a tool's own error ten minutes later).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** [program, Debian package, suites that need it] */
const NEEDS = [
  ['qemu-system-x86_64', 'qemu-system-x86', ['integration', 'e2e', 'clock']],
  ['qemu-img', 'qemu-utils', ['integration', 'e2e', 'clock']],
  ['busybox', 'busybox-static', ['integration', 'e2e', 'clock']],
  ['cpio', 'cpio', ['integration', 'e2e', 'clock']],
  ['xz', 'xz-utils', ['integration', 'e2e', 'clock']],
  ['xorriso', 'xorriso', ['integration', 'e2e', 'clock']],
  ['mcopy', 'mtools', ['integration', 'e2e', 'clock']],
  ['mkfs.vfat', 'dosfstools', ['integration', 'e2e', 'clock']],
  ['syslinux', 'syslinux', ['integration', 'e2e', 'clock']],
  ['chromium', 'chromium', ['e2e']],
  ['sshd', 'openssh-server', ['integration', 'e2e']],
  ['ssh-keygen', 'openssh-client', ['integration', 'e2e']],
  ['ip', 'iproute2', ['integration', 'e2e']],
  ['zsh', 'zsh', ['unit']],
  ['faketime', 'faketime', ['clock']],
  ['qemu-ga', 'qemu-guest-agent', ['integration', 'e2e', 'clock']],
  ['osinfo-detect', 'libosinfo-bin', ['unit', 'integration', 'e2e']],
  ['swtpm', 'swtpm', ['integration', 'e2e']],
  ['swtpm_setup', 'swtpm-tools', ['integration', 'e2e']],
  ['debootstrap', 'debootstrap', ['integration', 'e2e', 'clock']],
];

const SBIN = ['/usr/sbin', '/sbin', '/usr/local/sbin'];
function found(program) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SBIN];
  return dirs.some((d) => {
    try {
      accessSync(join(d, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The missing programs for these suites, or [] when all are there. */
export function missingPrograms(suites) {
  return NEEDS.filter(([, , need]) => need.some((s) => suites.includes(s))).filter(([program]) => !found(program));
}

export function preflight(suites) {
  const missing = missingPrograms(suites);
  if (missing.length === 0) return true;
  console.error('npm test: these system programs are missing:');
  for (const [program, pkg] of missing) console.error(`  ${program.padEnd(20)} (Debian package ${pkg})`);
  console.error('Install everything the suites need with:  sudo bash scripts/install-system-packages.sh --test');
  return false;
}
