import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contract, objectName, VmCreateInput } from '../../src-main/api/contract';
import { HangarError, toApiError } from '../../src-main/api/errors';
import { canTransition, assertAction } from '../../src-main/compute/state-machine';
import { formatBytes, parseSize } from '../../src-main/util/units';
import { parseForward } from '../../src-main/cli/main';

const name = objectName('VM');

test('names: letters of any script, digits, space, dot, dash and underscore are accepted', () => {
  for (const ok of ['web', 'Web-01', 'db_2', 'my vm', 'a', '测试机', 'v1.2']) assert.equal(name.safeParse(ok).success, true, ok);
});

test('names: shell metacharacters, slashes, empty and over-long names are refused with a sentence', () => {
  for (const bad of ['', 'a/b', '../x', 'x;rm -rf', '$(id)', '`id`', 'a|b', 'a>b', ' lead', 'trail ', '.hidden', 'x'.repeat(65), 'x'.repeat(200), 'a\nb']) {
    const r = name.safeParse(bad);
    assert.equal(r.success, false, JSON.stringify(bad));
    assert.ok(r.error!.issues[0]!.message.length > 10);
  }
});

test('vm.create input: defaults fill in, bad numbers are refused', () => {
  const ok = VmCreateInput.parse({ name: 'x' });
  assert.equal(ok.cpus, 1);
  assert.equal(ok.memoryMiB, 512);
  assert.equal(ok.nics.length, 1);
  assert.equal(ok.nics[0]!.portForwards.length, 0);
  for (const memoryMiB of [0, -5, 1.5]) assert.equal(VmCreateInput.safeParse({ name: 'x', memoryMiB }).success, false);
  assert.equal(VmCreateInput.safeParse({ name: 'x', isoPath: 'relative.iso' }).success, false);
  assert.equal(VmCreateInput.safeParse({ name: 'x', unknownField: 1 }).success, false);
});

test('every contract method has an input schema and a description', () => {
  for (const [method, def] of Object.entries(contract)) {
    assert.ok(def.input, method);
    assert.ok(def.description.length > 5, method);
  }
});

test('state machine: allowed and refused transitions', () => {
  assert.equal(canTransition('stopped', 'starting'), true);
  assert.equal(canTransition('stopped', 'running'), false);
  assert.equal(canTransition('running', 'paused'), true);
  assert.equal(canTransition('crashed', 'starting'), true);
  assert.throws(() => assertAction('start', 'web', 'running'), (e: HangarError) => e.code === 'INVALID_STATE' && /already running/.test(e.message));
  assert.throws(() => assertAction('delete', 'web', 'running'), /shut it down/);
  assert.doesNotThrow(() => assertAction('start', 'web', 'crashed'));
});

test('errors: internal errors are wrapped, typed errors pass through', () => {
  assert.deepEqual(toApiError(new HangarError('NOT_FOUND', 'No VM named "x".')), { code: 'NOT_FOUND', message: 'No VM named "x".' });
  assert.equal(toApiError(new Error('boom')).code, 'INTERNAL');
});

test('units: sizes parse and format in binary units', () => {
  assert.equal(parseSize('20G'), 20 * 1024 ** 3);
  assert.equal(parseSize('512M'), 512 * 1024 ** 2);
  assert.equal(parseSize('1.5 GiB'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('4096'), 4096);
  assert.throws(() => parseSize('lots'), /not a size/);
  assert.equal(formatBytes(1536 * 1024 * 1024), '1.5 GiB');
});

test('cli: port forward specs', () => {
  assert.deepEqual(parseForward('2222:22'), [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }]);
  assert.deepEqual(parseForward('udp:0.0.0.0:5353:53'), [{ protocol: 'udp', hostAddress: '0.0.0.0', hostPort: 5353, guestPort: 53 }]);
  assert.throws(() => parseForward('22'), /HOSTPORT:GUESTPORT/);
});
