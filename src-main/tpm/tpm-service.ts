import type { HostCapabilities, VmSpec } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import type { VmPaths } from '../qemu/paths';
import { SWTPM_INSTALL_HINT } from './swtpm-probe';

/**
 * Per-VM TPM 2.0 (swtpm) and Secure Boot vars: what a VM needs on its host before QEMU starts,
 * and the clean-up after it ended.
 *
 * - The TPM's state lives in `<vm folder>/tpm` (so a move copies it with the VM), created once by
 *   `swtpm_setup --tpm2 --createek` (an endorsement key, persisted at 0x81010001: the same key
 *   for the VM's whole life, as on a real machine).
 * - swtpm runs detached (like QEMU, so it outlives the engine) with `--terminate`: it ends when
 *   QEMU's connection to its control socket closes, whether QEMU powered off, was killed or crashed.
 *   Its pid file lets a later engine (or the next start) end one that was left behind (QEMU never
 *   connected). Re-attaching to a running VM starts nothing: swtpm is started only by `start`.
 * - Secure Boot gets its own copy of the Microsoft-keys vars template (`OVMF_VARS.secboot.fd`),
 *   separate from the plain UEFI vars, so switching Secure Boot off and on keeps both.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** swtpm's option syntax has no escape for commas: refuse such paths in words. */
function plainPath(p: string): string {
  if (p.includes(',')) throw new HangarError('UNSUPPORTED', `swtpm cannot use a path with a comma (${p}): move Hangar's folder (HANGAR_HOME) to a path without one.`);
  return p;
}

/** Refusals shared by create, update and start: each names the field at fault. */
export function checkFirmwareChoice(caps: HostCapabilities, spec: Pick<VmSpec, 'firmware' | 'machine' | 'secureBoot' | 'tpm'>): void {
  if (spec.secureBoot) {
    if (spec.firmware !== 'uefi') throw new HangarError('INVALID_INPUT', 'Secure Boot needs UEFI firmware: choose UEFI, or turn Secure Boot off.', { field: 'secureBoot' });
    if (spec.machine !== 'q35') throw new HangarError('INVALID_INPUT', 'Secure Boot needs the q35 machine type (SMM): choose q35, or turn Secure Boot off.', { field: 'secureBoot' });
    if (!caps.secureBootFirmware)
      throw new HangarError('MISSING_DEPENDENCY', `Secure Boot firmware (OVMF with Microsoft's keys, described in /usr/share/qemu/firmware) is not installed on ${caps.hostname}: install the "ovmf" package.`, { field: 'secureBoot' });
  }
  if (spec.tpm && !caps.swtpm) throw new HangarError('MISSING_DEPENDENCY', `swtpm is not installed on ${caps.hostname}. ${SWTPM_INSTALL_HINT}`, { field: 'tpm' });
}

/** Copy the Secure Boot vars template into the VM folder, once. */
export async function ensureSecureBootVars(host: Host, caps: HostCapabilities, paths: VmPaths): Promise<void> {
  if (!caps.secureBootFirmware || (await host.fs.stat(paths.secureBootVars))) return;
  await host.fs.writeFileAtomic(paths.secureBootVars, await host.fs.readFile(caps.secureBootFirmware.vars), 0o600);
}

const STATE_FILE = 'tpm2-00.permall';

