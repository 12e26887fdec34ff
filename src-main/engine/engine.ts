import * as path from 'node:path';
import { contract, isMethodName, type EventMap, type MethodName, type MethodResult } from '../api/contract';
import { HangarError } from '../api/errors';
import { VmLocks } from '../compute/vm-lock';
import { VmService } from '../compute/vm-service';
import { ChannelService } from '../consoles/channel-service';
import { ConsoleService } from '../consoles/console-service';
import { consoleHandlers } from '../consoles/handlers';
import { uniqueConflict } from '../db/constraint-errors';
import type { Db } from '../db/database';
import { openCheckedDatabase, type CheckedDatabase } from '../db/open-checked';
import { VmRepository } from '../db/repositories/vms';
import { LocalHost } from '../hosts/local-host';
import { hostHandlers } from '../hosts/handlers';
import { HostService } from '../hosts/host-service';
import { permissionsNotice, privateDatabaseFiles, secureHome } from '../hosts/home-permissions';
import { HostRegistry } from '../hosts/registry';
import type { SshHostOptions } from '../hosts/ssh-host';
import { imageHandlers } from '../images/handlers';
import { osHandlers } from '../os/handlers';
import { OsService } from '../os/os-service';
import { ImageRepository } from '../images/image-repo';
import { ImageService } from '../images/image-service';
import { networkHandlers } from '../network/handlers';
import { NetworkService } from '../network/network-service';
import { Autostart } from '../scheduler/autostart';
import { systemClock, type Clock } from '../scheduler/clock';
import { scheduleHandlers } from '../scheduler/handlers';
import { anotherEngineRunning } from '../scheduler/owner';
import { storageHandlers } from '../storage/handlers';
import { diskFactsHandlers } from '../disk-facts/handlers';
import { Storage } from '../storage/storage-service';
import { Scheduler } from '../scheduler/scheduler';
import { TaskManager } from '../tasks/task-manager';
import { MetricsService } from '../metrics/metrics-service';
import { metricsHandlers } from '../metrics/handlers';
import { BillingService } from '../metering/billing-service';
import { BillingStore } from '../metering/billing-store';
import { billingHandlers } from '../metering/handlers';
import { ApplianceService } from '../appliances/appliance-service';
import { applianceHandlers } from '../appliances/handlers';
import { BackupRepository } from '../backups/backup-repo';
import { BackupService } from '../backups/backup-service';
import { backupHandlers } from '../backups/handlers';
import { defaultHangarHome } from '../util/home';
import { GuestService } from '../guest/guest-service';
import { guestHandlers } from '../guest/handlers';
import { ShareService } from '../guest/shares';
import { noSpaceError } from '../util/no-space';
import { recoveryHandlers } from '../recovery/handlers';
import { finishRecovery } from '../recovery/engine-recovery';
import { CloudInitService } from '../cloudinit/cloudinit-service';
import { cloudInitHandlers } from '../cloudinit/handlers';
import { HostRepository } from '../hosts/host-repository';
import { EventBus } from './event-bus';
import { assertKnownHosts } from './host-ref-check';
import { coreHandlers, type CallContext, type Handlers } from './handlers';

export interface EngineOptions {
  /** Data folder; defaults to $HANGAR_HOME or ~/.local/share/hangar. */
  home?: string;
  /**
   * Long-lived engines (serve, desktop) re-attach to every running VM at start and follow
   * QMP events; short-lived CLI engines check state on demand and connect per operation.
   */
  watch?: boolean;
  /** The scheduler's and autostart's time (tests drive a ManualClock). */
  clock?: Clock;
  /** LAN hosts: keepalive and reconnect timing (tests shorten them). */
  ssh?: SshHostOptions;
}

/**
 * The composition root: database, hosts, domain services and the handler table that every
 * face (Electron IPC, WebSocket, CLI, local socket) calls through `call()`.
 */
export class Engine {
  readonly events = new EventBus();
  /** Notices from opening (e.g. a data folder made private): the CLI prints them, sessions replay them to UIs. */
  readonly startupNotices: Array<EventMap['notice']> = [];
  readonly home: string;
  readonly db: Db;
  readonly hosts = new HostRegistry();
  readonly tasks: TaskManager;
  readonly vms: VmService;
  readonly channels: ChannelService;
  readonly images: ImageService;
  readonly cloudInit: CloudInitService;
  readonly consoles: ConsoleService;
  readonly hostService: HostService;
  readonly networks: NetworkService;
  readonly scheduler: Scheduler;
  readonly autostart: Autostart;
  readonly metrics: MetricsService;
  readonly billing: BillingService;
  readonly storage: Storage;
  readonly os: OsService;
  readonly guest: GuestService;
  readonly shares: ShareService;
  readonly appliances: ApplianceService;
  readonly backups: BackupService;
  private readonly handlers: Handlers;
  private readonly opened: CheckedDatabase;
  private closed = false;

