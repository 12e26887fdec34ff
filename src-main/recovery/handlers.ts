import * as path from 'node:path';
import { HangarError } from '../api/errors';
import { latestSchemaVersion } from '../db/open-checked';
import { parseVmJson } from '../db/repositories/vm-row-check';
import { VmRepository } from '../db/repositories/vms';
import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';
import { NoticeStore } from './notices';

/** Notices, the database check of `hangar doctor`, and repairing a damaged VM from its vm.json. */
export function recoveryHandlers(e: Engine) {
  const notices = new NoticeStore(e.db);
  return {
    'notice.list': async () => notices.open(),
    'notice.dismiss': async (i) => ({ dismissed: notices.dismiss(i.id) }),
    'database.check': async () => {
      const file = path.join(e.home, 'hangar.db');
      const rows = e.db.pragma('quick_check') as Array<{ quick_check: string }>;
      const bad = rows.map((r) => r.quick_check).filter((t) => t !== 'ok');
      const names = await e.hosts.get('local').fs.readdir(e.home).catch(() => [] as string[]);
      return {
        file,
        ok: bad.length === 0,
        detail: bad.length === 0 ? 'ok' : bad.slice(0, 5).join('; '),
        schemaVersion: Math.min(e.db.pragma('user_version', { simple: true }) as number, latestSchemaVersion()),
        setAside: names.filter((n) => /^hangar\.db\.corrupt-[^.]*$/.test(n) && !/-(wal|shm)$/.test(n)).map((n) => path.join(e.home, n)),
        damagedVms: e.vms.list().flatMap((v) => (v.damaged ? [{ id: v.id, name: v.name, reason: v.damaged }] : [])),
      };
    },
    'vm.repair': async (i) => {
      const vm = e.vms.resolve(i.vm);
      const file = path.join(vm.dir, 'vm.json');
      if (!vm.damaged) throw new HangarError('INVALID_STATE', `"${vm.name}" is not damaged: nothing to repair.`);
      let text: string;
      try {
        text = (await e.hosts.get(vm.hostId).fs.readFile(file)).toString('utf8');
      } catch (err) {
        throw new HangarError('NOT_FOUND', `Cannot repair "${vm.name}": ${file} cannot be read (${(err as Error).message}). Delete the VM instead (its files are kept).`);
      }
      const parsed = parseVmJson(text);
      if (!parsed.ok) throw new HangarError('INVALID_STATE', `Cannot repair "${vm.name}": ${file}: ${parsed.reason}. Delete the VM instead (its files are kept).`);
      if (parsed.spec.id !== vm.id) throw new HangarError('INVALID_STATE', `Cannot repair "${vm.name}": ${file} describes another VM (${parsed.spec.id}).`);
      const repo = new VmRepository(e.db);
      if (repo.nameTaken(parsed.spec.name, vm.id)) parsed.spec.name = vm.name;
      repo.updateSpec(parsed.spec);
      e.events.emit('vm.changed', { id: vm.id });
      return { id: vm.id, name: parsed.spec.name, restoredFrom: file };
    },
  } satisfies Partial<Handlers>;
}
