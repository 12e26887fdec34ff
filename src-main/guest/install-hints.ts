import type { OsFamily } from '../api/contract';

/**
 * How to install qemu-guest-agent, per OS. The package name is the one osinfo-db's own install
 * scripts put in unattended installs (/usr/share/osinfo/install-script: Debian preseed and the
 * Fedora/RHEL kickstarts include "qemu-guest-agent"); Windows gets it from the virtio-win media.
 */
const BY_VARIANT: Array<[RegExp, string]> = [
  [/debian|ubuntu|mint|pop|kali|raspbian/i, 'sudo apt-get install qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent'],
  [/fedora|rhel|centos|rocky|alma|oracle/i, 'sudo dnf install qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent'],
  [/opensuse|suse|sles/i, 'sudo zypper install qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent'],
  [/arch|manjaro|endeavour/i, 'sudo pacman -S qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent'],
  [/alpine/i, 'apk add qemu-guest-agent && rc-update add qemu-guest-agent && rc-service qemu-guest-agent start'],
];

const BY_FAMILY: Record<OsFamily, string> = {
  linux: 'Install the "qemu-guest-agent" package with the guest\'s package manager (apt, dnf, zypper, pacman, apk) and start its service.',
  windows: 'Run qemu-ga-x86_64.msi from the virtio-win guest tools ISO (guest-agent folder); the "QEMU Guest Agent" service starts by itself.',
  bsd: 'FreeBSD: pkg install qemu-guest-agent, then sysrc qemu_guest_agent_enable=YES && service qemu-guest-agent start.',
  other: 'Install qemu-guest-agent in the guest if its OS has one, listening on the virtio-serial port org.qemu.guest_agent.0.',
};

export function agentInstallHint(os: { family: OsFamily; variant: string }): string {
  if (os.family === 'linux') for (const [re, hint] of BY_VARIANT) if (re.test(os.variant)) return hint;
  return BY_FAMILY[os.family];
}
