import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { HangarError } from '../../src-main/api/errors';
import { VmLocks, busyMessage } from '../../src-main/compute/vm-lock';
import { uniqueConflict } from '../../src-main/db/constraint-errors';
import { openDatabase } from '../../src-main/db/database';
import { EventBus } from '../../src-main/engine/event-bus';
import { permissionsNotice, secureHome } from '../../src-main/hosts/home-permissions';
import { isAlive, parseStartTime, processStartTime, selfIdentity } from '../../src-main/hosts/process-identity';
import { TaskManager } from '../../src-main/tasks/task-manager';
import { tempHome } from '../helpers/env';

// Several Hangar processes on one home: who owns what (pid + start time), the per-VM lock,
// UNIQUE violations as sentences, and the private data folder.

const { home, cleanup } = tempHome('hangar-procs-unit-');
after(cleanup);

/** A process of our own to play "another Hangar process": alive until killed. */
function otherProcess() {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const pid = child.pid!;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  return { pid, start: processStartTime(pid)!, kill: async () => (child.kill('SIGKILL'), await gone) };
}

describe('process identity', () => {
  test('starttime is field 22, counted after the last ")" of a comm with spaces and parentheses', () => {
    const line = '4242 (we ird) (name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200 18446744073709551615';
    assert.equal(parseStartTime(line), 987654);
    assert.equal(parseStartTime('garbage'), null);
  });

  test('a live owner is alive; the same pid with another start time (a reused pid) is not; a dead one is not', async () => {
    const me = selfIdentity();
    assert.ok(me.start > 0);
    assert.equal(isAlive(me), true);
    assert.equal(isAlive({ pid: me.pid, start: me.start + 1 }), false);
    const other = otherProcess();
    assert.equal(isAlive(other), true);
    await other.kill();
    assert.equal(isAlive(other), false);
    assert.equal(isAlive({ pid: null, start: null }), false);
  });
});

describe('tasks of other processes', () => {
  test('at open, only a dead owner\'s task is interrupted and cleaned up; a live one\'s is left running', async () => {
    const db = openDatabase(path.join(home, 'tasks.db'));
    const live = otherProcess();
    const dead = otherProcess();
    await dead.kill();
    const insert = db.prepare("INSERT INTO tasks (id, kind, title, state, cancellable, created_at, owner_pid, owner_start) VALUES (?, 'image.import', ?, 'running', 1, '2000-01-01T00:00:00Z', ?, ?)");
    insert.run('t-live', 'import by a live CLI', live.pid, live.start);
    insert.run('t-dead', 'import by a killed CLI', dead.pid, dead.start);
    insert.run('t-reused', 'import by a pid now reused', live.pid, live.start + 7);
    const tasks = new TaskManager(db, new EventBus());
    const cleaned: string[] = [];
    tasks.onInterrupted('image.import', async (t) => void cleaned.push(t.id));
    await tasks.recoverInterrupted();
    assert.deepEqual(cleaned.sort(), ['t-dead', 't-reused']);
    assert.equal(tasks.get('t-live')?.state, 'running');
    assert.equal(tasks.get('t-dead')?.state, 'failed');
    assert.deepEqual(tasks.runningElsewhere('image.import').map((t) => t.id), ['t-live']);
    assert.throws(() => tasks.cancel('t-live'), (e: HangarError) => e.code === 'INVALID_STATE' && /another Hangar process \(pid \d+\)/.test(e.message));
    await live.kill();
    await tasks.recoverInterrupted();
    assert.equal(tasks.get('t-live')?.state, 'failed');
    db.close();
  });
});

describe('per-VM lock', () => {
  test('a second taker is refused with a sentence; release frees it; a dead owner\'s lock is taken over', async () => {
    const db = openDatabase(path.join(home, 'locks.db'));
    const locks = new VmLocks(db);
    const vm = { id: 'vm-1', name: 'web' };
    const release = locks.acquire(vm, 'start');
    assert.throws(() => locks.acquire(vm, 'start'), (e: HangarError) => e.code === 'INVALID_STATE' && /VM "web" is already starting/.test(e.message));
    assert.throws(() => locks.acquire(vm, 'delete'), /VM "web" is busy: this Hangar process is starting it/);
    assert.equal(locks.heldElsewhere(vm.id), false, 'our own lock is not "elsewhere"');
    release();
    release(); // idempotent
    locks.acquire(vm, 'stop')();

    const other = otherProcess();
    db.prepare("INSERT INTO vm_locks (vm_id, owner_pid, owner_start, token, action, since) VALUES ('vm-1', ?, ?, 'x', 'start', '2000-01-01T00:00:00Z')").run(other.pid, other.start);
    assert.equal(locks.heldElsewhere(vm.id), true);
    assert.throws(() => locks.acquire(vm, 'start'), new RegExp(`VM "web" is already starting: another Hangar process \\(pid ${other.pid}\\) is starting it\\.`));
    await other.kill();
    assert.equal(locks.heldElsewhere(vm.id), false);
    const again = locks.acquire(vm, 'kill');
    assert.equal((db.prepare("SELECT owner_pid FROM vm_locks WHERE vm_id = 'vm-1'").get() as { owner_pid: number }).owner_pid, process.pid);
    again();
    db.close();
  });

  test('busy sentences name the action held', () => {
    assert.equal(busyMessage('db', { action: 'snapshot', pid: 7 }, 'stop', 1), 'VM "db" is busy: another Hangar process (pid 7) is taking or restoring a snapshot of it. Try again when that has finished.');
  });
});

