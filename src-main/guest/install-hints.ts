import * as path from 'node:path';
import type { OsDetail, OsFamily } from '../api/contract';
import { osinfoDirs } from '../os/osinfo-db';
import { readLocalDir, readLocalText } from '../hosts/local-fs';

/**
 * How to install qemu-guest-agent in a guest, from osinfo-db (not from a list of distro names).
 *
 * The VM's OS (spec.os.id, else its variant as a short id) is looked up in the osinfo index
 * (os/osinfo-db.ts), which gives the OS's unattended-install scripts, inherited along derives-from.
 * Each script is an /usr/share/osinfo/install-script/<vendor>/*.xml file whose id names its
 * format, and the format is the OS's installer and so its package manager: a Debian/Ubuntu preseed
 * installs with apt, a Fedora/RHEL kickstart with dnf (yum before Fedora 22 / RHEL 8), an openSUSE
 * AutoYaST with zypper; Windows unattend/sif/cmd scripts mean Windows, whose agent comes from the
 * virtio-win media. The package name is the one the script's template installs (Debian's preseed
 * and the Fedora/RHEL kickstarts list "qemu-guest-agent"); scripts that list no agent (Ubuntu's,
 * openSUSE's) get the name the others use. An OS osinfo-db knows but has no script for, or does
 * not know at all, gets a generic sentence for its family.
 */

const GENERIC: Record<OsFamily, string> = {
  linux: 'Install the "qemu-guest-agent" package with the guest\'s package manager (apt, dnf, zypper, pacman, apk) and start its service.',
  windows: 'Run qemu-ga-x86_64.msi from the virtio-win guest tools ISO (guest-agent folder); the "QEMU Guest Agent" service starts by itself.',
  bsd: 'FreeBSD: pkg install qemu-guest-agent, then sysrc qemu_guest_agent_enable=YES && service qemu-guest-agent start.',
  other: 'Install qemu-guest-agent in the guest if its OS has one, listening on the virtio-serial port org.qemu.guest_agent.0.',
};

const AGENT_PACKAGE = /\bqemu-guest-agent\b/;

export interface InstallScript {
  id: string;
  /** preseed | kickstart | autoyast | unattend | sif | cmd | reg | …: the path segment of the id. */
  format: string;
  /** The package the script's template installs for the agent, when it installs one. */
  agentPackage: string | null;
}

let scriptsCache: { key: string; scripts: Map<string, InstallScript> } | null = null;

/** Every install script of the osinfo-db folders, by id (read once per set of folders). */
export function installScripts(dirs: string[] = osinfoDirs()): Map<string, InstallScript> {
  const key = dirs.join(':');
  if (scriptsCache?.key === key) return scriptsCache.scripts;
  const scripts = new Map<string, InstallScript>();
  for (const dir of dirs) {
    const root = path.join(dir, 'install-script');
    let vendors: string[];
    try {
      vendors = readLocalDir(root);
    } catch {
      continue;
    }
    for (const v of vendors) {
      let files: string[];
      try {
        files = readLocalDir(path.join(root, v)).filter((f) => f.endsWith('.xml'));
      } catch {
        continue;
      }
      for (const f of files) {
        const xml = readLocalText(path.join(root, v, f));
        // <install-script id="http://debian.org/debian/preseed/desktop">: vendor/os/format/profile
        const id = /<install-script\s+id="([^"]+)"/.exec(xml)?.[1];
        if (!id) continue;
        const format = id.split('/').slice(-2)[0] ?? '';
        scripts.set(id, { id, format, agentPackage: AGENT_PACKAGE.exec(xml)?.[0] ?? null });
      }
    }
  }
  scriptsCache = { key, scripts };
  return scripts;
}

const major = (version: string): number => Number.parseInt(version, 10) || 0;

/** The hint for an OS osinfo-db knows, from its install scripts; null when it names none. */
export function hintFromOsinfo(os: Pick<OsDetail, 'family' | 'distro' | 'version' | 'installScripts'>, scripts: Map<string, InstallScript> = installScripts()): string | null {
  const mine = (os.installScripts ?? []).map((id) => scripts.get(id)).filter((s): s is InstallScript => !!s);
  if (!mine.length) return null;
  const formats = new Set(mine.map((s) => s.format));
  // the package its scripts install; scripts that install none: the one osinfo-db's others name
  const pkg = mine.find((s) => s.agentPackage)?.agentPackage ?? [...scripts.values()].find((s) => s.agentPackage)?.agentPackage ?? 'qemu-guest-agent';
  const service = `sudo systemctl enable --now ${pkg}`;
  if (formats.has('preseed')) return `sudo apt-get install ${pkg} && ${service}`;
  if (formats.has('kickstart')) {
    const yum = (os.distro === 'fedora' && major(os.version) < 22) || (/^(rhel|centos)/.test(os.distro) && major(os.version) < 8);
    return `sudo ${yum ? 'yum' : 'dnf'} install ${pkg} && ${service}`;
  }
  if (formats.has('autoyast')) return `sudo zypper install ${pkg} && ${service}`;
  if (os.family === 'windows') return GENERIC.windows;
  return null;
}

/** The hint for a VM's OS: osinfo-db's when it knows the OS, else the family's generic sentence. */
export function agentInstallHint(os: { family: OsFamily; variant: string; id?: string | undefined }, lookup?: (id: string) => OsDetail | null): string {
  const find = (id: string | undefined): OsDetail | null => {
    if (!id || !lookup) return null;
    try {
      return lookup(id);
    } catch {
      return null; // no readable osinfo-db: the generic sentence
    }
  };
  const known = find(os.id) ?? find(os.variant);
  return (known && hintFromOsinfo(known)) ?? GENERIC[known?.family ?? os.family];
}
