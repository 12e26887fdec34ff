import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HangarError } from '../api/errors';
import { migrate, type Db } from './database';
import { migrations } from './migrations';
import { noSpaceError } from '../util/no-space';

/**
 * Opening hangar.db without ever losing the inventory (issue 12, item 3). Before this, an emptied,
 * truncated or overwritten hangar.db was silently recreated and every VM vanished from the lists.
 * Now a damaged file is recognised (empty, not an SQLite file, shorter than its header says, or an
 * integrity check that fails), moved aside as `hangar.db.corrupt-<time>` (with its -wal/-shm), and
 * a fresh database is made; the caller then rebuilds the inventory from the files on disk
 * (recovery/rebuild.ts). A database written by a newer Hangar is refused, never used or migrated.
 *
 * Many processes may open one home at once: the one that finds the damage takes the lock file
 * `hangar.db.recovering` (O_EXCL, holding its pid) until the rebuild is done; the others wait.
 */

export type DbProblemKind = 'empty' | 'not-a-database' | 'truncated' | 'integrity';
export interface DbProblem {
  kind: DbProblemKind;
  /** In words, for the notice. */
  detail: string;
}

export interface SetAside {
  file: string;
  movedTo: string;
  problem: DbProblem;
  at: string;
}

export interface CheckedDatabase {
  db: Db;
  /** Set when the file was damaged and moved aside: the caller must rebuild, then call release(). */
  setAside: SetAside | null;
  release(): void;
}

const HEADER = 'SQLite format 3\0';
export const latestSchemaVersion = (): number => Math.max(...migrations.map((m) => m.version));

/** What is wrong with the bytes of an SQLite file, judged from its 100-byte header and size. Pure. */
export function judgeHeader(header: Buffer, size: number): DbProblem | null {
  if (size === 0) return { kind: 'empty', detail: 'the file is empty (0 bytes)' };
  if (size < 100 || header.toString('latin1', 0, 16) !== HEADER) return { kind: 'not-a-database', detail: `the file is not an SQLite database (${size} bytes without the SQLite header)` };
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return { kind: 'not-a-database', detail: `the SQLite header is damaged (page size ${rawPageSize})` };
  const changeCounter = header.readUInt32BE(24);
  const pages = header.readUInt32BE(28);
  const validFor = header.readUInt32BE(92);
  // the in-header page count is only meaningful when "version-valid-for" matches the change counter
  if (validFor === changeCounter && pages > 0 && pages * pageSize > size)
    return { kind: 'truncated', detail: `the file is truncated (${size} bytes, its header says ${pages * pageSize})` };
  if (size % pageSize !== 0) return { kind: 'truncated', detail: `the file is truncated (${size} bytes is not a whole number of ${pageSize}-byte pages)` };
  return null;
}

/** `hangar.db.corrupt-2026-12-02T00-31-05Z` */
export function corruptName(file: string, at: Date): string {
  return `${file}.corrupt-${at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}`;
}

function readHeader(file: string): { header: Buffer; size: number } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const header = Buffer.alloc(100);
    fs.readSync(fd, header, 0, 100, 0);
    return { header, size: fs.fstatSync(fd).size };
  } finally {
    fs.closeSync(fd);
  }
}

/** Is there anything in this home that a lost database would have described? */
function homeHasContent(home: string): boolean {
  for (const sub of ['vms', 'images', path.join('pools', 'default')]) {
    try {
      if (fs.readdirSync(path.join(home, sub)).some((n) => !n.startsWith('.') && n !== 'uploads')) return true;
    } catch {
      // absent
    }
  }
  return false;
}

const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE']);

function newerError(file: string, version: number): HangarError {
  return new HangarError(
    'UNSUPPORTED',
    `${file} was written by a newer Hangar (database schema ${version}; this Hangar knows up to ${latestSchemaVersion()}). ` +
      'It was left untouched: run that newer Hangar, or point HANGAR_HOME at another folder.',
    { file, schemaVersion: version, supported: latestSchemaVersion() },
  );
}

