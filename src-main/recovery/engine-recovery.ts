import type { CheckedDatabase } from '../db/open-checked';
import type { Db } from '../db/database';
import type { EventBus } from '../engine/event-bus';
import type { HostRegistry } from '../hosts/registry';
import { QEMU_IMG, probeHost } from '../qemu/probe';
import { NoticeStore } from './notices';
import { rebuildInventory, reportText } from './rebuild';

/**
 * After the engine opened a fresh database in place of a damaged one: rebuild the inventory from
 * the files, keep a notice (banner, `hangar doctor`), say it on stderr (the CLI's user sees it at
 * once), then let other processes waiting on the recovery lock in.
 */
export async function finishRecovery(engine: { readonly db: Db; readonly hosts: Pick<HostRegistry, 'get'>; readonly events: Pick<EventBus, 'emit'> }, opened: CheckedDatabase): Promise<void> {
  const setAside = opened.setAside;
  if (!setAside) return;
  try {
    const host = engine.hosts.get('local');
    const caps = await probeHost(host).catch(() => null);
    const report = await rebuildInventory(engine.db, host, setAside, caps?.qemuImg?.binary ?? QEMU_IMG);
    const text = reportText(report);
    new NoticeStore(engine.db).add({ level: 'warning', code: 'database.recovered', message: text, details: { ...report } });
    engine.events.emit('notice', { level: 'warning', message: text, key: 'database.recovered' });
    process.stderr.write(text + '\n');
  } finally {
    opened.release();
  }
}
