import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { migrations } from './migrations';

export type Db = Database.Database;

/**
 * Open (or create) Hangar's SQLite database in WAL mode and bring it to the latest schema.
 * Migrations are numbered and each runs in a transaction; `PRAGMA user_version` records progress.
 */
export function openDatabase(file: string, opts: { nativeBinding?: string } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const nativeBinding = opts.nativeBinding ?? process.env.HANGAR_SQLITE_BINDING;
  const db = new Database(file, nativeBinding ? { nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
