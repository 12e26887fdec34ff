import { randomUUID } from 'node:crypto';
import type { ChannelOpened, ParsedInput } from '../api/contract';
import { HangarError } from '../api/errors';
import type { VmService } from '../compute/vm-service';
import { assertAction } from '../compute/state-machine';
import type { EventBus } from '../engine/event-bus';
import type { HostRegistry } from '../hosts/registry';
import { hostShellFactory, type SshArgvSource } from './host-shell';
import { SerialHub, type SerialViewer } from './serial-hub';

/** A byte stream owned by one client. */
export interface Channel {
  id: string;
  clientId: string;
  write(data: Buffer): void;
  resize?(cols: number, rows: number): void;
  close(): void;
}

/** Opens and routes channels: serial consoles now, host shells (node-pty) via `shellFactory`. */
export class ChannelService {
  private readonly channels = new Map<string, Channel>();
  private readonly hubs = new Map<string, SerialHub>();
  /** Set by the engine (cloudinit/): the ssh argv of a cloud VM, for `channel.open` with `sshVm`. */
  sshArgv: SshArgvSource | null = null;
  shellFactory: ((input: Extract<ParsedInput<'channel.open'>, { kind: 'shell' }>, channelId: string, clientId: string, emit: (data: Buffer) => void, closed: (reason: string) => void) => Promise<Channel>) | null = null;

  constructor(
    private readonly vms: VmService,
    private readonly hosts: HostRegistry,
    private readonly events: EventBus,
  ) {
    this.shellFactory = hostShellFactory(hosts, () => this.sshArgv);
  }

  async open(input: ParsedInput<'channel.open'>, clientId: string): Promise<ChannelOpened> {
    const channelId = randomUUID();
    const emit = (data: Buffer) => this.events.emit('channel.data', { channelId, data: data.toString('base64') }, clientId);
    const closed = (reason: string) => {
      if (this.channels.delete(channelId)) this.events.emit('channel.closed', { channelId, reason }, clientId);
    };
    if (input.kind === 'serial') {
      const vm = await this.vms.resolveFresh(input.vm);
      assertAction('console', vm.name, vm.state);
      const paths = await this.vms.paths(vm);
      const host = this.hosts.get(vm.hostId);
      let hub = this.hubs.get(vm.id);
      if (!hub) {
        hub = new SerialHub(host, paths.serialSocket, () => this.hubs.delete(vm.id));
        this.hubs.set(vm.id, hub);
      }
      const viewer: SerialViewer = { onData: emit, onClose: closed };
      try {
        await hub.add(viewer);
      } catch (e) {
        throw new HangarError('INVALID_STATE', `Cannot attach to the serial console of "${vm.name}": ${(e as Error).message}`);
      }
      const scrollback = input.scrollbackBytes > 0 ? await host.fs.readTail(paths.serialLog, input.scrollbackBytes) : Buffer.alloc(0);
      const theHub = hub;
      this.channels.set(channelId, { id: channelId, clientId, write: (d) => theHub.write(d), close: () => theHub.remove(viewer) });
      return { channelId, scrollback: scrollback.toString('base64') };
    }
    if (!this.shellFactory) throw new HangarError('UNSUPPORTED', 'Host shells are not available in this build.');
    const channel = await this.shellFactory(input, channelId, clientId, emit, closed);
    this.channels.set(channelId, channel);
    return { channelId, scrollback: '' };
  }

  private get(channelId: string, clientId: string): Channel {
    const ch = this.channels.get(channelId);
    if (!ch || ch.clientId !== clientId) throw new HangarError('NOT_FOUND', 'This console is closed (or belongs to another window). Open it again.');
    return ch;
  }

  write(channelId: string, data: Buffer, clientId: string): void {
    this.get(channelId, clientId).write(data);
  }

  resize(channelId: string, cols: number, rows: number, clientId: string): void {
    this.get(channelId, clientId).resize?.(cols, rows);
  }

  close(channelId: string, clientId: string): void {
    const ch = this.get(channelId, clientId);
    this.channels.delete(channelId);
    ch.close();
  }

  /** A client went away: close everything it had open. */
  closeClient(clientId: string): void {
    for (const ch of [...this.channels.values()]) {
      if (ch.clientId === clientId) {
        this.channels.delete(ch.id);
        ch.close();
      }
    }
  }

  closeAll(): void {
    for (const ch of [...this.channels.values()]) ch.close();
    this.channels.clear();
    for (const hub of this.hubs.values()) hub.close('Hangar is shutting down.');
    this.hubs.clear();
  }
}