  private constructor(opts: EngineOptions) {
    this.home = opts.home ?? defaultHangarHome();
    // private from the start (0700), or tightened with a notice if an older version left it loose
    const perms = permissionsNotice(this.home, secureHome(this.home));
    if (perms) this.startupNotices.push({ level: 'warning', key: 'home-permissions', message: perms });
    // a damaged hangar.db is moved aside here; Engine.open rebuilds the inventory (recovery/)
    this.opened = openCheckedDatabase(path.join(this.home, 'hangar.db'), { integrity: opts.watch ?? false });
    this.db = this.opened.db;
    privateDatabaseFiles(path.join(this.home, 'hangar.db'));
    this.hosts.add(new LocalHost(this.home));
    this.tasks = new TaskManager(this.db, this.events);
    this.networks = new NetworkService(this.db, this.events, () => this.vms.list());
    this.vms = new VmService(new VmRepository(this.db), this.hosts, this.events, { watch: opts.watch ?? false, networks: this.networks, locks: new VmLocks(this.db) });
    this.scheduler = new Scheduler(this, opts.clock ?? systemClock);
    this.autostart = new Autostart(this, opts.clock ?? systemClock);
    this.channels = new ChannelService(this.vms, this.hosts, this.events);
    this.hostService = new HostService(this.db, this.hosts, this.events, this.tasks, {
      watch: opts.watch ?? false,
      ...(opts.ssh ? { ssh: opts.ssh } : {}),
      onOnline: () => this.vms.reconcileAll(),
    });
    this.hostService.loadAll();
    this.images = new ImageService(new ImageRepository(this.db), this.hosts, this.tasks, this.events);
    this.vms.imageDisk = (ref, hostId, vmId, dir, full, file) => this.images.diskForVm(ref, hostId, vmId, dir, full, file);
    this.os = new OsService(this.home);
    this.images.detectOs = (host, file) => this.os.detect(host, file);
    this.images.knownDiskImage = (fileName) => this.os.knownDiskImage(fileName);
    const hostRows = new HostRepository(this.db);
    this.cloudInit = new CloudInitService({ vms: this.vms, hosts: this.hosts, images: this.images, sshTarget: (id) => hostRows.find(id)?.target ?? null });
    this.channels.sshArgv = async (vm) => (await this.cloudInit.sshCommand(vm, undefined, [])).argv;
    this.consoles = new ConsoleService(this.vms, this.hosts);
    this.storage = new Storage(this.db, this.vms, this.hosts, this.tasks, this.events);
    this.metrics = new MetricsService(this.db, this.vms, this.hosts, this.events);
    this.guest = new GuestService(this.vms, this.hosts, (id) => this.os.find(id));
    this.shares = new ShareService(this.vms, this.hosts);
    // the guest agent: shutdown before ACPI, freeze/thaw around snapshots, clock after a RAM revert
    this.vms.agentShutdown = (vm) => this.guest.shutdown(vm);
    this.storage.snapshots.guestHooks = { freeze: (vm) => this.guest.freeze(vm), setClock: (vm) => this.guest.setClock(vm) };
    this.billing = new BillingService(new BillingStore(this.db), this.vms, this.hosts);
    this.appliances = new ApplianceService(this);
    this.backups = new BackupService(new BackupRepository(this.db), this);
    this.handlers = { ...coreHandlers(this), ...metricsHandlers(this), ...billingHandlers(this), ...consoleHandlers(this), ...imageHandlers(this), ...hostHandlers(this), ...networkHandlers(this), ...scheduleHandlers(this), ...storageHandlers(this), ...applianceHandlers(this), ...backupHandlers(this), ...osHandlers(this), ...guestHandlers(this), ...recoveryHandlers(this), ...diskFactsHandlers(this), ...cloudInitHandlers(this) } satisfies Handlers;
  }

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    const engine = new Engine(opts);
    await finishRecovery(engine, engine.opened);
    await engine.tasks.recoverInterrupted();
    if (opts.watch) await engine.vms.reconcileAll();
    if (opts.watch) {
      engine.metrics.start();
      // only long-lived engines run schedules and autostart VMs (never a CLI's in-process engine),
      // and only the one that owns this home (not a second `hangar serve` about to find the socket taken)
      if (!(await anotherEngineRunning(engine.home))) {
        engine.scheduler.start();
        void engine.autostart.runAtStartup();
        // a failure here (e.g. the data folder vanished) must not become an unhandled rejection, which ends Node
        void engine.images.resumeDownloads().catch(() => undefined);
      }
    }
    return engine;
  }

  /** Validate `input` against the contract and run the method. Throws HangarError. */
  async call<M extends MethodName>(method: M, input: unknown, ctx?: CallContext): Promise<MethodResult<M>>;
  async call(method: string, input: unknown, ctx?: CallContext): Promise<unknown>;
  async call(method: string, input: unknown, ctx: CallContext = { clientId: 'internal', origin: 'internal' }): Promise<unknown> {
    if (this.closed) throw new HangarError('INVALID_STATE', 'The engine is shutting down.');
    if (!isMethodName(method)) throw new HangarError('INVALID_INPUT', `Unknown method "${method}".`);
    const parsed = contract[method].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') ?? '';
      throw new HangarError('INVALID_INPUT', issue ? issue.message : 'Invalid input.', {
        field,
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    assertKnownHosts(parsed.data, this.hosts);
    const handler = this.handlers[method] as (input: unknown, ctx: CallContext) => Promise<unknown>;
    try {
      return await handler(parsed.data, ctx);
    } catch (e) {
      // safety nets: a name another process took at the same moment, or a full disk, is a sentence
      throw uniqueConflict(e, (parsed.data as { name?: unknown } | null)?.name) ?? noSpaceError(e, this.home) ?? e;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A transport's client went away. */
  clientGone(clientId: string): void {
    this.channels.closeClient(clientId);
    this.metrics.clientGone(clientId);
  }

  /** Detach and close. Guests keep running. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.stop();
    this.metrics.stop();
    this.autostart.cancel();
    this.images.shutdown();
    this.tasks.abortAll();
    this.channels.closeAll();
    this.vms.closeAll();
    await this.hosts.closeAll();
    this.db.close();
  }
}
