import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Engine } from '../../src-main/engine/engine';
import { tempHome } from '../helpers/env';

// Issue 12: the Storage page's first requests on a new home (pool list and default pool, in
// parallel) both created the default pool and one failed with a raw UNIQUE constraint error.

const { home, cleanup } = tempHome('hangar-defpool-');
after(() => cleanup());

test('parallel first requests on a fresh home all get the one default pool', async () => {
  const a = await Engine.open({ home });
  const b = await Engine.open({ home }); // a second process on the same home (the CLI beside serve)
  try {
    const calls = [a, b, a, b, a, b].flatMap((e) => [e.call('pool.list', {}), e.call('storage.defaultPool', {})]);
    const results = await Promise.allSettled(calls);
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failed, []);
    const pools = await a.call('pool.list', {});
    assert.equal(pools.filter((p) => p.isDefault).length, 1);
    assert.equal(pools.length, 1);
  } finally {
    await a.close();
    await b.close();
  }
});
