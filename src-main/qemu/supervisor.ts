import type { Host } from '../hosts/host';
import { QmpClient } from './qmp';
import type { VmPaths } from './paths';
import { say } from '../api/messages';
import { HangarError } from '../api/errors';

/**
 * Starting QEMU so that it outlives Hangar, and finding it again.
 *
 * QEMU runs under a tiny POSIX sh "keeper" in its own session. The keeper's only job is to
 * record how QEMU ended (exit status and time) in `exit-status`, so an engine that was not
 * running at that moment can still tell a guest power-off (status 0) from a crash or a kill
 * (status >= 128 = signal). The script text is a constant; every value reaches it as a
 * positional argument, so no user text is ever parsed by a shell.
 */
export const KEEPER_SCRIPT = [
  // QEMU's own files (serial log, QMP/serial/VNC sockets) private to the user, whatever our umask
  'umask 077',
  'exit_file=$1; shift',
  '"$@"',
  'status=$?',
  'printf "%s %s\\n" "$status" "$(date +%s)" > "$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"',
].join('\n');

export interface ExitRecord {
  status: number;
  at: Date;
}

export interface LaunchResult {
  qmp: QmpClient;
  pid: number;
}

export class QemuStartError extends Error {
  constructor(
    message: string,
    public readonly qemuLog: string,
  ) {
    super(message);
    this.name = 'QemuStartError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Launch QEMU detached and return once QMP answers. */
export async function launchQemu(host: Host, qemuBinary: string, argv: string[], paths: VmPaths, timeoutMs = 30000, opts: { incoming?: boolean } = {}): Promise<LaunchResult> {
  await host.fs.mkdir(paths.dir);
  await host.fs.mkdir(paths.runDir, 0o700);
  for (const f of [paths.exitFile, paths.intentFile, paths.pidFile, paths.qmpSocket, paths.serialSocket, paths.vncSocket]) await host.fs.rm(f);
  const logStart = (await host.fs.stat(paths.qemuLog))?.size ?? 0;
  if (!opts.incoming) await markSerialLog(host, paths); // an incoming migration is no new boot (consoles/serial-carry.ts)

  await host.spawnDetached('/bin/sh', ['-c', KEEPER_SCRIPT, 'hangar-keeper', paths.exitFile, qemuBinary, ...argv], { logFile: paths.qemuLog, cwd: paths.dir });

  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (Date.now() < deadline) {
    const exit = await readExitRecord(host, paths);
    if (exit) throw new QemuStartError(await startFailureMessage(host, paths, logStart, exit), await qemuLogSince(host, paths, logStart));
    try {
      const stream = await host.connectUnix(paths.qmpSocket, 2000);
      const qmp = await QmpClient.connect(stream, 10000);
      const pid = await readPid(host, paths);
      if (pid === null) {
        qmp.close();
        throw new QemuStartError('QEMU started but wrote no pid file.', await qemuLogSince(host, paths, logStart));
      }
      return { qmp, pid };
    } catch (e) {
      if (e instanceof QemuStartError) throw e;
      // not listening yet
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
  throw new QemuStartError(`QEMU did not open its control socket within ${Math.round(timeoutMs / 1000)} s.`, await qemuLogSince(host, paths, logStart));
}

/** Scrollback kept across boots, at most this much (trimmed while QEMU is not running). */
export const SERIAL_LOG_KEEP = 1024 * 1024;
export const BOOT_MARKER_PREFIX = '--- Hangar: VM started ';

/** Trim the serial log and mark the start of a new boot, so viewers (and tests) can tell boots apart. */
async function markSerialLog(host: Host, paths: VmPaths): Promise<void> {
  const previous = await host.fs.readTail(paths.serialLog, SERIAL_LOG_KEEP);
  const lead = previous.length > 0 && !previous.subarray(-1).equals(Buffer.from('\n')) ? '\r\n' : '';
  const marker = `${lead}${BOOT_MARKER_PREFIX}${new Date().toISOString()} ---\r\n`;
  await host.fs.writeFileAtomic(paths.serialLog, Buffer.concat([previous, Buffer.from(marker)]), 0o600);
}

async function qemuLogSince(host: Host, paths: VmPaths, start: number): Promise<string> {
  const st = await host.fs.stat(paths.qemuLog);
  if (!st) return '';
  const tail = await host.fs.readTail(paths.qemuLog, Math.min(64 * 1024, st.size - start));
  return tail.toString('utf8');
}

async function startFailureMessage(host: Host, paths: VmPaths, logStart: number, exit: ExitRecord): Promise<string> {
  const log = await qemuLogSince(host, paths, logStart);
  // QEMU's own error line is the most useful thing to show: "qemu-system-x86_64: -drive ...: Could not open ..."
  const lines = log
    .split('\n')
    .map((l) => l.replace(/^\S+T\S+ /, '').trim()) // drop "-msg timestamp=on" prefixes
    .filter(Boolean);
  const errorLine = lines.reverse().find((l) => /qemu-system|error|could not|failed/i.test(l)) ?? lines[0];
  const detail = errorLine ? errorLine.replace(/^qemu-system-\w+: /, '') : `exit status ${exit.status}`;
  return `QEMU could not start the VM: ${detail}`;
}

export async function readPid(host: Host, paths: VmPaths): Promise<number | null> {
  try {
    const text = (await host.fs.readFile(paths.pidFile)).toString('utf8').trim();
    const pid = Number.parseInt(text, 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export async function readExitRecord(host: Host, paths: VmPaths): Promise<ExitRecord | null> {
  try {
    const [status, at] = (await host.fs.readFile(paths.exitFile)).toString('utf8').trim().split(/\s+/);
    const s = Number.parseInt(status ?? '', 10);
    const t = Number.parseInt(at ?? '', 10);
    if (!Number.isInteger(s)) return null;
    return { status: s, at: Number.isInteger(t) ? new Date(t * 1000) : new Date() };
  } catch {
    return null;
  }
}

/** Is the QEMU of this VM (and not some other process that reused the pid) alive? */
export async function isQemuAlive(host: Host, pid: number | null, vmId: string): Promise<boolean> {
  if (!pid) return false;
  const argv = await host.processArgv(pid);
  if (!argv) return false;
  const i = argv.indexOf('-uuid');
  return i >= 0 && argv[i + 1] === vmId;
}

/** Connect to a running QEMU's QMP socket. */
export async function attachQmp(host: Host, paths: VmPaths): Promise<QmpClient> {
  const stream = await host.connectUnix(paths.qmpSocket, 3000);
  return QmpClient.connect(stream, 5000);
}

/** `waitForExit` ran out of time with QEMU still alive (any other failure is thrown as it is). */
export class ExitWaitTimeout extends Error {
  constructor() {
    super('timeout');
    this.name = 'ExitWaitTimeout';
  }
}

/** Wait until the process is gone and the keeper has written the exit record. */
export async function waitForExit(host: Host, paths: VmPaths, pid: number | null, vmId: string, timeoutMs: number): Promise<ExitRecord | null> {
  const deadline = Date.now() + timeoutMs;
  let unreachable: unknown = null;
  while (Date.now() < deadline) {
    let alive: boolean;
    try {
      alive = await isQemuAlive(host, pid, vmId);
      unreachable = null;
    } catch (e) {
      // a LAN host's link may drop for a moment (the host reconnects by itself): keep waiting,
      // and say so at the deadline rather than "still running"
      if (!(e instanceof HangarError && e.code === 'HOST_UNREACHABLE')) throw e;
      unreachable = e;
      await sleep(250);
      continue;
    }
    if (!alive) {
      // The keeper writes the record right after QEMU ends; give it a moment (more on a busy host).
      for (let i = 0; i < 200; i++) {
        const rec = await readExitRecord(host, paths);
        if (rec) return rec;
        await sleep(25);
      }
      return null;
    }
    await sleep(50);
  }
  throw unreachable ?? new ExitWaitTimeout();
}

/** Words for how QEMU ended. */
export function describeExit(status: number): string {
  if (status === 0) return say('vm.guestPoweredOff');
  if (status > 128) {
    const signals: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };
    const sig = status - 128;
    return say('vm.killedBySignal', { signal: signals[sig] ?? sig });
  }
  return say('vm.exitStatus', { status });
}
