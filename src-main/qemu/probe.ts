import type { HostCapabilities } from '../api/contract';
import type { Host } from '../hosts/host';
import { findSecureBootFirmware } from './firmware';
import { probeSwtpm } from '../tpm/swtpm-probe';
import { say } from '../api/messages';

/**
 * What a host can run, asked of QEMU itself: version, whether KVM really initialises
 * (not just whether /dev/kvm exists), machine types, OVMF. Cached per host; `refresh` re-probes.
 */
export const QEMU_BINARY = process.env.HANGAR_QEMU ?? 'qemu-system-x86_64';
export const QEMU_IMG = process.env.HANGAR_QEMU_IMG ?? 'qemu-img';

const OVMF_CANDIDATES: Array<{ code: string; vars: string }> = [
  { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
  { code: '/usr/share/OVMF/OVMF_CODE.fd', vars: '/usr/share/OVMF/OVMF_VARS.fd' },
  { code: '/usr/share/edk2/ovmf/OVMF_CODE.fd', vars: '/usr/share/edk2/ovmf/OVMF_VARS.fd' },
  { code: '/usr/share/edk2/x64/OVMF_CODE.fd', vars: '/usr/share/edk2/x64/OVMF_VARS.fd' },
];

export const INSTALL_HINT_DEBIAN = 'Install QEMU with: sudo apt-get install qemu-system-x86 qemu-utils (or run scripts/install-system-packages.sh).';

const cache = new Map<string, Promise<HostCapabilities>>();

export function probeHost(host: Host, refresh = false): Promise<HostCapabilities> {
  let entry = cache.get(host.id);
  if (!entry || refresh) {
    entry = doProbe(host);
    cache.set(host.id, entry);
    entry.catch(() => cache.delete(host.id));
  }
  return entry;
}

export function forgetProbe(hostId: string): void {
  cache.delete(hostId);
}

async function doProbe(host: Host): Promise<HostCapabilities> {
  const [info, home, qemuPath, qemuImgPath] = await Promise.all([host.info(), host.hangarHome(), host.which(QEMU_BINARY), host.which(QEMU_IMG)]);
  await host.fs.mkdir(home);
  const disk = await host.fs.statfs(home);
  const missing: string[] = [];
  let qemu: HostCapabilities['qemu'] = null;
  let qemuImg: HostCapabilities['qemuImg'] = null;
  let accel: 'kvm' | 'tcg' = 'tcg';
  let kvmUnavailableReason: string | null = null;
  let machineTypes: string[] = [];

  if (qemuPath) {
    const v = await host.exec(qemuPath, ['--version'], { timeoutMs: 10000 });
    qemu = { binary: qemuPath, version: /version (\S+)/.exec(v.stdout)?.[1] ?? 'unknown' };
    const kvm = await probeKvm(host, qemuPath);
    accel = kvm.ok ? 'kvm' : 'tcg';
    kvmUnavailableReason = kvm.reason;
    machineTypes = kvm.machines;
  } else {
    missing.push('qemu-system-x86');
    kvmUnavailableReason = 'QEMU is not installed.';
  }
  if (qemuImgPath) {
    const v = await host.exec(qemuImgPath, ['--version'], { timeoutMs: 10000 });
    qemuImg = { binary: qemuImgPath, version: /version (\S+)/.exec(v.stdout)?.[1] ?? 'unknown' };
  } else {
    missing.push('qemu-utils');
  }

  let ovmf: HostCapabilities['ovmf'] = null;
  for (const c of OVMF_CANDIDATES) {
    if ((await host.fs.stat(c.code))?.isFile && (await host.fs.stat(c.vars))?.isFile) {
      ovmf = c;
      break;
    }
  }

  const [secureBootFirmware, swtpm] = await Promise.all([findSecureBootFirmware(host), probeSwtpm(host)]);

  return {
    hostId: host.id,
    hostname: info.hostname,
    qemu,
    qemuImg,
    installHint: missing.length ? `Missing: ${missing.join(', ')}. ${INSTALL_HINT_DEBIAN}` : null,
    accel,
    kvmUnavailableReason,
    machineTypes,
    ovmf,
    secureBootFirmware,
    swtpm,
    cpus: info.cpus,
    memoryBytes: info.memoryBytes,
    diskFreeBytes: disk.freeBytes,
    diskTotalBytes: disk.totalBytes,
    hangarHome: home,
  };
}

/**
 * Ask QEMU to initialise KVM on an empty machine and report through QMP on stdio.
 * This catches a /dev/kvm that exists but cannot be used (permissions, nested virt off).
 */
async function probeKvm(host: Host, qemuPath: string): Promise<{ ok: boolean; reason: string | null; machines: string[] }> {
  const kvmDev = await host.fs.stat('/dev/kvm');
  const script = ['qmp_capabilities', 'query-kvm', 'query-machines', 'quit'].map((c) => JSON.stringify({ execute: c })).join('\n') + '\n';
  // A real machine with a vCPU: some hosts open /dev/kvm fine but fail when a vCPU is set up
  // (nested virtualisation without MSR support aborts QEMU right here).
  const run = (accel: 'kvm' | 'tcg') =>
    host.exec(qemuPath, ['-machine', 'pc', '-accel', accel, '-cpu', accel === 'kvm' ? 'host' : 'max', '-m', '16', '-nodefaults', '-no-user-config', '-display', 'none', '-S', '-qmp', 'stdio'], {
      input: script,
      timeoutMs: 15000,
    });
  const machinesFrom = (out: string): string[] => {
    for (const line of out.split('\n')) {
      try {
        const msg = JSON.parse(line) as { return?: unknown };
        if (Array.isArray(msg.return)) {
          const names = new Set<string>();
          for (const m of msg.return as Array<{ name: string; alias?: string }>) {
            names.add(m.alias ?? m.name);
          }
          return [...names].sort();
        }
      } catch {
        /* not JSON */
      }
    }
    return [];
  };

  if (process.env.HANGAR_ACCEL === 'tcg') {
    const r = await run('tcg');
    return { ok: false, reason: say('kvm.tcgChosen'), machines: machinesFrom(r.stdout) };
  }
  if (!kvmDev) {
    const r = await run('tcg');
    return { ok: false, reason: say('kvm.noDevice'), machines: machinesFrom(r.stdout) };
  }
  const r = await run('kvm');
  const enabled = r.stdout.split('\n').some((line) => {
    try {
      const msg = JSON.parse(line) as { return?: { enabled?: boolean } };
      return msg.return?.enabled === true;
    } catch {
      return false;
    }
  });
  if (r.code === 0 && enabled) return { ok: true, reason: null, machines: machinesFrom(r.stdout) };
  const tcg = await run('tcg');
  const why = (r.stderr.trim().split('\n').find((l) => /error|fail|permission/i.test(l)) ?? '').replace(/^\S*qemu-system-x86_64: (error: )?/, '');
  return { ok: false, reason: why ? say('kvm.initFailed', { why }) : say('kvm.initFailedBare'), machines: machinesFrom(tcg.stdout) };
}
