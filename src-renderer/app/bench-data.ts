import type { HostCapabilities, VmInfo, VmState, OsFamily } from '../../src-main/api/contract';

/**
 * Synthetic data for the UI benchmark (`?bench=1000`). Pure and deterministic so runs compare.
 * See app/bench.ts for how the page records its performance entries.
 */
const STATES: VmState[] = ['running', 'stopped', 'stopped', 'paused', 'crashed', 'running', 'stopped', 'starting'];
const OSES: Array<[OsFamily, string]> = [
  ['linux', 'debian'],
  ['linux', 'ubuntu'],
  ['windows', 'win11'],
  ['bsd', 'freebsd'],
  ['linux', 'fedora'],
  ['other', 'other'],
];
const WORDS = ['web', 'db', 'build', 'cache', 'test', 'mail', 'proxy', 'dev', 'ci', 'edge', 'vpn', 'lab'];

export function benchCount(search: string): number {
  const n = Number(new URLSearchParams(search).get('bench'));
  return Number.isInteger(n) && n > 0 ? Math.min(n, 100000) : 0;
}

export function syntheticVms(count: number): VmInfo[] {
  const out: VmInfo[] = [];
  const base = Date.UTC(2025, 0, 1);
  for (let i = 0; i < count; i++) {
    const id = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const [family, variant] = OSES[i % OSES.length]!;
    const state = STATES[i % STATES.length]!;
    const name = `${WORDS[i % WORDS.length]}-${String(i).padStart(4, '0')}`;
    const created = new Date(base + i * 3600_000).toISOString();
    out.push({
      id,
      name,
      hostId: 'local',
      state,
      stateReason: state === 'crashed' ? 'QEMU was killed (SIGKILL)' : null,
      accel: state === 'stopped' || state === 'crashed' ? null : 'tcg',
      pid: state === 'stopped' || state === 'crashed' ? null : 10000 + i,
      startedAt: state === 'stopped' ? null : created,
      createdAt: created,
      updatedAt: created,
      lastSerialLines: state === 'crashed' ? ['[    0.000000] Linux version 6.1', 'Kernel panic - not syncing'] : [],
      dir: `/var/lib/hangar/vms/${id}`,
      spec: {
        version: 1,
        id,
        name,
        description: i % 3 === 0 ? `Synthetic machine number ${i}` : '',
        os: { family, variant },
        cpus: 1 + (i % 4),
        memoryMiB: 512 * (1 + (i % 8)),
        firmware: family === 'windows' ? 'uefi' : 'bios',
        secureBoot: false,
        tpm: false,
        machine: 'q35',
        disks: [{ id: 'disk0', path: `/var/lib/hangar/vms/${id}/disk0.qcow2`, format: 'qcow2', bus: family === 'windows' ? 'sata' : 'virtio', readOnly: false, owned: true }],
        cdrom: null,
        kernel: null,
        nics: [{ id: 'net0', mode: 'user', model: family === 'windows' ? 'e1000e' : 'virtio-net-pci', mac: `52:54:00:${hex(i >> 16)}:${hex(i >> 8)}:${hex(i)}`, portForwards: [] }],
        display: 'vnc',
        bootOrder: ['disk', 'cdrom'],
        autostart: false,
      },
    });
  }
  return out;
}

const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');

export function syntheticHost(): HostCapabilities {
  return {
    hostId: 'local',
    hostname: 'bench',
    qemu: { binary: '/usr/bin/qemu-system-x86_64', version: '10.0.0' },
    qemuImg: { binary: '/usr/bin/qemu-img', version: '10.0.0' },
    installHint: null,
    accel: 'kvm',
    kvmUnavailableReason: null,
    machineTypes: ['q35', 'pc'],
    ovmf: null,
    cpus: 16,
    memoryBytes: 64 * 1024 ** 3,
    diskFreeBytes: 500 * 1024 ** 3,
    diskTotalBytes: 1024 ** 4,
    hangarHome: '/var/lib/hangar',
  };
}
