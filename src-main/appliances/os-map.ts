import type { OsFamily } from '../api/contract';

/**
 * The OS type an appliance declares → Hangar's OS family and, only where the mapping is obvious,
 * an osinfo-db short-id (as `osinfo-query os` prints it). Kept apart and pure so the OS database
 * (src-main/os/) can replace or refine it without touching the OVF reader.
 *
 * Sources of the names: VirtualBox's OSType ids (`VBoxManage list ostypes`, also in vbox:OSType and
 * vbox:Machine/@OSType), VMware's guestId (vmw:osType) and the CIM_OperatingSystem ids of the OVF
 * OperatingSystemSection/@ovf:id (DSP0243 refers to CIM's OsType value map).
 * Only ids the osinfo-db of Debian 12 knows are named (test/unit/appliances.test.ts checks with
 * osinfo-query); newer releases (Debian 12 itself, Ubuntu 24.04) map to their family only.
 */
export interface MappedOs {
  family: OsFamily;
  /** osinfo short-id, '' when the declared type does not name one version. */
  osinfo: string;
}

const VBOX: Record<string, string> = {
  Windows7: 'win7', Windows7_64: 'win7', Windows8: 'win8', Windows8_64: 'win8', Windows81: 'win8.1', Windows81_64: 'win8.1',
  Windows10: 'win10', Windows10_64: 'win10', Windows11_64: 'win11',
  Windows2012_64: 'win2k12r2', Windows2016_64: 'win2k16', Windows2019_64: 'win2k19', Windows2022_64: 'win2k22',
  Debian10_64: 'debian10', Debian11_64: 'debian11',
  Ubuntu20_LTS_64: 'ubuntu20.04', Ubuntu22_LTS_64: 'ubuntu22.04',
  Oracle8_64: 'ol8.0', RHEL8_64: 'rhel8.0', RHEL9_64: 'rhel9.0',
};

const VMWARE: Record<string, string> = {
  windows7_64Guest: 'win7', windows8_64Guest: 'win8', windows9_64Guest: 'win10', windows11_64Guest: 'win11',
  windows2019srv_64Guest: 'win2k19', windows2019srvNext_64Guest: 'win2k22',
  debian10_64Guest: 'debian10', debian11_64Guest: 'debian11',
  rhel8_64Guest: 'rhel8.0', rhel9_64Guest: 'rhel9.0',
};

function familyOfName(t: string): OsFamily | null {
  const s = t.toLowerCase();
  if (s.startsWith('win')) return 'windows';
  if (/bsd|dragonfly/.test(s)) return 'bsd';
  if (/linux|debian|ubuntu|fedora|redhat|rhel|centos|oracle|opensuse|suse|arch|gentoo|mandriva|turbolinux|xandros|alma|rocky|mint|coreos|photon|amazonlinux/.test(s)) return 'linux';
  return null;
}

/** CIM OsType ids: the Windows, BSD and Linux entries of the value map. */
function familyOfCim(id: number): OsFamily | null {
  if ([42, 43, 65, 78].includes(id)) return 'bsd';
  if ([36, 82, 83, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 104, 106, 107, 108, 109, 110, 118, 119, 120, 121].includes(id)) return 'linux';
  if ([58, 59, 60, 61, 62, 63, 64, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 103, 105, 111, 112, 113, 114, 115, 116, 117].includes(id)) return 'windows';
  return null;
}

/** Types in order of trust: VirtualBox's own name, VMware's guestId, the CIM id, the free-text description. */
export function mapOsType(t: { vbox?: string | null; vmware?: string | null; cimId?: number | null; description?: string | null }): MappedOs {
  if (t.vbox) {
    const osinfo = VBOX[t.vbox] ?? '';
    const family = familyOfName(t.vbox);
    if (family) return { family, osinfo };
  }
  if (t.vmware) {
    const osinfo = VMWARE[t.vmware] ?? '';
    const family = familyOfName(t.vmware.replace(/Guest$/, ''));
    if (family) return { family, osinfo };
  }
  const fromCim = t.cimId !== null && t.cimId !== undefined ? familyOfCim(t.cimId) : null;
  if (fromCim) return { family: fromCim, osinfo: '' };
  const fromText = t.description ? familyOfName(t.description) : null;
  return { family: fromText ?? 'other', osinfo: '' };
}

/** The reverse, for export: the CIM id and VirtualBox OSType VirtualBox picks up. */
export function exportOsType(family: OsFamily, variant: string): { cimId: number; vbox: string; description: string } {
  const vbox = Object.entries(VBOX).find(([k, v]) => v === variant && k.endsWith('_64'))?.[0];
  if (family === 'windows') return { cimId: 116, vbox: vbox ?? 'Windows10_64', description: variant || 'Microsoft Windows' };
  if (family === 'bsd') return { cimId: 78, vbox: 'FreeBSD_64', description: variant || 'BSD' };
  if (family === 'linux') return { cimId: 101, vbox: vbox ?? 'Linux_64', description: variant || 'Linux' };
  return { cimId: 1, vbox: 'Other_64', description: variant || 'Other' };
}
