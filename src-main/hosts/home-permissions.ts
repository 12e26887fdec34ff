import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Hangar's data folder holds guest disks, serial logs (which may show passwords typed at a
 * console), the database, tokens and the sockets that control every VM. Whoever creates it (the
 * CLI, `hangar serve`, the desktop app) makes it private: the folder 0700, the database (and its
 * -wal/-shm), vm.json, logs and other files 0600, the sockets 0600 inside 0700 folders.
 * A home made by an older version (0755 folder, 0644 database, 0755 sockets) is tightened when
 * it is opened, and the caller shows a notice once (the next open finds nothing to change).
 * Library images keep their 0444 (read-only by design), which the 0700 folder makes private.
 */

export interface HomePermissionsReport {
  /** Paths whose mode was tightened (relative to the home, "." for the home itself). */
  tightened: string[];
  /** The home's mode before, as "0755", when it was loose. */
  homeModeBefore: string | null;
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/** Remove group/other bits (directories to 0700, files and sockets to 0600 or stricter). */
function tighten(p: string, st: fs.Stats, report: HomePermissionsReport, rel: string): void {
  if ((st.mode & 0o077) === 0) return;
  const mode = st.isDirectory() ? 0o700 : st.isSocket() ? 0o600 : st.mode & 0o700;
  try {
    fs.chmodSync(p, mode);
    report.tightened.push(rel);
  } catch {
    /* not ours (another user's file in our folder?): leave it, nothing to gain from failing */
  }
}

function lstat(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** Tighten one folder's entries (not following links), recursing `depth` levels into folders. */
function walk(dir: string, rel: string, depth: number, report: HomePermissionsReport, skip: ReadonlySet<string>): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (skip.has(name)) continue;
    const p = path.join(dir, name);
    const st = lstat(p);
    if (!st || st.isSymbolicLink()) continue;
    if (st.isDirectory() || st.isFile() || st.isSocket()) tighten(p, st, report, path.join(rel, name));
    if (st.isDirectory() && depth > 0) walk(p, path.join(rel, name), depth - 1, report, new Set());
  }
}

/**
 * Create the home private, or tighten an existing one. Synchronous: it runs before the
 * database is opened, so no file is ever created readable by others in a loose folder.
 */
export function secureHome(home: string): HomePermissionsReport {
  const report: HomePermissionsReport = { tightened: [], homeModeBefore: null };
  const st = lstat(home);
  if (!st) {
    fs.mkdirSync(path.dirname(home), { recursive: true });
    fs.mkdirSync(home, { mode: 0o700 });
    fs.chmodSync(home, 0o700); // in case the umask took bits away from the owner
    return report;
  }
  if (!st.isDirectory()) return report; // the database open will say what is wrong
  if ((st.mode & 0o077) !== 0) {
    report.homeModeBefore = octal(st.mode);
    tighten(home, st, report, '.');
  }
  // top-level files (database, -wal/-shm, tokens, logs, engine.sock), VM folders and their files,
  // the socket folders; the image library keeps its read-only files as they are
  walk(home, '', 2, report, new Set(['images']));
  return report;
}

/** Make the database files private (right after SQLite created them in a new home). */
export function privateDatabaseFiles(dbFile: string): void {
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) {
    const st = lstat(f);
    if (st?.isFile() && (st.mode & 0o077) !== 0) fs.chmodSync(f, st.mode & 0o600);
  }
}

/** The notice for a tightened home (null when nothing changed). */
export function permissionsNotice(home: string, report: HomePermissionsReport): string | null {
  if (report.tightened.length === 0) return null;
  const n = report.tightened.length;
  const before = report.homeModeBefore ? ` (the folder was ${report.homeModeBefore})` : '';
  return `Made the Hangar data folder ${home} private${before}: ${n} ${n === 1 ? 'file or folder' : 'files and folders'} that other users could read now belong to you alone (folders 0700, files 0600).`;
}
