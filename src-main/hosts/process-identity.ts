import * as fs from 'node:fs';

/**
 * Who owns a task or a VM lock: a process id AND that process's start time (field 22 of
 * /proc/PID/stat, in clock ticks since boot). A pid alone is not enough: after a crash the
 * kernel may give the same pid to an unrelated process, which must not be taken for the owner.
 * Several Hangar processes (CLIs, `hangar serve`, the desktop app) share one $HANGAR_HOME, so
 * "is the owner still alive?" decides whether its work may be cleaned up or taken over.
 */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot; 0 when unknown (non-Linux). */
  start: number;
}

/**
 * Field 22 (starttime) of a /proc/PID/stat line. The second field (comm) is in parentheses and
 * may itself contain spaces and parentheses, so fields are counted after the LAST ")".
 */
export function parseStartTime(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // after ")" come field 3 (state) onwards; starttime is field 22, i.e. index 19 of that list
  const fields = stat.slice(close + 1).trim().split(/\s+/);
  const value = Number(fields[19]);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** The start time of a live process, or null when there is none with this pid. */
export function processStartTime(pid: number): number | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    return parseStartTime(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    if (process.platform === 'linux') return null;
    // no /proc: fall back to "does the pid exist" (signal 0), start unknown
    try {
      process.kill(pid, 0);
      return 0;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM' ? 0 : null;
    }
  }
}

let self: ProcessIdentity | null = null;

/** This process. */
export function selfIdentity(): ProcessIdentity {
  self ??= { pid: process.pid, start: processStartTime(process.pid) ?? 0 };
  return self;
}

/** Is the process that recorded this identity still running (same pid AND same start time)? */
export function isAlive(owner: { pid: number | null; start: number | null }): boolean {
  if (owner.pid === null || owner.pid <= 0) return false;
  const start = processStartTime(owner.pid);
  if (start === null) return false;
  // 0 = unknown start on either side: trust the pid
  return owner.start === null || owner.start === 0 || start === 0 || start === owner.start;
}
