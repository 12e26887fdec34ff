import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { looksLikeOpticalImage } from '../../src-main/compute/media-checks';
import { openDatabase } from '../../src-main/db/database';
import { corruptName, judgeHeader, openCheckedDatabase } from '../../src-main/db/open-checked';
import { parseVmJson, readStoredSpec } from '../../src-main/db/repositories/vm-row-check';
import { reportText } from '../../src-main/recovery/rebuild';
import { validateCron } from '../../src-main/scheduler/cron';
import { RUNS_KEPT, ScheduleRepository } from '../../src-main/scheduler/schedule-repo';
import { isNoSpace, noSpaceMessage } from '../../src-main/util/no-space';

// Pure parts of issue 12's items 3 and 4: recognising a damaged database file, a damaged VM row,
// an optical image by content, a full disk, the cron field count, and the bounded run history.

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-recovery-unit-'));

function header(pageSize: number, pages: number, counter = 7, validFor = 7): Buffer {
  const h = Buffer.alloc(100);
  h.write('SQLite format 3\0', 0, 'latin1');
  h.writeUInt16BE(pageSize === 65536 ? 1 : pageSize, 16);
  h.writeUInt32BE(counter, 24);
  h.writeUInt32BE(pages, 28);
  h.writeUInt32BE(validFor, 92);
  return h;
}

describe('judgeHeader', () => {
  test('empty, garbage, truncated and healthy files', () => {
    assert.equal(judgeHeader(Buffer.alloc(100), 0)?.kind, 'empty');
    assert.equal(judgeHeader(Buffer.from('garbage'.repeat(20)), 8000)?.kind, 'not-a-database');
    assert.equal(judgeHeader(header(4096, 10), 4096 * 5)?.kind, 'truncated');
    assert.equal(judgeHeader(header(4096, 10), 4096 * 10 + 100)?.kind, 'truncated');
    assert.equal(judgeHeader(header(4096, 10), 4096 * 10), null);
    assert.equal(judgeHeader(header(65536, 2), 65536 * 2), null);
    // a stale in-header size (version-valid-for differs) is not trusted
    assert.equal(judgeHeader(header(4096, 10, 8, 7), 4096 * 5), null);
    assert.equal(judgeHeader(header(1000, 1), 1000)?.kind, 'not-a-database');
  });

  test('corrupt copies are named by the time, without colons', () => {
    assert.equal(corruptName('/h/hangar.db', new Date(Date.UTC(2027, 0, 1, 0, 0, 5, 123))), '/h/hangar.db.corrupt-2027-01-01T00-00-05Z');
  });
});

