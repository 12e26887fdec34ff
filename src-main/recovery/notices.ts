import type { EngineNotice } from '../api/contract';
import type { Db } from '../db/database';

/** Notices kept in the database until dismissed (migration 008): they reach every face, later. */
export class NoticeStore {
  constructor(private readonly db: Db) {}

  add(n: Omit<EngineNotice, 'id' | 'at'>, at = new Date().toISOString()): EngineNotice {
    const r = this.db
      .prepare('INSERT INTO engine_notices (at, level, code, message, details_json) VALUES (?, ?, ?, ?, ?)')
      .run(at, n.level, n.code, n.message, JSON.stringify(n.details));
    return { id: Number(r.lastInsertRowid), at, ...n };
  }

  open(): EngineNotice[] {
    const rows = this.db.prepare('SELECT * FROM engine_notices WHERE dismissed_at IS NULL ORDER BY id').all() as Array<{
      id: number;
      at: string;
      level: EngineNotice['level'];
      code: string;
      message: string;
      details_json: string;
    }>;
    return rows.map((r) => {
      let details: Record<string, unknown> = {};
      try {
        details = JSON.parse(r.details_json) as Record<string, unknown>;
      } catch {
        // a damaged detail must not hide the notice
      }
      return { id: r.id, at: r.at, level: r.level, code: r.code, message: r.message, details };
    });
  }

  dismiss(id: number): boolean {
    return this.db.prepare('UPDATE engine_notices SET dismissed_at = ? WHERE id = ? AND dismissed_at IS NULL').run(new Date().toISOString(), id).changes > 0;
  }
}
