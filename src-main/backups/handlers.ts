import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';

/** Backup methods (contract/backups.ts) → BackupService. */
export function backupHandlers(e: Engine) {
  return {
    'backup.create': async (i) => ({ task: e.backups.startCreate(i).task }),
    'backup.list': async (i) => e.backups.list(i.vm),
    'backup.restore': async (i) => ({ task: e.backups.startRestore(i).task }),
    'backup.verify': async (i) => ({ task: e.backups.startVerify(i.backup).task }),
    'backup.prune': async (i) => e.backups.prune(i),
  } satisfies Partial<Handlers>;
}
