import * as path from 'node:path';
import { contract, isMethodName, type MethodName, type MethodResult } from '../api/contract';
import { HangarError } from '../api/errors';
import { VmService } from '../compute/vm-service';
import { ChannelService } from '../consoles/channel-service';
import { ConsoleService } from '../consoles/console-service';
import { consoleHandlers } from '../consoles/handlers';
import { openDatabase, type Db } from '../db/database';
import { VmRepository } from '../db/repositories/vms';
import { LocalHost } from '../hosts/local-host';
import { HostRegistry } from '../hosts/registry';
import { TaskManager } from '../tasks/task-manager';
import { defaultHangarHome } from '../util/home';
import { EventBus } from './event-bus';
import { coreHandlers, type CallContext, type Handlers } from './handlers';

export interface EngineOptions {
  /** Data folder; defaults to $HANGAR_HOME or ~/.local/share/hangar. */
  home?: string;
  /**
   * Long-lived engines (serve, desktop) re-attach to every running VM at start and follow
   * QMP events; short-lived CLI engines check state on demand and connect per operation.
   */
  watch?: boolean;
}

/**
 * The composition root: database, hosts, domain services and the handler table that every
 * face (Electron IPC, WebSocket, CLI, local socket) calls through `call()`.
 */
export class Engine {
  readonly events = new EventBus();
  readonly home: string;
  readonly db: Db;
  readonly hosts = new HostRegistry();
  readonly tasks: TaskManager;
  readonly vms: VmService;
  readonly channels: ChannelService;
  readonly consoles: ConsoleService;
  private readonly handlers: Handlers;
  private closed = false;

  private constructor(opts: EngineOptions) {
    this.home = opts.home ?? defaultHangarHome();
    this.db = openDatabase(path.join(this.home, 'hangar.db'));
    this.hosts.add(new LocalHost(this.home));
    this.tasks = new TaskManager(this.db, this.events);
    this.vms = new VmService(new VmRepository(this.db), this.hosts, this.events, { watch: opts.watch ?? false });
    this.channels = new ChannelService(this.vms, this.hosts, this.events);
    this.consoles = new ConsoleService(this.vms, this.hosts);
    this.handlers = { ...coreHandlers(this), ...consoleHandlers(this) } satisfies Handlers;
  }

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    const engine = new Engine(opts);
    await engine.tasks.recoverInterrupted();
    if (opts.watch) await engine.vms.reconcileAll();
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
    const handler = this.handlers[method] as (input: unknown, ctx: CallContext) => Promise<unknown>;
    return handler(parsed.data, ctx);
  }

  /** A transport's client went away. */
  clientGone(clientId: string): void {
    this.channels.closeClient(clientId);
  }

  /** Detach and close. Guests keep running. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tasks.abortAll();
    this.channels.closeAll();
    this.vms.closeAll();
    await this.hosts.closeAll();
    this.db.close();
  }
}