describe('openCheckedDatabase', () => {
  test('a healthy database opens as is; an emptied one in a home with VMs is set aside once', () => {
    const home = tmp();
    const file = path.join(home, 'hangar.db');
    openDatabase(file).close();
    const a = openCheckedDatabase(file);
    assert.equal(a.setAside, null);
    a.db.close();
    fs.mkdirSync(path.join(home, 'vms', 'x'), { recursive: true });
    fs.truncateSync(file, 0);
    const b = openCheckedDatabase(file, { now: () => new Date(Date.UTC(2027, 0, 1)) });
    assert.equal(b.setAside?.problem.kind, 'empty');
    assert.ok(fs.existsSync(path.join(home, 'hangar.db.corrupt-2027-01-01T00-00-00Z')));
    assert.ok(fs.existsSync(`${file}.recovering`), 'the lock is held until the rebuild is done');
    b.release();
    assert.ok(!fs.existsSync(`${file}.recovering`));
    b.db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('an empty file in an empty home is a database being created, not a corrupt one', () => {
    const home = tmp();
    const file = path.join(home, 'hangar.db');
    fs.writeFileSync(file, '');
    const c = openCheckedDatabase(file);
    assert.equal(c.setAside, null);
    c.db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('a newer schema is refused and left untouched', () => {
    const home = tmp();
    const file = path.join(home, 'hangar.db');
    const db = openDatabase(file);
    db.pragma('user_version = 4242');
    db.close();
    assert.throws(() => openCheckedDatabase(file), /written by a newer Hangar \(database schema 4242/);
    assert.deepEqual(fs.readdirSync(home).filter((n) => n.includes('corrupt')), []);
    fs.rmSync(home, { recursive: true, force: true });
  });
});

describe('VM rows and vm.json', () => {
  const id = '11111111-2222-4333-8444-555555555555';
  test('malformed or incomplete spec_json reads as damaged with the reason', () => {
    assert.match((readStoredSpec({ id, spec_json: '{bad' }) as { reason: string }).reason, /not valid JSON/);
    assert.match((readStoredSpec({ id, spec_json: '[]' }) as { reason: string }).reason, /not an object/);
    assert.match((readStoredSpec({ id, spec_json: JSON.stringify({ id, name: 'a' }) }) as { reason: string }).reason, /"firmware" is missing/);
  });
  test('vm.json is checked against the full schema', () => {
    assert.equal(parseVmJson('nope').ok, false);
    assert.match((parseVmJson(JSON.stringify({ version: 1, id })) as { reason: string }).reason, /vm\.json is invalid at/);
  });
});

describe('inputs', () => {
  test('ISO 9660 and UDF descriptors are recognised; text is not', () => {
    const iso = Buffer.alloc(8192);
    iso.write('\u0001CD001', 0, 'latin1');
    assert.equal(looksLikeOpticalImage(iso), true);
    const udf = Buffer.alloc(8192);
    udf.write('\u0000BEA01', 2048, 'latin1');
    assert.equal(looksLikeOpticalImage(udf), true);
    assert.equal(looksLikeOpticalImage(Buffer.from('hello world, this is text')), false);
    assert.equal(looksLikeOpticalImage(Buffer.alloc(0)), false);
  });

  test('cron: 5 or 6 fields only', () => {
    const now = Date.UTC(2026, 5, 1);
    validateCron('0 8 * * 1-5', 'UTC', now);
    validateCron('30 0 8 * * 1-5', 'UTC', now);
    assert.throws(() => validateCron('0 0 8 * * 1-5 2027', 'UTC', now), /has 7 fields/);
    assert.throws(() => validateCron('0 8 * *', 'UTC', now), /has 4 fields/);
  });

  test('a full disk in words', () => {
    assert.equal(isNoSpace(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })), true);
    assert.equal(isNoSpace(new Error('qemu-img: error while writing: No space left on device')), true);
    assert.equal(isNoSpace(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })), true);
    assert.equal(isNoSpace(new Error('EACCES')), false);
    assert.equal(noSpaceMessage('the image library (/h/images)', 1024 * 1024, 4 * 1024 * 1024), 'No space left on the image library (/h/images): needs 4.0 MiB, has 1.0 MiB free. Free some space there (or choose another pool) and try again.');
  });
});

test('schedule run history keeps the newest RUNS_KEPT per schedule', () => {
  const home = tmp();
  const db = openDatabase(path.join(home, 'hangar.db'));
  db.prepare("INSERT INTO schedules (id, name, cron, timezone, action, created_at) VALUES ('s1', 's1', '* * * * * *', 'UTC', 'command', '2026-01-01T00:00:00Z')").run();
  const repo = new ScheduleRepository(db);
  let last = 0;
  for (let i = 0; i < RUNS_KEPT + 25; i++) last = repo.addRun('s1', { dueAt: i * 1000, startedAt: i * 1000, trigger: 'timer', status: 'succeeded' });
  const count = (db.prepare('SELECT COUNT(*) AS n, MAX(id) AS max FROM schedule_runs').get() as { n: number; max: number });
  assert.equal(count.n, RUNS_KEPT);
  assert.equal(count.max, last);
  db.close();
  fs.rmSync(home, { recursive: true, force: true });
});

test('the recovery report names the file, the copy, what came back and what did not', () => {
  const text = reportText({ file: '/h/hangar.db', movedTo: '/h/hangar.db.corrupt-x', problem: 'the file is empty (0 bytes)', at: 'now', recovered: { vms: ['a', 'b'], images: ['i'], pools: ['default (/h/pools/default)'], volumes: [] }, notRecovered: ['LAN hosts'] });
  assert.match(text, /\/h\/hangar\.db was damaged \(the file is empty \(0 bytes\)\)\. It was moved aside to \/h\/hangar\.db\.corrupt-x/);
  assert.match(text, /Recovered 2 VM\(s\): a, b; 1 image\(s\): i; 1 pool\(s\)/);
  assert.match(text, /Not recovered: LAN hosts\./);
});
