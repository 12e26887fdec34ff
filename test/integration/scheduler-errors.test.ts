import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Engine } from '../../src-main/engine/engine';
import { tempHome } from '../helpers/env';

// A snapshot schedule whose snapshot list fails must record the real cause. It used to say
// "Snapshots are not available in this Hangar engine" for every failure that was not a typed error
// (a branch for a storage domain that might be absent, which the engine always has).

const { home, cleanup } = tempHome('hangar-sched-err-');
after(cleanup);

test('a snapshot schedule whose snapshot list fails records the real cause', async () => {
  const e = await Engine.open({ home, watch: false });
  try {
    await e.call('vm.create', { name: 'err-vm', memoryMiB: 128, display: 'none', nics: [], diskSizeBytes: 16 * 1024 * 1024 });
    await e.call('schedule.add', { name: 'nightly', vm: 'err-vm', cron: '0 3 * * *', timezone: 'UTC', action: 'snapshot' });
    // a real fault in the snapshot records: the table is gone (as in a damaged database)
    e.db.exec('ALTER TABLE vm_snapshots RENAME TO vm_snapshots_away');
    let failed;
    try {
      await assert.rejects(e.call('snapshot.list', { vm: 'err-vm' }), /no such table: vm_snapshots/);
      failed = await e.call('schedule.runNow', { schedule: 'nightly' });
    } finally {
      e.db.exec('ALTER TABLE vm_snapshots_away RENAME TO vm_snapshots');
    }
    assert.equal(failed.status, 'failed');
    assert.match(failed.message ?? '', /no such table: vm_snapshots/);
    assert.doesNotMatch(failed.message ?? '', /not available/);
    // and with the table back, the same schedule works: the error was the fault, not the schedule
    const ok = await e.call('schedule.runNow', { schedule: 'nightly' });
    assert.equal(ok.status, 'succeeded', ok.message ?? '');
  } finally {
    await e.close();
  }
});
