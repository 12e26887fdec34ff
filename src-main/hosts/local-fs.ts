import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Synchronous reads and writes of files on THIS computer, for the few domain paths that are about the
 * app's own machine whatever host a VM runs on (osinfo-db, the hangar binary, free space where this
 * process writes) and run where an async Host call does not fit. Everything about a VM's host goes
 * through `Host.fs`. It lives under hosts/ because it touches files (the walls: only hosts/ and the
 * faces import fs); a small, purposeful API, not a re-export of fs.
 */

export function localExists(p: string): boolean {
  return fs.existsSync(p);
}

/** The names in a folder; throws as fs does when it cannot be read. */
export function readLocalDir(p: string): string[] {
  return fs.readdirSync(p);
}

/** A regular file's size and modification time, or null when it is absent or not a file. */
export function statLocalFile(p: string): { size: number; mtimeMs: number } | null {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : null;
}

/** A text file's content; throws as fs does. */
export function readLocalText(p: string): string {
  return fs.readFileSync(p, 'utf8');
}

/** Write a file atomically (temp + rename), creating its folder; throws as fs does. */
export function writeLocalFileAtomic(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Free bytes of the file system holding `p` (or its nearest existing parent), on this computer. */
export function freeBytesAt(p: string): number | null {
  for (let dir = p; ; dir = path.dirname(dir)) {
    try {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    } catch {
      if (dir === path.dirname(dir)) return null;
    }
  }
}
