import { VmLocks } from '../compute/vm-lock';
import { randomUUID } from 'node:crypto';
import type { HostAddResult, HostCapabilities, HostSummary, ParsedInput, TaskInfo } from '../api/contract';
import { HangarError, notFound } from '../api/errors';
import type { Db } from '../db/database';
import { nowIso } from '../db/repositories/vms';
import type { EventBus } from '../engine/event-bus';
import { runtimeRoot, vmPaths } from '../qemu/paths';
import { forgetProbe, probeHost } from '../qemu/probe';
import { VmRepository } from '../db/repositories/vms';
import type { TaskManager } from '../tasks/task-manager';
import { restoreAside } from './leftover';
import { moveVm } from './vm-move';
import { copyBetweenHosts, partPath } from './copy-file';
import { HostRepository, type HostRecord } from './host-repository';
import type { HostRegistry } from './registry';
import { fetchHostKey } from './ssh-connect';
import { SshHost, type SshHostOptions, type SshTarget } from './ssh-host';

export interface HostServiceOptions {
  /** Long-lived engines connect to every host at start and reconnect after drops. */
  watch: boolean;
  ssh?: SshHostOptions;
  /** Called when a host comes (back) online: re-attach to its VMs. */
  onOnline(hostId: string): Promise<void>;
}

/** A string whose round trip through the remote shell proves our quoting is understood there. */
const SHELL_PROBE = `it's "$HOME" \`id\` $(id) \\ ; | & * ~ 中文`;

/**
 * LAN hosts: adding (with host-key confirmation and pinning), connecting, probing, removing,
 * and copying files between hosts. Loads the SSH hosts from the database into the registry.
 */
export class HostService {
  private readonly repo: HostRepository;
  private readonly vmRepo: VmRepository;

  constructor(
    private readonly db: Db,
    private readonly registry: HostRegistry,
    private readonly events: EventBus,
    private readonly tasks: TaskManager,
    private readonly options: HostServiceOptions,
  ) {
    this.repo = new HostRepository(db);
    this.vmRepo = new VmRepository(db);
    tasks.onInterrupted('host.copyFile', async (task) => {
      const meta = task.result as { toHostId?: string; toPath?: string } | null;
      if (meta?.toHostId && meta.toPath) await this.registry.get(meta.toHostId).fs.rm(partPath(meta.toPath));
    });
    tasks.onInterrupted('host.moveVm', async (task) => {
      // a move that did not reach its switch leaves a target folder the database does not point to
      const meta = task.result as { vmId?: string; toHostId?: string; targetDir?: string } | null;
      if (!meta?.vmId || !meta.toHostId || !meta.targetDir) return;
      if (this.vmRepo.get(meta.vmId)?.dir !== meta.targetDir) {
        await this.registry.get(meta.toHostId).fs.rm(meta.targetDir, { recursive: true });
        await restoreAside(this.registry.get(meta.toHostId), meta.targetDir); // the VM's kept copy there, set aside by the move
      }
    });
  }

  /** Register every SSH host of the database (connecting now when long-lived, else on first use). */
  loadAll(): void {
    for (const rec of this.repo.list()) {
      if (rec.kind !== 'ssh' || !rec.target || !rec.fingerprint) continue;
      const host = this.register(rec.id, rec.target, rec.fingerprint);
      if (this.options.watch) host.connect().catch(() => undefined); // offline is a state, not an error
    }
  }

  private register(id: string, target: SshTarget, fingerprint: string): SshHost {
    const host = new SshHost(id, target, fingerprint, this.options.ssh ?? {});
    let wasOnline = false;
    host.on('state', (state: HostSummary['state'], reason: string | null) => {
      this.events.emit('host.state', { id, state, reason, at: nowIso() });
      if (state === 'online') {
        // back after a drop (or first contact of a long-lived engine): re-attach to its running guests
        if (wasOnline || this.options.watch) void this.options.onOnline(id).catch(() => undefined);
        wasOnline = true;
      }
    });
    this.registry.add(host);
    return host;
  }

  list(): HostSummary[] {
    return this.repo.list().map((r) => this.summary(r));
  }