function configure(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

type Attempt = { db: Db } | { problem: DbProblem };

function attempt(file: string, opts: { integrity: boolean; nativeBinding?: string | undefined }): Attempt {
  const seen = readHeader(file);
  if (seen) {
    const problem = judgeHeader(seen.header, seen.size);
    // an empty file in a home with nothing else is a database being created by another process right now
    // a short file confirmed by the integrity check below: never move a live database aside on a guess
    if (problem?.kind === 'truncated') opts = { ...opts, integrity: true };
    else if (problem && !(problem.kind === 'empty' && !homeHasContent(path.dirname(file)))) return { problem };
  }
  let db: Db | null = null;
  try {
    db = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
    configure(db);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > latestSchemaVersion()) throw newerError(file, version);
    if (opts.integrity) {
      const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
      const bad = rows.map((r) => r.quick_check).filter((t) => t !== 'ok');
      if (bad.length > 0) {
        db.close();
        const short = seen ? judgeHeader(seen.header, seen.size) : null;
        if (short?.kind === 'truncated') return { problem: short };
        return { problem: { kind: 'integrity', detail: `the integrity check failed: ${bad.slice(0, 3).join('; ')}` } };
      }
    }
    migrate(db);
    return { db };
  } catch (e) {
    db?.close();
    const code = (e as { code?: unknown }).code;
    const short = seen ? judgeHeader(seen.header, seen.size) : null;
    if (typeof code === 'string' && CORRUPT_CODES.has(code)) return { problem: short?.kind === 'truncated' ? short : { kind: 'integrity', detail: `SQLite says: ${(e as Error).message}` } };
    // a full disk stops the WAL files from being made: say so, not "disk I/O error"
    throw noSpaceError(e, path.dirname(file)) ?? e;
  }
}

const sleepMs = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Wait while another live process is rebuilding this home's database (at most `maxMs`). */
function waitForOtherRecovery(lock: string, maxMs: number): void {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    let text: string;
    try {
      text = fs.readFileSync(lock, 'utf8');
    } catch {
      return;
    }
    const pid = Number.parseInt(text, 10);
    if (!Number.isInteger(pid) || pid === process.pid || !pidAlive(pid)) {
      fs.rmSync(lock, { force: true }); // a stale lock from a process that died mid-recovery
      return;
    }
    sleepMs(200);
  }
}

function takeLock(lock: string): boolean {
  try {
    fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Open hangar.db, moving a damaged one aside (see the top of this file). `integrity` runs
 * `PRAGMA quick_check` too (long-lived engines and `hangar doctor`: it reads the whole file).
 */
export function openCheckedDatabase(file: string, opts: { integrity?: boolean; nativeBinding?: string; now?: () => Date } = {}): CheckedDatabase {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lock = `${file}.recovering`;
  const how = { integrity: opts.integrity ?? false, nativeBinding: opts.nativeBinding ?? process.env.HANGAR_SQLITE_BINDING };
  const noop = () => undefined;
  for (let round = 0; round < 50; round++) {
    waitForOtherRecovery(lock, 120_000);
    const first = attempt(file, how);
    if ('db' in first) return { db: first.db, setAside: null, release: noop };
    if (!takeLock(lock)) continue; // another process just started recovering: wait for it
    const release = () => fs.rmSync(lock, { force: true });
    try {
      // it may have been repaired between our look and our lock
      const again = attempt(file, how);
      if ('db' in again) {
        release();
        return { db: again.db, setAside: null, release: noop };
      }
      const at = (opts.now ?? (() => new Date()))();
      let movedTo = corruptName(file, at);
      for (let n = 2; fs.existsSync(movedTo); n++) movedTo = `${corruptName(file, at)}-${n}`;
      fs.renameSync(file, movedTo);
      for (const side of ['-wal', '-shm']) if (fs.existsSync(file + side)) fs.renameSync(file + side, movedTo + side);
      const fresh = attempt(file, { ...how, integrity: false });
      if (!('db' in fresh)) throw new HangarError('IO_ERROR', `Could not create a new ${file} after moving the damaged one to ${movedTo}: ${fresh.problem.detail}.`);
      return { db: fresh.db, setAside: { file, movedTo, problem: again.problem, at: at.toISOString() }, release };
    } catch (e) {
      release();
      throw e;
    }
  }
  throw new HangarError('IO_ERROR', `${file} kept changing while Hangar opened it; another process may be writing garbage into it. Stop the other Hangar processes and try again.`);
}
