import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { BackupInfo, VmSpec } from '../../src-main/api/contract';
import { BackupRepository } from '../../src-main/backups/backup-repo';
import { migrate, openDatabase } from '../../src-main/db/database';

// The Backups tab's "consistent" / "crash-consistent" per backup, from the backups table (real
// SQLite): a stopped VM's backup is consistent without a freeze, which `quiesced` alone cannot say.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-backup-consistency-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('backups keep consistent / crash-consistent; rows from before the column are judged by quiesced', () => {
  const db = openDatabase(path.join(dir, 'hangar.db'));
  migrate(db);
  const repo = new BackupRepository(db);
  const base = { vmId: 'v', vmName: 'v', hostId: 'local', kind: 'full' as const, parentId: null, folder: dir, bytes: 0, files: [], status: 'ready' as const, verifiedAt: null };
  const spec = {} as VmSpec;
  const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
  const rows: Array<Omit<BackupInfo, 'bytes'> & { bytes: number }> = [
    { ...base, id: 'frozen', createdAt: at(1), quiesced: true, consistency: 'consistent' },
    { ...base, id: 'stopped', createdAt: at(2), quiesced: false, consistency: 'consistent' },
    { ...base, id: 'unfrozen', createdAt: at(3), quiesced: false, consistency: 'crash-consistent' },
  ];
  for (const r of rows) repo.insert(r, spec);
  // rows written before migration 015 have no value in the column
  db.prepare("INSERT INTO backups (id, vm_id, vm_name, host_id, kind, folder, created_at, quiesced, files_json, spec_json) VALUES ('old-q', 'v', 'v', 'local', 'full', ?, ?, 1, '[]', '{}'), ('old', 'v', 'v', 'local', 'full', ?, ?, 0, '[]', '{}')").run(dir, at(4), dir, at(5));
  const got = Object.fromEntries(repo.list('v').map((b) => [b.id, b.consistency]));
  assert.deepEqual(got, { frozen: 'consistent', stopped: 'consistent', unfrozen: 'crash-consistent', 'old-q': 'consistent', old: 'crash-consistent' });
  db.close();
});