  /**
   * The list with real states. A long-lived engine keeps them current; a short-lived (CLI) engine
   * connects lazily, so it tries every host it has not tried yet (in parallel, bounded by the
   * connect timeout) rather than calling them all "offline".
   */
  async listFresh(): Promise<HostSummary[]> {
    if (!this.options.watch) {
      const untried = this.registry.all().filter((h): h is SshHost => h instanceof SshHost && h.state === 'offline' && !h.attempted);
      await Promise.all(untried.map((h) => h.connect().catch(() => undefined)));
    }
    return this.list();
  }

  private summary(r: HostRecord): HostSummary {
    let state: HostSummary['state'] = 'online';
    let stateReason: string | null = null;
    let needsPassphrase = false;
    if (r.kind === 'ssh') {
      const h = this.registry.all().find((x) => x.id === r.id);
      state = h instanceof SshHost ? h.state : 'offline';
      stateReason = h instanceof SshHost ? h.stateReason : 'Not loaded.';
      needsPassphrase = h instanceof SshHost && h.needsPassphrase;
    }
    return {
      id: r.id,
      name: r.name,
      kind: r.kind,
      state,
      stateReason,
      address: r.target?.address ?? null,
      port: r.target?.port ?? null,
      user: r.target?.user ?? null,
      keyPath: r.target?.keyPath ?? null,
      fingerprint: r.fingerprint,
      needsPassphrase,
      vmCount: this.repo.vmCount(r.id),
      createdAt: r.createdAt,
    };
  }

  private resolve(ref: string): HostRecord {
    const r = this.repo.find(ref);
    if (!r) throw new HangarError('NOT_FOUND', `No host named or with id "${ref}". See the Hosts page or "hangar host list".`);
    return r;
  }

  private ssh(rec: HostRecord): SshHost {
    const h = this.registry.get(rec.id);
    if (!(h instanceof SshHost)) throw new HangarError('INVALID_INPUT', `"${rec.name}" is this computer, not a LAN host.`, { field: 'host' });
    return h;
  }

  async add(input: ParsedInput<'host.add'>): Promise<HostAddResult> {
    if (this.repo.nameTaken(input.name)) throw new HangarError('CONFLICT', `A host named "${input.name}" already exists. Choose another name.`, { field: 'name' });
    const dup = this.repo.list().find((r) => r.target && r.target.address === input.address && r.target.port === input.port && r.target.user === input.user && r.target.keyPath === (input.keyPath ?? null));
    if (dup) throw new HangarError('CONFLICT', `${input.user}@${input.address}:${input.port} with this key is already added as "${dup.name}".`, { field: 'address' });
    const target: SshTarget = { name: input.name, address: input.address, port: input.port, user: input.user, keyPath: input.keyPath ?? null, remoteHome: input.remoteHome ?? null };

    const key = await fetchHostKey(target);
    if (!input.acceptFingerprint) {
      return {
        needsConfirmation: true,
        fingerprint: key.fingerprint,
        keyType: key.keyType,
        message: `The authenticity of ${input.address} can't be established. Its ${key.keyType} key fingerprint is ${key.fingerprint}. Check it on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and accept it to continue.`,
      };
    }
    if (key.fingerprint !== input.acceptFingerprint) {
      throw new HangarError(
        'UNAUTHORIZED',
        `The host key of ${input.address} is ${key.fingerprint}, not the ${input.acceptFingerprint} you accepted: it changed in between (possible man-in-the-middle). Nothing was added; check the host and try again.`,
        { field: 'acceptFingerprint' },
      );
    }

    const id = randomUUID();
    const host = new SshHost(id, target, key.fingerprint, this.options.ssh ?? {});
    host.setPassphrase(input.passphrase);
    try {
      await host.connect();
      await checkRemoteShell(host);
      const caps = await probeHost(host, true);
      await host.close();
      const rec = this.repo.insertSsh(id, target, key.fingerprint, key.keyType);
      const registered = this.register(id, target, key.fingerprint);
      registered.setPassphrase(input.passphrase);
      await registered.connect().catch(() => undefined);
      this.events.emit('host.changed', { id });
      return { needsConfirmation: false, host: this.summary(rec), capabilities: caps };
    } catch (e) {
      await host.close();
      forgetProbe(id);
      throw e;
    }
  }

