import type { GuestExecResult, GuestInfo, OsDetail, VmInfo } from '../api/contract';
import { HangarError } from '../api/errors';
import type { VmService } from '../compute/vm-service';
import type { HostRegistry } from '../hosts/registry';
import { agentInstallHint } from './install-hints';
import { QgaClient, QgaError } from './qga';

/**
 * The guest agent's side of Hangar: what the guest says about itself (addresses, hostname, OS),
 * shutdown, freeze/thaw around snapshots, clock, and guest-exec. One operation at a time per VM:
 * QEMU's chardev serves a single client, so a second connection would wait unseen and time out.
 */
interface AgentInterface {
  name: string;
  'hardware-address'?: string;
  'ip-addresses'?: Array<{ 'ip-address-type': 'ipv4' | 'ipv6'; 'ip-address': string; prefix: number }>;
}

interface ExecStatus {
  exited: boolean;
  exitcode?: number;
  signal?: number;
  'out-data'?: string;
  'err-data'?: string;
  'out-truncated'?: boolean;
  'err-truncated'?: boolean;
}

export class GuestService {
  private readonly cache = new Map<string, GuestInfo>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly vms: VmService,
    private readonly hosts: HostRegistry,
    /** osinfo-db's OS entries (os/os-service.ts), for the agent's install hint. */
    private readonly osLookup?: (id: string) => OsDetail | null,
  ) {}

  /** The last answer for this VM (never waits: for vm.list). */
  cached(vm: VmInfo): GuestInfo | undefined {
    const hit = this.cache.get(vm.id);
    if (!hit) return undefined;
    if (vm.state !== 'running' && vm.state !== 'paused') return { ...this.empty(vm, vm.spec.guestAgent === false ? 'disabled' : 'off'), checkedAt: hit.checkedAt };
    return hit;
  }

  /** Ask the agent now (or say why not). */
  async info(ref: string): Promise<GuestInfo> {
    const vm = await this.vms.resolveFresh(ref);
    if (vm.spec.guestAgent === false) return this.remember(vm, this.empty(vm, 'disabled'));
    if (vm.state !== 'running') return this.remember(vm, this.empty(vm, vm.state === 'paused' ? (this.cache.get(vm.id)?.agent ?? 'off') : 'off'));
    try {
      return await this.withAgent(vm, async (qga) => {
        const hostname = await qga.command<{ 'host-name': string }>('guest-get-host-name').then((r) => r['host-name'], () => null);
        const os = await qga.command<Record<string, string | undefined>>('guest-get-osinfo').then(
          (r) => ({ name: r['pretty-name'] ?? r.name ?? 'unknown', version: r.version ?? r['version-id'] ?? null, kernel: r['kernel-release'] ?? null, id: r.id ?? null }),
          () => null,
        );
        const raw = await qga.command<AgentInterface[]>('guest-network-get-interfaces').catch(() => [] as AgentInterface[]);
        const interfaces = raw.map((i) => ({
          name: i.name,
          mac: i['hardware-address'] ?? null,
          addresses: (i['ip-addresses'] ?? []).map((a) => ({ ip: a['ip-address'], prefix: a.prefix, family: a['ip-address-type'] })),
        }));
        return this.remember(vm, { agent: 'connected', hostname, os, interfaces, ips: usefulIps(interfaces), installHint: null, checkedAt: new Date().toISOString() });
      });
    } catch (e) {
      if (e instanceof QgaError) return this.remember(vm, this.empty(vm, 'not-responding'));
      throw e;
    }
  }

  /** Shut the guest down through its agent; false when no agent answers (the caller falls back to ACPI). */
  async shutdown(vm: VmInfo): Promise<boolean> {
    if (vm.spec.guestAgent === false || vm.state !== 'running') return false;
    try {
      await this.withAgent(vm, (qga) => qga.send('guest-shutdown', { mode: 'powerdown' }));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Freeze the guest's file systems for a snapshot; null when no agent answers. The caller MUST
   * call thaw() (in a finally): a frozen guest blocks every write until then. The agent also
   * thaws by itself if its channel closes, so the connection is held until thaw.
   */
  async freeze(vm: VmInfo): Promise<{ thaw(): Promise<boolean> } | null> {
    if (vm.spec.guestAgent === false) return null;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const ready = new Promise<QgaClient | null>((resolve) => {
      void this.withAgent(vm, async (qga) => {
        resolve(qga);
        await held;
      }).catch(() => resolve(null));
    });
    const qga = await ready;
    if (!qga) return null;
    try {
      await qga.command<number>('guest-fsfreeze-freeze', undefined, 60000);
    } catch {
      // some file systems may be frozen even when the call failed: thaw, and call it crash-consistent
      await qga.command('guest-fsfreeze-thaw', undefined, 30000).catch(() => undefined);
      release();
      return null;
    }
    return {
      thaw: async () => {
        try {
          await qga.command<number>('guest-fsfreeze-thaw', undefined, 60000);
          return true;
        } catch {
          return false;
        } finally {
          release();
        }
      },
    };
  }

  /** Set the guest's clock to the host's (after a resume or a RAM snapshot revert). */
  async setClock(vm: VmInfo): Promise<boolean> {
    if (vm.spec.guestAgent === false) return false;
    try {
      await this.withAgent(vm, (qga) => qga.command('guest-set-time', { time: Date.now() * 1_000_000 }, 10000));
      return true;
    } catch {
      return false;
    }
  }

  async setTime(ref: string): Promise<{ set: boolean }> {
    const vm = await this.vms.resolveFresh(ref);
    this.requireRunningAgent(vm);
    return { set: await this.setClock(vm) };
  }

  /** guest-exec: start the program, poll guest-exec-status until it exits. */
  async exec(ref: string, command: string[], input: string | undefined, timeoutSec: number): Promise<GuestExecResult> {
    const vm = await this.vms.resolveFresh(ref);
    this.requireRunningAgent(vm);
    try {
      return await this.withAgent(vm, async (qga) => {
        const [path, ...arg] = command;
        const started = await qga.command<{ pid: number }>('guest-exec', { path, arg, 'capture-output': true, ...(input !== undefined && { 'input-data': Buffer.from(input).toString('base64') }) });
        const deadline = Date.now() + timeoutSec * 1000;
        for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
          const s = await qga.command<ExecStatus>('guest-exec-status', { pid: started.pid });
          if (s.exited) {
            return {
              exitCode: s.exitcode ?? null,
              signal: s.signal ?? null,
              stdout: Buffer.from(s['out-data'] ?? '', 'base64').toString('utf8'),
              stderr: Buffer.from(s['err-data'] ?? '', 'base64').toString('utf8'),
              truncated: !!(s['out-truncated'] || s['err-truncated']),
            };
          }
          if (Date.now() > deadline) throw new HangarError('TIMEOUT', `"${command.join(' ')}" was still running in "${vm.name}" after ${timeoutSec} s (it keeps running in the guest).`);
          await new Promise((r) => setTimeout(r, delay));
        }
      });
    } catch (e) {
      if (e instanceof QgaError) throw new HangarError(e.kind === 'agent' ? 'QEMU_FAILED' : 'MISSING_DEPENDENCY', `${e.message}${e.kind === 'agent' ? '' : ` ${agentInstallHint(vm.spec.os, this.osLookup)}`}`);
      throw e;
    }
  }

  private requireRunningAgent(vm: VmInfo): void {
    if (vm.spec.guestAgent === false) throw new HangarError('UNSUPPORTED', `"${vm.name}" has no guest agent channel: turn "Guest agent" on in its settings (VM stopped), then start it.`);
    if (vm.state !== 'running') throw new HangarError('INVALID_STATE', `"${vm.name}" is ${vm.state}: the guest agent answers only while it runs.`);
  }

  /** Connect, run, close; one at a time per VM. */
  private withAgent<T>(vm: VmInfo, fn: (qga: QgaClient) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const host = this.hosts.get(vm.hostId);
      const qga = await QgaClient.connect(host, (await this.vms.paths(vm)).qgaSocket);
      try {
        return await fn(qga);
      } finally {
        qga.close();
      }
    };
    const prev = this.locks.get(vm.id) ?? Promise.resolve();
    const next = prev.then(run, run);
    const tail = next.catch(() => undefined);
    this.locks.set(vm.id, tail);
    void tail.then(() => {
      if (this.locks.get(vm.id) === tail) this.locks.delete(vm.id);
    });
    return next;
  }

  private empty(vm: VmInfo, agent: GuestInfo['agent']): GuestInfo {
    return { agent, hostname: null, os: null, interfaces: [], ips: [], installHint: agent === 'not-responding' ? agentInstallHint(vm.spec.os, this.osLookup) : null, checkedAt: new Date().toISOString() };
  }

  private remember(vm: VmInfo, info: GuestInfo): GuestInfo {
    this.cache.set(vm.id, info);
    return info;
  }
}

/** Addresses worth showing: no loopback, no IPv6 link-local; IPv4 first. */
export function usefulIps(interfaces: GuestInfo['interfaces']): string[] {
  const all = interfaces.filter((i) => i.name !== 'lo').flatMap((i) => i.addresses);
  const keep = all.filter((a) => !a.ip.startsWith('127.') && a.ip !== '::1' && !/^fe80:/i.test(a.ip));
  return [...keep.filter((a) => a.family === 'ipv4'), ...keep.filter((a) => a.family === 'ipv6')].map((a) => a.ip);
}
