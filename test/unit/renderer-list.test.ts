import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VM_STATES, VmSpecSchema, type VmInfo, type VmState } from '../../src-main/api/contract';
import { assertAction } from '../../src-main/compute/state-machine';
import { benchCount, syntheticVms } from '../../src-renderer/app/bench-data';
import { filterVms, moveSelection, nameTaken, sortVms, visibleVms } from '../../src-renderer/features/machines/list-logic';
import { deletePlan } from '../../src-main/shared/delete-plan';
import { VM_ACTIONS, canDo } from '../../src-renderer/features/machines/vm-actions';

function vm(name: string, state: VmState, createdAt: string, extra: Partial<VmInfo['spec']> = {}): VmInfo {
  const [base] = syntheticVms(1);
  return { ...base!, id: `id-${name}`, name, state, createdAt, spec: { ...base!.spec, name, description: '', ...extra } };
}

describe('machine list logic', () => {
  const list = [
    vm('web-10', 'running', '2025-01-03T00:00:00Z', { os: { family: 'linux', variant: 'debian' } }),
    vm('web-9', 'stopped', '2025-01-01T00:00:00Z', { os: { family: 'windows', variant: 'win11' } }),
    vm('DB', 'crashed', '2025-01-02T00:00:00Z', { description: 'Postgres primary', os: { family: 'bsd', variant: 'freebsd' } }),
  ];

  test('sorts names naturally and without case', () => {
    assert.deepEqual(sortVms(list.slice(), 'name').map((v) => v.name), ['DB', 'web-9', 'web-10']);
    assert.deepEqual(sortVms(list.slice(), 'name', true).map((v) => v.name), ['web-10', 'web-9', 'DB']);
  });

  test('sorts by state (what needs attention first) and by creation time', () => {
    assert.deepEqual(sortVms(list.slice(), 'state').map((v) => v.state), ['crashed', 'running', 'stopped']);
    assert.deepEqual(sortVms(list.slice(), 'created').map((v) => v.name), ['web-9', 'DB', 'web-10']);
  });

  test('filters on every word, across name, description, OS and state', () => {
    assert.deepEqual(filterVms(list, 'WEB').map((v) => v.name), ['web-10', 'web-9']);
    assert.deepEqual(filterVms(list, 'postgres').map((v) => v.name), ['DB']);
    assert.deepEqual(filterVms(list, 'web running').map((v) => v.name), ['web-10']);
    assert.deepEqual(filterVms(list, 'win11').map((v) => v.name), ['web-9']);
    assert.equal(filterVms(list, '   ').length, 3);
    assert.equal(filterVms(list, 'nothing-like-this').length, 0);
    assert.notEqual(filterVms(list, ''), list, 'returns a copy that sorting may reorder');
  });

  test('keyboard moves clamp to the list', () => {
    const ids = ['a', 'b', 'c'];
    assert.equal(moveSelection(ids, 'a', 'down'), 'b');
    assert.equal(moveSelection(ids, 'c', 'down'), 'c');
    assert.equal(moveSelection(ids, 'a', 'up'), 'a');
    assert.equal(moveSelection(ids, null, 'down'), 'a');
    assert.equal(moveSelection(ids, null, 'up'), 'c');
    assert.equal(moveSelection(ids, 'b', 'last'), 'c');
    assert.equal(moveSelection(ids, 'b', 'first'), 'a');
    assert.equal(moveSelection(ids, 'a', 'pageDown'), 'c');
    assert.equal(moveSelection(ids, 'gone', 'down'), 'a');
    assert.equal(moveSelection([], 'a', 'down'), null);
  });

  test('name clashes ignore case, like the engine', () => {
    assert.equal(nameTaken(list, 'db'), true);
    assert.equal(nameTaken(list, 'db', 'id-DB'), false);
    assert.equal(nameTaken(list, 'new'), false);
  });

  // How fast this is belongs to `npm run bench` (first render with 1,000 machines), not to a timed test.
  test('1,000 synthetic machines: the filter keeps exactly the matches, sorted by state', () => {
    const many = syntheticVms(1000);
    const shown = visibleVms(many, 'web 00', 'state');
    const hay = (v: (typeof many)[number]) => `${v.name}\n${v.spec.description}\n${v.spec.os.family}\n${v.spec.os.variant}\n${v.state}`.toLowerCase();
    const expected = many.filter((v) => hay(v).includes('web') && hay(v).includes('00'));
    assert.ok(expected.length > 0 && expected.length < many.length);
    assert.deepEqual(new Set(shown.map((v) => v.id)), new Set(expected.map((v) => v.id)));
    const states = shown.map((v) => v.state);
    const rank = ['crashed', 'running', 'starting', 'stopping', 'paused', 'stopped'];
    assert.deepEqual(states, [...states].sort((a, b) => rank.indexOf(a) - rank.indexOf(b)));
  });
});

describe('toolbar actions follow the engine state machine', () => {
  const engineAllows = (action: (typeof VM_ACTIONS)[number], state: VmState) => {
    try {
      assertAction(action, 'x', state);
      return true;
    } catch {
      return false;
    }
  };
  for (const state of VM_STATES) {
    test(`state ${state}`, () => {
      for (const action of VM_ACTIONS) assert.equal(canDo(action, state), engineAllows(action, state), `${action} from ${state}`);
    });
  }
  test('no VM selected: nothing enabled', () => {
    for (const action of VM_ACTIONS) assert.equal(canDo(action, undefined), false);
  });
});

describe('delete plan', () => {
  const dir = '/h/vms/1';
  const spec = {
    disks: [
      { id: 'disk0', path: `${dir}/disk0.qcow2`, format: 'qcow2' as const, bus: 'virtio' as const, readOnly: false, owned: true },
      { id: 'disk1', path: '/data/shared.raw', format: 'raw' as const, bus: 'virtio' as const, readOnly: false, owned: false },
    ],
    cdrom: '/isos/debian.iso',
  };
  test('keeps every disk unless asked, and always the ISO and attached disks', () => {
    assert.deepEqual(deletePlan(spec, dir, false), { removed: [], kept: [`${dir}/disk0.qcow2`, '/data/shared.raw', '/isos/debian.iso'] });
    assert.deepEqual(deletePlan(spec, dir, true), { removed: [`${dir}/disk0.qcow2`], kept: ['/data/shared.raw', '/isos/debian.iso'] });
  });
  test('an owned disk outside the VM folder is kept (the engine never deletes outside it)', () => {
    const outside = { disks: [{ ...spec.disks[0]!, path: '/elsewhere/disk0.qcow2' }], cdrom: null };
    assert.deepEqual(deletePlan(outside, dir, true), { removed: [], kept: ['/elsewhere/disk0.qcow2'] });
  });
});

describe('benchmark data (?bench=N)', () => {
  test('parses the count', () => {
    assert.equal(benchCount('?bench=1000'), 1000);
    assert.equal(benchCount('?bench=abc'), 0);
    assert.equal(benchCount(''), 0);
    assert.equal(benchCount('?bench=-5'), 0);
  });
  test('synthetic machines are valid specs with unique names and ids', () => {
    const many = syntheticVms(1000);
    assert.equal(new Set(many.map((v) => v.name)).size, 1000);
    assert.equal(new Set(many.map((v) => v.id)).size, 1000);
    for (const v of many.slice(0, 50)) assert.equal(VmSpecSchema.safeParse(v.spec).success, true, JSON.stringify(VmSpecSchema.safeParse(v.spec).error?.issues));
  });
});