/** Create the TPM's state (with its endorsement key) at the first start. */
export async function ensureTpmState(host: Host, caps: HostCapabilities, paths: VmPaths): Promise<void> {
  if (!caps.swtpm) throw new HangarError('MISSING_DEPENDENCY', `swtpm is not installed on ${caps.hostname}. ${SWTPM_INSTALL_HINT}`, { field: 'tpm' });
  if (await host.fs.stat(`${paths.tpmDir}/${STATE_FILE}`)) return;
  await host.fs.mkdir(paths.tpmDir, 0o700);
  // --config /dev/null: no EK certificate from a local CA (its files may not be writable by us),
  // the defaults otherwise; --not-overwrite: never replace a state that exists.
  const r = await host.exec(caps.swtpm.setup, ['--tpm2', '--tpmstate', plainPath(paths.tpmDir), '--createek', '--pcr-banks', 'sha256', '--config', '/dev/null', '--not-overwrite'], { timeoutMs: 60000 });
  if (r.code !== 0 || !(await host.fs.stat(`${paths.tpmDir}/${STATE_FILE}`)))
    throw new HangarError('QEMU_FAILED', `swtpm_setup could not create the TPM state: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
}

async function readPid(host: Host, file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await host.fs.readFile(file)).toString('utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Is this pid the swtpm of this VM (not another process that reused the pid)? */
async function isOurSwtpm(host: Host, pid: number | null, paths: VmPaths): Promise<boolean> {
  if (!pid) return false;
  const argv = await host.processArgv(pid);
  return !!argv && argv.some((a) => a.includes('swtpm')) && argv.some((a) => a.startsWith(`dir=${paths.tpmDir}`));
}

/** End a swtpm of this VM that is still running (QEMU never connected, or a stale one). */
export async function stopSwtpm(host: Host, paths: VmPaths): Promise<void> {
  const pid = await readPid(host, paths.tpmPidFile);
  if (await isOurSwtpm(host, pid, paths)) {
    await host.kill(pid!, 'SIGTERM').catch(() => undefined);
    for (let i = 0; i < 100 && (await isOurSwtpm(host, pid, paths)); i++) await sleep(50);
    if (await isOurSwtpm(host, pid, paths)) await host.kill(pid!, 'SIGKILL').catch(() => undefined);
  }
  await host.fs.rm(paths.tpmPidFile);
}

/** Is a swtpm of this VM running now? (Tests and `vm show` use it.) */
export async function swtpmPid(host: Host, paths: VmPaths): Promise<number | null> {
  const pid = await readPid(host, paths.tpmPidFile);
  return (await isOurSwtpm(host, pid, paths)) ? pid : null;
}

/** Start this VM's swtpm, detached, and return once its control socket is there. */
export async function startSwtpm(host: Host, caps: HostCapabilities, paths: VmPaths): Promise<void> {
  await ensureTpmState(host, caps, paths);
  await stopSwtpm(host, paths); // one swtpm per VM: never a second on the same state
  await host.fs.mkdir(paths.runDir, 0o700);
  await host.fs.rm(paths.tpmSocket);
  const argv = [
    'socket',
    '--tpm2',
    '--tpmstate',
    `dir=${plainPath(paths.tpmDir)},mode=0600`,
    '--ctrl',
    `type=unixio,path=${plainPath(paths.tpmSocket)},mode=0600`,
    '--pid',
    `file=${plainPath(paths.tpmPidFile)}`,
    '--log',
    `file=${plainPath(paths.tpmLog)},level=1`,
    '--terminate',
  ];
  await host.spawnDetached(caps.swtpm!.binary, argv, { logFile: paths.tpmLog, cwd: paths.dir });
  // by the clock, not by a count: on a busy machine (two TCG guests on two cores) swtpm took over 5 s
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if ((await host.fs.stat(paths.tpmSocket)) && (await swtpmPid(host, paths))) return;
    await sleep(25);
  }
  const log = (await host.fs.readTail(paths.tpmLog, 2048)).toString('utf8');
  await stopSwtpm(host, paths);
  throw new HangarError('QEMU_FAILED', `swtpm did not start: ${log.trim().split('\n').slice(-3).join(' ') || 'no message'}`);
}

/** Before QEMU starts: the firmware vars and the TPM this spec asks for. */
export async function prepareStart(host: Host, caps: HostCapabilities, spec: VmSpec, paths: VmPaths): Promise<void> {
  checkFirmwareChoice(caps, spec);
  if (spec.secureBoot) await ensureSecureBootVars(host, caps, paths);
  if (spec.tpm) await startSwtpm(host, caps, paths);
}

/** After QEMU ended (or failed to start): no swtpm left behind. */
export async function afterExit(host: Host, spec: VmSpec, paths: VmPaths): Promise<void> {
  if (spec.tpm || (await host.fs.stat(paths.tpmPidFile))) await stopSwtpm(host, paths);
}
