import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { migrate } from '../../src-main/db/database';
import { migrations } from '../../src-main/db/migrations';
import { scheduledBackups015 } from '../../src-main/db/migrations/015-scheduled-backups';
import { ScheduleRepository } from '../../src-main/scheduler/schedule-repo';

/**
 * Migration 015 rebuilds `schedules` (a CHECK constraint cannot be altered) and, because of the
 * ON DELETE CASCADE from schedule_runs, `schedule_runs` too. A database written before it, holding
 * schedules and their run history, must come out with every row as it was, and accept "backup".
 */
test('migration 015: old schedules and their runs survive the rebuild; "backup" is accepted afterwards', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-mig15-'));
  try {
    const db = new Database(path.join(dir, 'hangar.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // the schema as the releases before 015 left it
    for (const m of [...migrations].sort((a, b) => a.version - b.version).filter((m) => m.version < scheduledBackups015.version)) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    const before = db.pragma('user_version', { simple: true }) as number;
    assert.ok(before < scheduledBackups015.version);
    const now = new Date().toISOString();
    db.prepare("INSERT INTO vms (id, name, host_id, spec_json, dir, created_at, updated_at) VALUES ('vm-1', 'web', 'local', '{}', '/tmp/x', ?, ?)").run(now, now);
    const params = JSON.stringify({ shutdownTimeoutSec: 120, forceAfterTimeout: true, keepSnapshots: 3, argv: [] });
    db.prepare("INSERT INTO schedules (id, name, vm_id, cron, timezone, action, params_json, enabled, grace_sec, last_due_at, created_at) VALUES ('s-1', 'Nightly snap', 'vm-1', '0 3 * * *', 'Europe/Berlin', 'snapshot', ?, 0, 600, ?, ?)").run(params, now, now);
    db.prepare("INSERT INTO schedules (id, name, vm_id, cron, timezone, action, params_json, created_at) VALUES ('s-2', 'cmd', NULL, '*/5 * * * *', 'UTC', 'command', ?, ?)").run(JSON.stringify({ shutdownTimeoutSec: 120, forceAfterTimeout: true, keepSnapshots: 7, argv: ['vm', 'list'] }), now);
    assert.throws(() => db.prepare("INSERT INTO schedules (id, name, cron, timezone, action, created_at) VALUES ('s-x', 'b', '* * * * *', 'UTC', 'backup', ?)").run(now), /CHECK constraint failed/);
    const addRun = db.prepare('INSERT INTO schedule_runs (schedule_id, due_at, started_at, finished_at, trigger, status, message) VALUES (?, ?, ?, ?, ?, ?, ?)');
    addRun.run('s-1', now, now, now, 'timer', 'succeeded', 'Took snapshot "a" of "web".');
    addRun.run('s-1', null, now, now, 'manual', 'failed', 'boom');
    addRun.run('s-2', now, null, now, 'catch-up', 'missed', 'Missed 3 run(s)');
    const schedulesBefore = db.prepare('SELECT * FROM schedules ORDER BY id').all();
    const runsBefore = db.prepare('SELECT * FROM schedule_runs ORDER BY id').all();

    migrate(db);

    assert.ok((db.pragma('user_version', { simple: true }) as number) >= scheduledBackups015.version);
    assert.deepEqual(db.prepare('SELECT * FROM schedules ORDER BY id').all(), schedulesBefore);
    assert.deepEqual(db.prepare('SELECT * FROM schedule_runs ORDER BY id').all(), runsBefore);
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'schedule_runs_schedule'").get(), 'the runs index is back');
    assert.equal((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('schedules_new', 'schedule_runs_kept')").get() as { n: number }).n, 0, 'no scaffolding left');

    // the repository reads the old rows (params without the backup fields get their defaults)
    const repo = new ScheduleRepository(db);
    const snap = repo.find('Nightly snap')!;
    assert.deepEqual([snap.action, snap.vmId, snap.timezone, snap.enabled, snap.graceSec, snap.params.keepSnapshots], ['snapshot', 'vm-1', 'Europe/Berlin', false, 600, 3]);
    assert.deepEqual([snap.params.backupMode, snap.params.keepDaily, snap.params.keepWeekly, snap.params.backupFolder], ['auto', 7, 4, null]);
    assert.deepEqual(repo.runs('s-1', 10).map((r) => [r.status, r.trigger, r.message]), [['failed', 'manual', 'boom'], ['succeeded', 'timer', 'Took snapshot "a" of "web".']]);

    // the new constraint takes "backup" and still refuses nonsense; the cascades still hold
    db.prepare("INSERT INTO schedules (id, name, vm_id, cron, timezone, action, created_at) VALUES ('s-3', 'nightly backup', 'vm-1', '0 2 * * *', 'UTC', 'backup', ?)").run(now);
    assert.throws(() => db.prepare("INSERT INTO schedules (id, name, cron, timezone, action, created_at) VALUES ('s-y', 'y', '* * * * *', 'UTC', 'reboot', ?)").run(now), /CHECK constraint failed/);
    const next = repo.addRun('s-3', { dueAt: null, startedAt: Date.now(), trigger: 'manual', status: 'running' });
    assert.ok(next > (runsBefore as Array<{ id: number }>).at(-1)!.id, 'run ids continue after the old ones');
    db.prepare("DELETE FROM vms WHERE id = 'vm-1'").run();
    assert.deepEqual(db.prepare('SELECT id FROM schedules').all(), [{ id: 's-2' }], 'deleting the VM still removes its schedules');
    assert.deepEqual(db.prepare('SELECT DISTINCT schedule_id FROM schedule_runs').all(), [{ schedule_id: 's-2' }], '...and their runs');
    db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