  /** Connect now (the "Test connection" button, or after entering a passphrase). */
  async connect(ref: string, passphrase?: string): Promise<HostSummary> {
    const rec = this.resolve(ref);
    if (rec.kind === 'local') return this.summary(rec);
    const host = this.ssh(rec);
    if (passphrase !== undefined) host.setPassphrase(passphrase);
    await host.connect();
    await host.exec('true', []).then((r) => {
      if (r.code !== 0) throw new HangarError('HOST_UNREACHABLE', `${rec.name} accepted the login but could not run a command: ${r.stderr.trim()}`);
    });
    return this.summary(rec);
  }

  async probe(ref: string): Promise<HostCapabilities> {
    const rec = this.resolve(ref);
    return probeHost(this.registry.get(rec.id), true);
  }

  async remove(ref: string): Promise<{ removed: string }> {
    const rec = this.resolve(ref);
    if (rec.kind === 'local') throw new HangarError('INVALID_INPUT', 'This computer cannot be removed.', { field: 'host' });
    const n = this.repo.vmCount(rec.id);
    if (n > 0) throw new HangarError('CONFLICT', `${rec.name} still has ${n} VM${n === 1 ? '' : 's'} in Hangar: move or delete ${n === 1 ? 'it' : 'them'} first.`, { field: 'host' });
    const host = this.registry.remove(rec.id);
    await host?.close();
    forgetProbe(rec.id);
    this.repo.delete(rec.id);
    this.events.emit('host.changed', { id: rec.id, deleted: true });
    return { removed: rec.id };
  }

  copyFile(input: ParsedInput<'host.copyFile'>): { task: TaskInfo; done: Promise<TaskInfo> } {
    const from = this.registry.get(input.from.hostId);
    const to = this.registry.get(input.to.hostId);
    const names = (id: string) => this.repo.find(id)?.name ?? id;
    return this.tasks.start(
      'host.copyFile',
      `Copy ${input.from.path.split('/').pop()} to ${names(input.to.hostId)}`,
      (ctx) => copyBetweenHosts({ host: from, path: input.from.path }, { host: to, path: input.to.path }, ctx, input.overwrite),
      { meta: { toHostId: input.to.hostId, toPath: input.to.path } },
    );
  }

  async moveVm(input: ParsedInput<'host.moveVm'>): Promise<{ task: TaskInfo; done: Promise<TaskInfo> }> {
    const vm = this.vmRepo.find(input.vm);
    if (!vm) throw notFound('VM', input.vm);
    const from = this.registry.get(vm.hostId);
    const to = this.registry.get(input.toHostId);
    const toHome = await to.hangarHome();
    const targetDir = vmPaths(toHome, runtimeRoot(toHome, (await to.info()).uid), vm.id).dir;
    const names = (id: string) => this.repo.find(id)?.name ?? id;
    // the VM's lock (compute/vm-lock.ts) for the whole move: no start from any process meanwhile
    const release = new VmLocks(this.db).acquire(vm, 'move');
    try {
      return this.tasks.start(
        'host.moveVm',
        `Move ${vm.name} to ${names(input.toHostId)}`,
        async (ctx) => {
          try {
            const result = await moveVm(vm, from, to, input.deleteSource, ctx, { db: this.db, current: () => this.vmRepo.get(vm.id) ?? vm, hostName: names });
            this.events.emit('vm.changed', { id: vm.id });
            return result;
          } finally {
            release();
          }
        },
        { meta: { vmId: vm.id, toHostId: input.toHostId, targetDir } },
      );
    } catch (e) {
      release();
      throw e;
    }
  }
}

/** Refuse login shells that would not split our quoted argv back (csh, fish): better now than a wrong command later. */
async function checkRemoteShell(host: SshHost): Promise<void> {
  const r = await host.exec('printf', ['%s', SHELL_PROBE], { timeoutMs: 15000 });
  if (r.code !== 0 || r.stdout !== SHELL_PROBE)
    throw new HangarError('UNSUPPORTED', `The login shell of ${host.target.user} on ${host.target.name} does not understand POSIX quoting (Hangar needs sh, bash, dash, zsh or ksh as the login shell).`);
}
