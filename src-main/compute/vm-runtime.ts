import type { VmInfo, VmState } from '../api/contract';
import type { Host } from '../hosts/host';
import type { VmPaths } from '../qemu/paths';
import type { QmpClient, QmpEvent } from '../qemu/qmp';
import { attachQmp, describeExit, isQemuAlive, readExitRecord, readPid, waitForExit } from '../qemu/supervisor';
import { say } from '../api/messages';

/**
 * The live side of one VM: its QMP connection, the events QEMU sends, and what to conclude
 * when QEMU goes away. VmService owns one per active VM.
 */
export interface RuntimeCallbacks {
  /** QEMU reported a state change (paused, resumed, guest shutdown requested). */
  onState(state: VmState, reason: string | null): void;
  /** QEMU is gone; `verdict` says whether it was a clean stop or a crash. */
  onExit(verdict: ExitVerdict): void;
}

export interface ExitVerdict {
  state: 'stopped' | 'crashed';
  reason: string;
  at: Date;
  lastSerialLines: string[];
}

export class VmRuntime {
  qmp: QmpClient | null = null;
  /** QEMU's SHUTDOWN reason when we saw it ("guest-shutdown", "host-signal", "host-qmp-quit", ...). */
  private shutdownReason: string | null = null;
  private exiting: Promise<void> | null = null;
  /** Set when Hangar asked the guest agent to shut down, so the verdict says so. */
  shutdownViaAgent = false;

  constructor(
    readonly vmId: string,
    readonly host: Host,
    readonly paths: VmPaths,
    public pid: number | null,
    private readonly callbacks: RuntimeCallbacks,
  ) {}

  /** Take over a QMP connection (from launch or attach) and follow its events. */
  adopt(qmp: QmpClient): void {
    this.qmp = qmp;
    qmp.on('event', (e) => this.onEvent(e));
    qmp.on('close', () => {
      if (this.qmp === qmp) this.qmp = null;
      void this.concludeExit();
    });
  }

  /** Connect to QMP if we are not connected (CLI engines connect per operation). */
  async ensureQmp(): Promise<QmpClient> {
    if (this.qmp && !this.qmp.isClosed) return this.qmp;
    const qmp = await attachQmp(this.host, this.paths);
    this.adopt(qmp);
    return qmp;
  }

  async queryStatus(): Promise<VmState> {
    const qmp = await this.ensureQmp();
    const status = await qmp.command<{ status: string; running: boolean }>('query-status');
    if (status.running) return 'running';
    if (status.status === 'shutdown') return 'stopping';
    if (status.status === 'prelaunch' || status.status === 'inmigrate') return 'starting';
    return 'paused';
  }

  private onEvent(e: QmpEvent): void {
    switch (e.event) {
      case 'STOP':
        this.callbacks.onState('paused', null);
        break;
      case 'RESUME':
        this.callbacks.onState('running', null);
        break;
      case 'SHUTDOWN': {
        const data = e.data as { guest?: boolean; reason?: string } | undefined;
        const guest = data?.guest === true;
        this.shutdownReason = data?.reason ?? (guest ? 'guest-shutdown' : null);
        this.callbacks.onState('stopping', guest ? 'The guest is shutting down.' : 'QEMU is shutting down.');
        break;
      }
      case 'POWERDOWN':
        this.callbacks.onState('stopping', say('vm.acpiRequested'));
        break;
    }
  }

  /** QEMU's connection dropped or its process vanished: find out how it ended, once. */
  concludeExit(): Promise<void> {
    if (!this.exiting) {
      this.exiting = (async () => {
        let record = null;
        try {
          record = await waitForExit(this.host, this.paths, this.pid, this.vmId, 30000);
        } catch {
          // still alive after 30 s without QMP: leave it alone, a later reconcile decides
          this.exiting = null;
          return;
        }
        let verdict;
        try {
          verdict = await judgeExit(this.host, this.paths, record, this.shutdownViaAgent ? 'guest-agent' : this.shutdownReason);
        } catch {
          // the host went away while we read why QEMU ended (a LAN host's link died): a later
          // reconcile judges it; nothing here may reject unseen (it would end a serve process)
          this.exiting = null;
          return;
        }
        this.callbacks.onExit(verdict);
      })();
    }
    return this.exiting;
  }

  close(): void {
    this.qmp?.removeAllListeners();
    this.qmp?.close();
    this.qmp = null;
  }
}

/** Decide stopped vs crashed from the keeper's record and the engine's recorded intent. */
export async function judgeExit(host: Host, paths: VmPaths, record: Awaited<ReturnType<typeof readExitRecord>>, shutdownReason: string | null = null): Promise<ExitVerdict> {
  const intent = (await host.fs.stat(paths.intentFile)) ? (await host.fs.readFile(paths.intentFile)).toString('utf8').trim() : null;
  const at = record?.at ?? new Date();
  if (intent === 'kill') return { state: 'stopped', reason: say('vm.forcedOff'), at, lastSerialLines: [] };
  if (record && record.status === 0) {
    // QEMU also exits 0 when told to quit by a signal on the host (SIGTERM/SIGINT): say so.
    const reason = shutdownReason === 'host-signal' ? say('vm.hostSignal') : shutdownReason === 'guest-agent' ? say('vm.guestPoweredOffAgent') : say('vm.guestPoweredOff');
    return { state: 'stopped', reason, at, lastSerialLines: [] };
  }
  const reason = record ? describeExit(record.status) : say('vm.endedUnrecorded');
  return { state: 'crashed', reason, at, lastSerialLines: await lastSerialLines(host, paths) };
}

export async function lastSerialLines(host: Host, paths: VmPaths, count = 20): Promise<string[]> {
  const tail = (await host.fs.readTail(paths.serialLog, 8192)).toString('utf8');
  return tail
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))
    .filter((l) => l.trim() !== '')
    .slice(-count);
}

/** What is true now for a VM the database believes active: alive (with pid) or how it ended. */
export async function observe(host: Host, paths: VmPaths, vm: VmInfo): Promise<{ alive: true; pid: number } | { alive: false; verdict: ExitVerdict }> {
  const pid = vm.pid ?? (await readPid(host, paths));
  if (await isQemuAlive(host, pid, vm.id)) return { alive: true, pid: pid! };
  // Gone: the keeper writes its record a moment after QEMU ends, so wait for it briefly.
  const record = await waitForExit(host, paths, pid, vm.id, 5000).catch(() => readExitRecord(host, paths));
  return { alive: false, verdict: await judgeExit(host, paths, record) };
}
