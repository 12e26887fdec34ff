import type { MethodName, MethodResult, ParsedInput } from '../api/contract';
import { probeHost } from '../qemu/probe';
import type { Engine } from './engine';

/** Who is calling: the transport's client id (channels and private events are per client). */
export interface CallContext {
  clientId: string;
  origin: 'ipc' | 'ws' | 'cli' | 'socket' | 'internal';
}

export type Handler<M extends MethodName> = (input: ParsedInput<M>, ctx: CallContext) => Promise<MethodResult<M>>;
export type Handlers = { [M in MethodName]: Handler<M> };

/** The core domains' handlers. Later domains add theirs in their own folder and spread them in engine.ts. */
export function coreHandlers(e: Engine) {
  return {
    'host.capabilities': async (i) => probeHost(e.hosts.get(i.hostId), i.refresh),
    'vm.list': async () => {
      // Short-lived (CLI) engines check pids now; long-lived ones are kept current by QMP events.
      if (!e.vms.watching) await e.vms.reconcileAll();
      return e.vms.list().map((vm) => {
        const guest = e.guest.cached(vm);
        return guest ? { ...vm, guest } : vm;
      });
    },
    'vm.get': async (i) => {
      const vm = await e.vms.resolveFresh(i.vm);
      return { ...vm, guest: await e.guest.info(vm.id) };
    },
    'vm.create': async (i) => e.vms.create(i),
    'vm.update': async (i) => e.vms.update(i),
    'vm.delete': async (i) => e.vms.delete(i.vm, i.deleteDisks),
    'vm.start': async (i) => e.vms.start(i.vm),
    'vm.stop': async (i) => e.vms.stop(i.vm, i.timeoutSec, i.wait),
    'vm.kill': async (i) => e.vms.kill(i.vm),
    'vm.pause': async (i) => e.vms.pause(i.vm),
    'vm.resume': async (i) => {
      const vm = await e.vms.resume(i.vm);
      // the guest's clock stood still while paused: set it through the agent, in the background
      void e.guest.setClock(vm);
      return vm;
    },
    'vm.reset': async (i) => e.vms.reset(i.vm),
    'vm.serialTail': async (i) => e.vms.serialTail(i.vm, i.maxBytes),
    'task.list': async () => e.tasks.list(),
    'task.cancel': async (i) => e.tasks.cancel(i.id),
    'task.clearFinished': async () => ({ removed: e.tasks.clearFinished() }),
    'channel.open': async (i, ctx) => e.channels.open(i, ctx.clientId),
    'channel.write': async (i, ctx) => {
      e.channels.write(i.channelId, Buffer.from(i.data, 'base64'), ctx.clientId);
      return null;
    },
    'channel.resize': async (i, ctx) => {
      e.channels.resize(i.channelId, i.cols, i.rows, ctx.clientId);
      return null;
    },
    'channel.close': async (i, ctx) => {
      e.channels.close(i.channelId, ctx.clientId);
      return null;
    },
  } satisfies Partial<Handlers>;
}
