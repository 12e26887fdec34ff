import type { Db } from '../db/database';

/** Autostart order and delay per VM (table vm_autostart): the SQL of scheduler/autostart.ts, here. */
export interface AutostartRow {
  order: number;
  delaySec: number;
}

export class AutostartRepository {
  constructor(private readonly db: Db) {}

  all(): Map<string, AutostartRow> {
    const rows = this.db.prepare('SELECT vm_id, sort_order, delay_sec FROM vm_autostart').all() as Array<{ vm_id: string; sort_order: number; delay_sec: number }>;
    return new Map(rows.map((r) => [r.vm_id, { order: r.sort_order, delaySec: r.delay_sec }]));
  }

  get(vmId: string): AutostartRow | null {
    const r = this.db.prepare('SELECT sort_order, delay_sec FROM vm_autostart WHERE vm_id = ?').get(vmId) as { sort_order: number; delay_sec: number } | undefined;
    return r ? { order: r.sort_order, delaySec: r.delay_sec } : null;
  }

  set(vmId: string, order: number, delaySec: number): void {
    this.db
      .prepare('INSERT INTO vm_autostart (vm_id, sort_order, delay_sec) VALUES (?, ?, ?) ON CONFLICT (vm_id) DO UPDATE SET sort_order = excluded.sort_order, delay_sec = excluded.delay_sec')
      .run(vmId, order, delaySec);
  }
}
