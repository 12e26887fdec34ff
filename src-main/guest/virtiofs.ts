import * as path from 'node:path';
import type { SharedFolder, VmInfo, VmSpec } from '../api/contract';
import { HangarError } from '../api/errors';
import type { Host } from '../hosts/host';
import type { VmPaths } from '../qemu/paths';

/**
 * virtiofs shares: one virtiofsd per share on the VM's host, started before QEMU, ended after it.
 *
 * Why virtiofs where it can run: the guest sees the host's owners and modes as they are, with
 * FUSE's page cache (cache=auto), much faster than 9p. What it needs, and so when Hangar falls
 * back to 9p (guest/shares.ts says which in transportNote):
 *  - a virtiofsd on that host (Debian 12 ships QEMU's C one in /usr/lib/qemu; the Rust one is in
 *    /usr/libexec or PATH elsewhere);
 *  - root: the C virtiofsd sandboxes itself in namespaces and switches credentials per request,
 *    which needs CAP_SYS_ADMIN, so a host whose Hangar user is not uid 0 stays on 9p;
 *  - a read-write share: the C virtiofsd has no read-only option (no `-o ro`, no readonly=on), so
 *    read-only shares stay on 9p (`readonly=on`), which enforces read-only on the host side;
 *  - guest RAM QEMU can share with virtiofsd (memory-backend-memfd,share=on: guest/guest-argv.ts).
 * vhost-user-fs cannot migrate, so while such a VM runs it takes no RAM snapshot and does not move
 * live (virtiofsBlockReason). Like swtpm (tpm/tpm-service.ts), virtiofsd runs detached; it ends by
 * itself when QEMU closes its socket, and afterExit() ends any that is left (QEMU never connected).
 */

const CANDIDATES = ['/usr/libexec/virtiofsd', '/usr/lib/qemu/virtiofsd', '/usr/lib/virtiofsd'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface VirtiofsProbe {
  /** virtiofsd's path on the host, when found. */
  binary: string | null;
  /** Can Hangar run it there (found and root)? */
  usable: boolean;
  /** Why not, when not usable. */
  reason: string | null;
}

export async function probeVirtiofs(host: Host): Promise<VirtiofsProbe> {
  let binary = await host.which('virtiofsd').catch(() => null);
  for (const c of CANDIDATES) if (!binary && (await host.fs.stat(c).catch(() => null))?.isFile) binary = c;
  if (!binary) return { binary: null, usable: false, reason: 'virtiofsd is not installed on this host' };
  const uid = (await host.info()).uid;
  if (uid !== 0) return { binary, usable: false, reason: `${binary} needs root (it sandboxes itself in namespaces), and Hangar runs as uid ${uid} on this host` };
  return { binary, usable: true, reason: null };
}

/** Which transport a share uses when virtiofsd can (or cannot) run on the VM's host. */
export function shareTransport(share: SharedFolder, virtiofsUsable: boolean): '9p' | 'virtiofs' {
  return virtiofsUsable && !share.readOnly && share.transport !== '9p' ? 'virtiofs' : '9p';
}

/** Does this spec, on a host where virtiofsd can run, use virtiofs for any share? */
export const usesVirtiofs = (spec: VmSpec, virtiofsUsable: boolean): boolean => (spec.sharedFolders ?? []).some((s) => shareTransport(s, virtiofsUsable) === 'virtiofs');

/** The vhost-user socket of share number `i` (short: socket paths are limited to 108 bytes). */
export const virtiofsSocket = (paths: VmPaths, i: number): string => path.join(paths.runDir, `vfs${i}.sock`);
const logFile = (paths: VmPaths, i: number): string => path.join(paths.dir, `virtiofsd-${i}.log`);
/** The C virtiofsd keeps its pid in /run/virtiofsd/<socket path, "/" → ".">.pid (fv_socket_lock). */
const pidFile = (sock: string): string => `/run/virtiofsd/${sock.replace(/\//g, '.')}.pid`;

async function ourPid(host: Host, sock: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number.parseInt((await host.fs.readFile(pidFile(sock))).toString('utf8').trim(), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const argv = await host.processArgv(pid);
  return argv?.some((a) => a.includes('virtiofsd')) && argv.includes(`--socket-path=${sock}`) ? pid : null;
}

/** The pids of this VM's running virtiofsd processes (tests, snapshot and move refusals). */
export async function virtiofsdPids(host: Host, paths: VmPaths): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) {
    const pid = await ourPid(host, virtiofsSocket(paths, i));
    if (pid) out.push(pid);
  }
  return out;
}

async function stopOne(host: Host, sock: string): Promise<void> {
  const pid = await ourPid(host, sock);
  if (pid) {
    await host.kill(pid, 'SIGTERM').catch(() => undefined);
    for (let i = 0; i < 100 && (await ourPid(host, sock)); i++) await sleep(50);
    if (await ourPid(host, sock)) await host.kill(pid, 'SIGKILL').catch(() => undefined);
  }
  await host.fs.rm(sock).catch(() => undefined);
}

/** After QEMU ended (or failed to start): no virtiofsd of this VM left behind. */
export async function stopVirtiofsd(host: Host, paths: VmPaths): Promise<void> {
  for (let i = 0; i < 8; i++) await stopOne(host, virtiofsSocket(paths, i));
}

/** Before QEMU starts: one virtiofsd per virtiofs share, each listening on its socket. */
export async function startVirtiofsd(host: Host, probe: VirtiofsProbe, spec: VmSpec, paths: VmPaths): Promise<void> {
  if (!probe.usable || !probe.binary || !usesVirtiofs(spec, true)) return;
  await stopVirtiofsd(host, paths); // never a second daemon on the same socket
  await host.fs.mkdir(paths.runDir, 0o700);
  const shares = spec.sharedFolders ?? [];
  for (const [i, share] of shares.entries()) {
    if (shareTransport(share, true) !== 'virtiofs') continue;
    const sock = virtiofsSocket(paths, i);
    if (share.path.includes(',')) throw new HangarError('UNSUPPORTED', `virtiofsd cannot share a path with a comma (${share.path}): rename the folder, or share it over 9p.`, { field: 'path' });
    // cache=auto: FUSE's page cache, revalidated on open (the host may change files too)
    const argv = [`--socket-path=${sock}`, '-o', `source=${share.path}`, '-o', 'cache=auto'];
    await host.spawnDetached(probe.binary, argv, { logFile: logFile(paths, i), cwd: paths.dir });
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline && !((await host.fs.stat(sock)) && (await ourPid(host, sock)))) await sleep(25);
    if (!(await ourPid(host, sock))) {
      const log = (await host.fs.readTail(logFile(paths, i), 2048).catch(() => Buffer.alloc(0))).toString('utf8');
      await stopVirtiofsd(host, paths);
      throw new HangarError('QEMU_FAILED', `virtiofsd did not start for the share "${share.tag}": ${log.trim().split('\n').slice(-3).join(' ') || 'no message'}`);
    }
  }
}

/** The sentence for a refused RAM snapshot or live move while virtiofsd serves this VM, or null. */
export async function virtiofsBlockReason(host: Host, vm: VmInfo, paths: VmPaths, action: string): Promise<string | null> {
  if (vm.state !== 'running' && vm.state !== 'paused') return null;
  if (!(vm.spec.sharedFolders ?? []).length || !(await virtiofsdPids(host, paths)).length) return null;
  return `"${vm.name}" shares a folder over virtiofs (vhost-user-fs), which QEMU cannot save or migrate: ${action} is not possible while it runs. Stop the VM (a stopped VM's snapshots are disk-only), or share the folder over 9p instead.`;
}
