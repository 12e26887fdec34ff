import { createHash } from 'node:crypto';
import * as path from 'node:path';

/**
 * Where a VM's files live on its host. Persistent files (disks, vm.json, serial log, exit status)
 * sit in the VM's folder under $HANGAR_HOME; sockets sit in a short runtime folder because UNIX
 * socket paths are limited to 108 bytes.
 */
export interface VmPaths {
  dir: string;
  vmJson: string;
  serialLog: string;
  qemuLog: string;
  pidFile: string;
  /** Written by the keeper when QEMU exits: "<exit status> <unix seconds>". */
  exitFile: string;
  /** Written by the engine before a deliberate force-off, so the exit is not taken for a crash. */
  intentFile: string;
  ovmfVars: string;
  /** The per-VM copy of the Secure Boot vars template (Microsoft's keys enrolled): qemu/firmware.ts. */
  secureBootVars: string;
  /** swtpm's TPM 2.0 state (tpm/tpm-service.ts): moved and copied with the VM. */
  tpmDir: string;
  tpmPidFile: string;
  tpmLog: string;
  /** swtpm's control socket, QEMU's chardev for the TPM. */
  tpmSocket: string;
  runDir: string;
  qmpSocket: string;
  serialSocket: string;
  vncSocket: string;
  /** qemu-guest-agent's virtio-serial channel (guest/qga.ts). */
  qgaSocket: string;
}

const SOCKET_PATH_MAX = 100;

/** The folder for a host's sockets: `$HOME/run` when short enough, else a per-home folder in /tmp. */
export function runtimeRoot(hangarHome: string, uid: number): string {
  const preferred = path.join(hangarHome, 'run');
  // longest socket path: <root>/<uuid>/serial.sock
  if (preferred.length + 1 + 36 + 1 + 'serial.sock'.length <= SOCKET_PATH_MAX) return preferred;
  const tag = createHash('sha256').update(hangarHome).digest('hex').slice(0, 12);
  return `/tmp/hangar-${uid}-${tag}`;
}

export function vmPaths(hangarHome: string, runRoot: string, vmId: string): VmPaths {
  const dir = path.join(hangarHome, 'vms', vmId);
  const runDir = path.join(runRoot, vmId);
  return {
    dir,
    vmJson: path.join(dir, 'vm.json'),
    serialLog: path.join(dir, 'serial.log'),
    qemuLog: path.join(dir, 'qemu.log'),
    pidFile: path.join(dir, 'qemu.pid'),
    exitFile: path.join(dir, 'exit-status'),
    intentFile: path.join(dir, 'stop-intent'),
    ovmfVars: path.join(dir, 'OVMF_VARS.fd'),
    secureBootVars: path.join(dir, 'OVMF_VARS.secboot.fd'),
    tpmDir: path.join(dir, 'tpm'),
    tpmPidFile: path.join(dir, 'swtpm.pid'),
    tpmLog: path.join(dir, 'swtpm.log'),
    tpmSocket: path.join(runDir, 'swtpm.sock'),
    runDir,
    qmpSocket: path.join(runDir, 'qmp.sock'),
    serialSocket: path.join(runDir, 'serial.sock'),
    vncSocket: path.join(runDir, 'vnc.sock'),
    qgaSocket: path.join(runDir, 'qga.sock'),
  };
}
