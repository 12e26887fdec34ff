import { z } from 'zod';
import { method } from './define';
import { empty, objectRef } from './common';

/**
 * Recovery (issue 12): notices that outlive the process that raised them (a database found damaged
 * and rebuilt from the files on disk), the database check of `hangar doctor`, and repairing a VM
 * whose stored settings are damaged.
 */
export interface EngineNotice {
  id: number;
  at: string;
  level: 'info' | 'warning' | 'error';
  /** Stable, for programs and translations: "database.recovered", ... */
  code: string;
  /** The English sentence (CLI, logs). */
  message: string;
  details: Record<string, unknown>;
}

export interface DatabaseCheck {
  file: string;
  ok: boolean;
  /** "ok", or what `PRAGMA quick_check` reported. */
  detail: string;
  schemaVersion: number;
  /** Copies of damaged databases kept aside (hangar.db.corrupt-<time>). */
  setAside: string[];
  /** VMs whose stored settings cannot be read. */
  damagedVms: Array<{ id: string; name: string; reason: string }>;
}

export const recoveryMethods = {
  'notice.list': method<EngineNotice[]>()(empty, 'Notices not yet dismissed (e.g. a database rebuilt from the files on disk).'),
  'notice.dismiss': method<{ dismissed: boolean }>()(z.object({ id: z.number().int().positive() }).strict(), 'Dismiss a notice.'),
  'database.check': method<DatabaseCheck>()(empty, 'Check hangar.db (integrity, schema) and list damaged VMs and set-aside copies.'),
  'vm.repair': method<{ id: string; name: string; restoredFrom: string }>()(
    z.object({ vm: objectRef('VM') }).strict(),
    "Restore a damaged VM's stored settings from the vm.json in its folder.",
  ),
};
