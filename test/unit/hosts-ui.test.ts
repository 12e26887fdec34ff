import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDetachableRoute } from '../../src-main/electron/policy';
import { sortVms } from '../../src-renderer/features/machines/list-logic';
import { hostShellRoute, parseRoute, sshRoute } from '../../src-renderer/features/consoles/console-logic';
import type { VmInfo } from '../../src-main/api/contract';

describe('hosts in the renderer', () => {
  test('a LAN host shell has its own window route, and only host ids fit in it', () => {
    const id = '3f2a1c9e-1b2c-4d5e-8f90-123456789abc';
    assert.equal(hostShellRoute(id), `#/host-shell/${id}`);
    assert.deepEqual(parseRoute(hostShellRoute(id)), { kind: 'host-shell', hostId: id });
    assert.deepEqual(parseRoute('#/host-shell'), { kind: 'host-shell' });
    for (const bad of ['#/host-shell/a;b', '#/host-shell/../x', '#/host-shell/', '#/host-shell/a/b']) assert.deepEqual(parseRoute(bad), { kind: 'main' }, bad);
    assert.equal(isDetachableRoute(hostShellRoute(id)), true);
    assert.equal(isDetachableRoute('#/host-shell/a;b'), false);
    assert.equal(isDetachableRoute('#/host-shell/../../etc'), false);
    // "Open in terminal" of a cloud VM: ssh in the host terminal window
    assert.deepEqual(parseRoute(sshRoute(id)), { kind: 'host-shell', sshVm: id });
    assert.equal(isDetachableRoute(sshRoute(id)), true);
    for (const bad of ['#/ssh/', '#/ssh/a;b', '#/ssh/../x']) assert.equal(isDetachableRoute(bad) || parseRoute(bad).kind !== 'main', false, bad);
  });

  test('sorting by host groups machines by host, this computer first, by name within a host', () => {
    const vm = (name: string, hostId: string) => ({ id: name, name, hostId, state: 'stopped', createdAt: '2026-01-01' }) as unknown as VmInfo;
    const sorted = sortVms([vm('b', 'h2'), vm('a', 'h2'), vm('z', 'local'), vm('c', 'h1'), vm('y', 'local')], 'host').map((v) => `${v.hostId}/${v.name}`);
    assert.deepEqual(sorted, ['local/y', 'local/z', 'h1/c', 'h2/a', 'h2/b']);
  });
});
