import { Engine } from '../../src-main/engine/engine';
import type { Clock } from '../../src-main/scheduler/clock';
import { FakeHost } from './fake-host';
import { withQemuTools } from './fake-tools';

/**
 * The real composition root (Engine: every service, the contract, the handler table) on a temp
 * home whose "local" host is a FakeHost: for tests of what goes through `engine.call`
 * (schedule actions, autostart) without QEMU.
 */
export async function engineOnFakeHost(opts: { clock?: Clock; host?: FakeHost } = {}): Promise<{ engine: Engine; host: FakeHost; close(): Promise<void> }> {
  const host = opts.host ?? withQemuTools(new FakeHost());
  const engine = await Engine.open({ home: host.home, ...(opts.clock ? { clock: opts.clock } : {}) });
  engine.hosts.add(host); // replaces the LocalHost: every service reaches hosts through this registry
  return {
    engine,
    host,
    async close() {
      await engine.close();
      host.cleanup();
    },
  };
}