describe('UNIQUE violations', () => {
  test('every named table gives "A … named … already exists", never SQLite\'s message', () => {
    const db = openDatabase(path.join(home, 'unique.db'));
    const raw = (sql: string): unknown => {
      try {
        db.exec(sql);
      } catch (e) {
        return e;
      }
      assert.fail(`no error from ${sql}`);
    };
    const now = "'2000-01-01T00:00:00Z'";
    db.exec(`INSERT INTO vms (id, name, host_id, spec_json, dir, created_at, updated_at) VALUES ('a', 'web', 'local', '{}', '/x', ${now}, ${now})`);
    const e = raw(`INSERT INTO vms (id, name, host_id, spec_json, dir, created_at, updated_at) VALUES ('b', 'WEB', 'local', '{}', '/y', ${now}, ${now})`);
    assert.match(String(e), /UNIQUE constraint failed: vms.name/);
    assert.equal(uniqueConflict(e, 'WEB')?.message, 'A VM named "WEB" already exists. Choose another name.');
    assert.equal(uniqueConflict(e)?.message, 'A VM with this name already exists. Choose another name.');
    db.exec(`INSERT INTO networks (id, name, mcast_group, mcast_port, created_at) VALUES ('n1', 'lan', '239.1.1.1', 30000, ${now})`);
    assert.equal(uniqueConflict(raw(`INSERT INTO networks (id, name, mcast_group, mcast_port, created_at) VALUES ('n2', 'LAN', '239.1.1.2', 30001, ${now})`), 'LAN')?.message, 'An internal network named "LAN" already exists. Choose another name.');
    assert.match(uniqueConflict(raw(`INSERT INTO networks (id, name, mcast_group, mcast_port, created_at) VALUES ('n3', 'other', '239.1.1.1', 30000, ${now})`))!.message, /same multicast address/);
    db.exec(`INSERT INTO vm_snapshots (id, vm_id, name, created_at) VALUES ('s1', 'a', 'before', ${now})`);
    assert.equal(uniqueConflict(raw(`INSERT INTO vm_snapshots (id, vm_id, name, created_at) VALUES ('s2', 'a', 'before', ${now})`), 'before')?.message, 'A snapshot named "before" already exists for this VM. Choose another name.');
    assert.match(uniqueConflict(raw(`INSERT INTO tasks (id, kind, title, state, created_at) VALUES ('t', 'k', 't', 'running', ${now}), ('t', 'k', 't', 'running', ${now})`))!.message, /created at the same moment/);
    assert.equal(uniqueConflict(new Error('not sqlite')), null);
    db.close();
  });
});

describe('private data folder', () => {
  test('a new home is 0700; a loose one is tightened once, with a notice', () => {
    const fresh = path.join(home, 'new', 'hangar');
    assert.deepEqual(secureHome(fresh).tightened, []);
    assert.equal(fs.statSync(fresh).mode & 0o777, 0o700);

    const loose = path.join(home, 'loose');
    fs.mkdirSync(path.join(loose, 'vms', 'v1'), { recursive: true, mode: 0o755 });
    fs.mkdirSync(path.join(loose, 'images'), { mode: 0o755 });
    fs.chmodSync(loose, 0o755);
    fs.writeFileSync(path.join(loose, 'hangar.db'), '', { mode: 0o644 });
    fs.writeFileSync(path.join(loose, 'vms', 'v1', 'vm.json'), '{}', { mode: 0o644 });
    fs.writeFileSync(path.join(loose, 'images', 'x.iso'), '', { mode: 0o444 });
    const report = secureHome(loose);
    assert.equal(report.homeModeBefore, '0755');
    assert.ok(report.tightened.includes('.') && report.tightened.includes('hangar.db') && report.tightened.includes(path.join('vms', 'v1', 'vm.json')), String(report.tightened));
    assert.equal(fs.statSync(loose).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(loose, 'hangar.db')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(loose, 'vms', 'v1')).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(loose, 'vms', 'v1', 'vm.json')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(loose, 'images', 'x.iso')).mode & 0o777, 0o444, 'library images stay read-only as they are');
    assert.match(permissionsNotice(loose, report)!, /Made the Hangar data folder .* private \(the folder was 0755\)/);
    assert.equal(permissionsNotice(loose, secureHome(loose)), null, 'said once: nothing left to tighten');
  });
});
